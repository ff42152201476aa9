ALTER TABLE refund_triggers DROP COLUMN bonus_minor;
