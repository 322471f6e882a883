-- The 20 orders that took longest from placement to delivery, counting orders still
-- on their way up to now; orders rejected, cancelled or expired are left out. Hours to
-- payment, shipping and delivery show where the time went. from_iso8601_timestamp is
-- Trino's, and `npm run query` defines it for DuckDB.
WITH milestones AS (
  SELECT DISTINCT
    json_extract_scalar(detail, '$.data.orderId') AS order_id,
    json_extract_scalar(detail, '$.data.orderNumber') AS order_number,
    detail_type,
    json_extract_scalar(detail, '$.metadata.occurredAt') AS occurred_at
  FROM events
  WHERE source = 'oms.orders'
    AND detail_type IN ('OrderPlaced', 'OrderPaid', 'OrderShipped', 'OrderDelivered', 'OrderRejected', 'OrderCancelled', 'OrderExpired')
),
orders AS (
  SELECT
    order_id,
    max(order_number) AS order_number,
    from_iso8601_timestamp(max(CASE WHEN detail_type = 'OrderPlaced' THEN occurred_at END)) AS placed_at,
    from_iso8601_timestamp(max(CASE WHEN detail_type = 'OrderPaid' THEN occurred_at END)) AS paid_at,
    from_iso8601_timestamp(max(CASE WHEN detail_type = 'OrderShipped' THEN occurred_at END)) AS shipped_at,
    from_iso8601_timestamp(max(CASE WHEN detail_type = 'OrderDelivered' THEN occurred_at END)) AS delivered_at,
    max(CASE WHEN detail_type IN ('OrderRejected', 'OrderCancelled', 'OrderExpired') THEN occurred_at END) AS ended_at
  FROM milestones
  GROUP BY order_id
)
SELECT
  order_number,
  order_id,
  CASE WHEN delivered_at IS NULL THEN 'open' ELSE 'delivered' END AS state,
  round(CAST(date_diff('second', placed_at, paid_at) AS double) / 3600, 2) AS hours_to_pay,
  round(CAST(date_diff('second', placed_at, shipped_at) AS double) / 3600, 2) AS hours_to_ship,
  round(CAST(date_diff('second', placed_at, delivered_at) AS double) / 3600, 2) AS hours_to_deliver,
  round(CAST(date_diff('second', placed_at, coalesce(delivered_at, current_timestamp)) AS double) / 3600, 2) AS hours_taken
FROM orders
WHERE placed_at IS NOT NULL AND ended_at IS NULL
ORDER BY hours_taken DESC, order_number
LIMIT 20
