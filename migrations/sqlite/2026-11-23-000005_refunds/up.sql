-- Inspections, the refund triggers they (or outbound incidents) create, and the outbox
-- of messages that must go out exactly once per trigger.
CREATE TABLE inspections (
    rma_id TEXT PRIMARY KEY NOT NULL REFERENCES rmas (id) ON DELETE CASCADE,
    outcome TEXT NOT NULL,
    -- JSON: what the inspector recorded per line, and the refund calculation.
    lines TEXT NOT NULL,
    calculation TEXT NOT NULL,
    inspected_by TEXT NOT NULL,
    inspected_at TIMESTAMP NOT NULL
);

CREATE TABLE refund_triggers (
    id TEXT PRIMARY KEY NOT NULL,
    rma_id TEXT UNIQUE REFERENCES rmas (id),
    incident_id TEXT UNIQUE REFERENCES incidents (id),
    order_id TEXT NOT NULL REFERENCES orders (id),
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    -- original_payment | store_credit
    method TEXT NOT NULL,
    -- pending | emailed | acknowledged | failed
    status TEXT NOT NULL,
    calculation TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    emailed_at TIMESTAMP,
    acknowledged_at TIMESTAMP,
    acknowledged_by TEXT
);
CREATE INDEX refund_triggers_status ON refund_triggers (status, created_at);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    -- pending | sent | dead
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_owner TEXT,
    lease_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    UNIQUE (kind, subject_id)
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
