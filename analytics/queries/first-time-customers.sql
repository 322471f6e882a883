-- Customers by the day (UTC) of their first order: how many were new that day, and how
-- many of them have ordered again since. DISTINCT drops events delivered twice.
WITH placed AS (
  SELECT DISTINCT
    json_extract_scalar(detail, '$.data.customerId') AS customer_id,
    json_extract_scalar(detail, '$.data.orderId') AS order_id,
    json_extract_scalar(detail, '$.data.placedAt') AS placed_at
  FROM events
  WHERE source = 'oms.orders' AND detail_type = 'OrderPlaced'
),
customers AS (
  SELECT customer_id, min(placed_at) AS first_order_at, count(*) AS orders
  FROM placed
  GROUP BY customer_id
)
SELECT
  substr(first_order_at, 1, 10) AS cohort_day,
  count(*) AS new_customers,
  sum(CASE WHEN orders > 1 THEN 1 ELSE 0 END) AS ordered_again,
  round(CAST(sum(CASE WHEN orders > 1 THEN 1 ELSE 0 END) AS double) * 100 / count(*), 1) AS ordered_again_pct,
  sum(orders) AS orders
FROM customers
GROUP BY substr(first_order_at, 1, 10)
ORDER BY cohort_day
