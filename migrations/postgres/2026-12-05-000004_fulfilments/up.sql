-- Replacements the warehouse must send (exchanges that passed inspection), and the
-- outbound parcel each left in.
CREATE TABLE fulfilments (
    id TEXT PRIMARY KEY NOT NULL,
    rma_id TEXT NOT NULL REFERENCES rmas (id),
    order_id TEXT NOT NULL REFERENCES orders (id),
    status TEXT NOT NULL,
    -- JSON array of {line_id, sku, quantity}.
    lines TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    shipped_at TIMESTAMP,
    shipment_id TEXT REFERENCES shipments (id)
);
CREATE UNIQUE INDEX fulfilments_one_per_rma ON fulfilments (rma_id);
CREATE INDEX fulfilments_by_status ON fulfilments (status, id);
