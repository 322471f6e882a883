-- Orders placed per day (UTC) and currency, and the revenue of those not rejected,
-- cancelled or expired since (refunds are the sales report's business).
-- Written in the SQL Athena (Trino) and DuckDB share: json_extract_scalar is Trino's,
-- and `npm run query` defines it for DuckDB. DISTINCT drops events delivered twice.
WITH placed AS (
  SELECT DISTINCT
    json_extract_scalar(detail, '$.data.orderId') AS order_id,
    substr(json_extract_scalar(detail, '$.data.placedAt'), 1, 10) AS day,
    json_extract_scalar(detail, '$.data.totals.total.currency') AS currency,
    CAST(json_extract_scalar(detail, '$.data.totals.total.amount') AS bigint) AS total
  FROM events
  WHERE source = 'oms.orders' AND detail_type = 'OrderPlaced'
),
ended AS (
  SELECT DISTINCT json_extract_scalar(detail, '$.data.orderId') AS order_id
  FROM events
  WHERE source = 'oms.orders' AND detail_type IN ('OrderRejected', 'OrderCancelled', 'OrderExpired')
)
SELECT
  p.day,
  p.currency,
  count(*) AS orders,
  count(e.order_id) AS lost_orders,
  round(CAST(sum(CASE WHEN e.order_id IS NULL THEN p.total ELSE 0 END) AS double) / 100, 2) AS revenue,
  round(CAST(sum(p.total) AS double) / 100 / count(*), 2) AS average_order
FROM placed p
LEFT JOIN ended e ON e.order_id = p.order_id
GROUP BY p.day, p.currency
ORDER BY p.day, p.currency
