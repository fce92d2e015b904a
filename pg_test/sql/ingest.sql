-- Cafe24 Admin API order ingest: idempotent upserts, clear errors, nothing half-applied.
SET client_min_messages = warning;
\set SHOW_CONTEXT never
DROP EXTENSION IF EXISTS cafe24_analytics CASCADE;
CREATE EXTENSION cafe24_analytics;

SELECT * FROM cafe24.ingest_orders('{"orders": [
  {"shop_no": 1, "order_id": "20261124-0000001", "member_id": "kim01",
   "order_date": "2026-11-24T10:15:00+09:00",
   "items": [
     {"order_item_code": "20261124-0000001-01", "product_no": 12, "product_code": "P000000M",
      "variant_code": "P000000M000A", "product_name": "린넨 셔츠 (Linen Shirt)", "quantity": 2,
      "product_price": "39000.00", "option_price": "1000.00", "additional_discount_price": "4000.00",
      "order_status": "N40"},
     {"order_item_code": "20261124-0000001-02", "variant_code": "P000000N000A", "product_name": "머그컵",
      "quantity": 1, "product_price": "12000.00", "order_status": "N20"}]},
  {"shop_no": 2, "order_id": "20261124-0000002", "member_id": "",
   "order_date": "2026-11-23T23:30:00+09:00",
   "items": [{"order_item_code": "20261124-0000002-01", "variant_code": "P000000M000A",
              "quantity": 1, "product_price": "39000.00", "order_status": "N10"}]}
]}');

SELECT order_item_code, shop_no, ordered_at AT TIME ZONE 'Asia/Seoul' AS seoul_time, customer_id IS NULL AS guest,
       quantity, unit_price, discount, status
FROM cafe24.order_line ORDER BY order_item_code;
SELECT shop_no, name, timezone FROM cafe24.shop ORDER BY shop_no;
SELECT variant_code, product_code, name, category, price FROM cafe24.product ORDER BY variant_code;
SELECT day, shop_no, order_lines, sold_units, net_amount FROM cafe24.sales_daily ORDER BY day, shop_no, product_id;

-- The same payload again changes nothing.
SELECT * FROM cafe24.ingest_orders('{"orders": [{"shop_no": 1, "order_id": "20261124-0000001", "member_id": "kim01",
   "order_date": "2026-11-24T10:15:00+09:00",
   "items": [{"order_item_code": "20261124-0000001-02", "variant_code": "P000000N000A",
              "quantity": 1, "product_price": "12000.00", "order_status": "N20"}]}]}');

-- A cancellation and a quantity change update the lines and the aggregates.
SELECT * FROM cafe24.ingest_orders('{"orders": [{"shop_no": 1, "order_id": "20261124-0000001", "member_id": "kim01",
   "order_date": "2026-11-24T10:15:00+09:00",
   "items": [{"order_item_code": "20261124-0000001-02", "variant_code": "P000000N000A",
              "quantity": 1, "product_price": "12000.00", "order_status": "C40"},
             {"order_item_code": "20261124-0000001-01", "variant_code": "P000000M000A",
              "quantity": 3, "product_price": "39000.00", "option_price": "1000.00",
              "additional_discount_price": "4000.00", "order_status": "N40"}]}]}');
-- A new member's order.
SELECT * FROM cafe24.ingest_orders('{"orders": [{"shop_no": 1, "order_id": "20261124-0000003", "member_id": "lee02",
   "order_date": "2026-11-24T21:05:00+09:00",
   "items": [{"order_item_code": "20261124-0000003-01", "variant_code": "P000000N000A",
              "product_name": "머그컵", "quantity": 2, "product_price": "12000.00", "order_status": "N10"}]}]}');
SELECT l.order_item_code, c.member_id, l.quantity, l.status FROM cafe24.order_line AS l LEFT JOIN cafe24.customer AS c USING (customer_id) ORDER BY l.order_item_code;
SELECT day, shop_no, order_lines, sold_units, net_amount, cancelled_units FROM cafe24.sales_daily ORDER BY day, shop_no, product_id;
SELECT aggregate, missing_or_different, unexpected FROM cafe24.check_aggregates();

-- Errors name the order, the item and the field, and nothing of the payload is applied.
SELECT * FROM cafe24.ingest_orders('{"orders": [
  {"shop_no": 1, "order_id": "A-1", "order_date": "2026-11-25T09:00:00+09:00",
   "items": [{"order_item_code": "A-1-01", "variant_code": "NEW-1", "quantity": 1, "product_price": "100", "order_status": "N10"}]},
  {"shop_no": 1, "order_id": "A-2", "order_date": "2026-11-25T09:00:00+09:00",
   "items": [{"order_item_code": "A-2-01", "variant_code": "NEW-2", "quantity": -1, "product_price": "100", "order_status": "N10"}]}]}');
SELECT * FROM cafe24.ingest_orders('{"orders": [{"shop_no": 1, "order_id": "A-3", "order_date": "yesterday",
   "items": [{"order_item_code": "A-3-01", "variant_code": "NEW-3", "quantity": 1, "product_price": "100", "order_status": "N10"}]}]}');
SELECT * FROM cafe24.ingest_orders('{"orders": [{"shop_no": 1, "order_id": "A-4", "order_date": "2026-11-25T09:00:00+09:00",
   "items": [{"order_item_code": "A-4-01", "variant_code": "NEW-4", "quantity": 1, "order_status": "N10"}]}]}');
SELECT * FROM cafe24.ingest_orders('{"orders": [{"shop_no": 1, "order_id": "A-5", "order_date": "2026-11-25T09:00:00+09:00",
   "items": [{"order_item_code": "A-5-01", "variant_code": "NEW-5", "quantity": 1, "product_price": "100", "order_status": "Z99"}]}]}');
SELECT * FROM cafe24.ingest_orders('[]');
SELECT * FROM cafe24.ingest_orders('{"orders": []}');
SELECT count(*) AS lines, (SELECT count(*) FROM cafe24.product WHERE variant_code LIKE 'NEW-%') AS new_products FROM cafe24.order_line;
