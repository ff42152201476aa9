-- Repairs: a faulty item under warranty that passed inspection, at the bench until it
-- goes back to the customer (its outbound parcel) or cannot be repaired.
CREATE TABLE repairs (
    id TEXT PRIMARY KEY NOT NULL,
    rma_id TEXT NOT NULL REFERENCES rmas (id),
    order_id TEXT NOT NULL REFERENCES orders (id),
    status TEXT NOT NULL,
    -- JSON array of {line_id, sku, title, quantity}.
    lines TEXT NOT NULL,
    -- JSON array of {status, note, actor, at}: every move with who made it and why.
    history TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    shipment_id TEXT REFERENCES shipments (id)
);
CREATE UNIQUE INDEX repairs_one_per_rma ON repairs (rma_id);
CREATE INDEX repairs_by_status ON repairs (status, id);
