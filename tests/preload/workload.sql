-- In-memory workload for tests/preload/sqlite3.sh. Deterministic: no random(),
-- no dates; every result is ordered.
.bail on
.headers on
.mode list
PRAGMA cache_size = -65536;   -- up to 64 MiB of page cache: many allocations

CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, city TEXT, score INT);
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INT, item TEXT, qty INT, price REAL, note TEXT);
CREATE TABLE items(name TEXT PRIMARY KEY, category TEXT) WITHOUT ROWID;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO customers
SELECT i, printf('customer-%05d-%s', i, substr('abcdefghijklmnopqrstuvwxyz', 1 + i % 26, 1 + i % 7)),
       'city-' || (i * 7919 % 97), (i * 2654435761) % 1000
FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
INSERT INTO items SELECT 'item-' || i, 'cat-' || (i % 13) FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO orders
SELECT i, 1 + (i * 48271) % 10000, 'item-' || (1 + (i * 16807) % 500), 1 + i % 9,
       round(((i * 69621) % 100000) / 100.0, 2),
       CASE WHEN i % 5 = 0 THEN replace(hex(zeroblob(i % 300)), '00', 'ab') ELSE NULL END
FROM n;

SELECT count(*) AS customers FROM customers;
SELECT count(*) AS orders, sum(qty) AS qty, round(sum(qty * price), 2) AS revenue FROM orders;

CREATE INDEX orders_customer ON orders(customer);
CREATE INDEX orders_item_qty ON orders(item, qty);
CREATE INDEX customers_city ON customers(city, score DESC);
PRAGMA integrity_check;

-- joins, group by, order by
SELECT c.city, count(*) AS n, round(sum(o.qty * o.price), 2) AS revenue, max(o.qty) AS maxq
FROM orders o JOIN customers c ON c.id = o.customer
GROUP BY c.city ORDER BY revenue DESC, c.city LIMIT 15;

SELECT i.category, count(DISTINCT o.customer) AS buyers, sum(o.qty) AS qty
FROM orders o JOIN items i ON i.name = o.item
GROUP BY i.category ORDER BY i.category;

-- a large sort and a big string aggregate
SELECT length(group_concat(name, ',')) AS len, substr(group_concat(name, ','), 1, 60) AS head
FROM (SELECT name FROM customers ORDER BY city DESC, score, name);
SELECT customer, count(*) AS n, group_concat(id, ' ') AS ids
FROM (SELECT customer, id FROM orders ORDER BY price DESC, id LIMIT 20000)
GROUP BY customer ORDER BY n DESC, customer LIMIT 5;

-- window functions
SELECT city, name, score, rnk FROM (
  SELECT city, name, score, rank() OVER (PARTITION BY city ORDER BY score DESC, id) AS rnk
  FROM customers)
WHERE rnk <= 2 ORDER BY city, rnk LIMIT 20;
SELECT id, round(avg(price) OVER (ORDER BY id ROWS BETWEEN 50 PRECEDING AND 50 FOLLOWING), 4) AS avg101
FROM orders WHERE id % 9973 = 0 ORDER BY id;

-- updates and deletes that rebalance the b-trees, then vacuum
UPDATE orders SET note = printf('%.*c', 200 + id % 500, 'x') WHERE id % 7 = 0;
DELETE FROM orders WHERE id % 3 = 0;
SELECT count(*) AS left_after_delete, sum(length(note)) AS note_bytes FROM orders;
VACUUM;
PRAGMA integrity_check;

-- json, strings, a temp b-tree per DISTINCT
SELECT json_group_array(json_object('id', id, 'name', name, 'score', score)) AS js
FROM (SELECT * FROM customers WHERE id % 1000 = 1 ORDER BY id);
SELECT count(*) AS distinct_notes FROM (SELECT DISTINCT note FROM orders);
SELECT sum(length(upper(name) || lower(city) || replace(name, '-', '--'))) AS strlen FROM customers;
SELECT total(json_extract(js, '$.q')) AS total_q FROM
  (SELECT json_object('q', qty, 'p', price, 'c', customer) AS js FROM orders);

-- a self-join through a CTE
WITH pairs AS (
  SELECT a.customer AS c1, b.customer AS c2, count(*) AS shared
  FROM orders a JOIN orders b ON a.item = b.item AND a.customer < b.customer
  WHERE a.customer <= 300 AND b.customer <= 300
  GROUP BY a.customer, b.customer)
SELECT c1, c2, shared FROM pairs ORDER BY shared DESC, c1, c2 LIMIT 10;

DROP INDEX orders_item_qty;
DROP TABLE orders;
SELECT name FROM sqlite_schema ORDER BY name;
