-- The bonus a store credit carries on top of its amount (minor units of the
-- trigger's currency); zero for every other trigger.
ALTER TABLE refund_triggers ADD COLUMN bonus_minor BIGINT NOT NULL DEFAULT 0;
