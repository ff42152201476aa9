-- Return labels bought for RMAs, and the label documents the carrier delivered.
CREATE TABLE return_labels (
    rma_id TEXT PRIMARY KEY NOT NULL REFERENCES rmas (id) ON DELETE CASCADE,
    carrier TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    carrier_reference TEXT NOT NULL,
    service TEXT NOT NULL,
    cost_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    voided_at TIMESTAMP,
    UNIQUE (carrier, tracking_number)
);

CREATE TABLE label_documents (
    rma_id TEXT NOT NULL REFERENCES return_labels (rma_id) ON DELETE CASCADE,
    format TEXT NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (rma_id, format)
);
