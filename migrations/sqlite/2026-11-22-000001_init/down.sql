DROP TABLE idempotency_keys;
DROP TABLE rma_events;
DROP TABLE rma_lines;
DROP TABLE rmas;
DROP TABLE shipments;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE api_keys;
