DROP TABLE outbox;
DROP TABLE refund_triggers;
DROP TABLE inspections;
