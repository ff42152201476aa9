-- Boxes scanned at a warehouse bench: matched to an RMA, or kept unmatched (never
-- dropped) until someone links them.
CREATE TABLE received_parcels (
    id TEXT PRIMARY KEY NOT NULL,
    -- What the scanner sent (control characters shown as \x1d etc.), and what it read as.
    barcode TEXT NOT NULL,
    scanned TEXT NOT NULL,
    tracking_carrier TEXT,
    tracking_number TEXT,
    station TEXT NOT NULL,
    warehouse TEXT,
    rma_id TEXT REFERENCES rmas (id),
    received_at TIMESTAMP NOT NULL,
    received_by TEXT NOT NULL,
    linked_at TIMESTAMP,
    linked_by TEXT
);
CREATE INDEX received_parcels_unmatched ON received_parcels (rma_id, received_at);
CREATE INDEX received_parcels_scanned ON received_parcels (scanned);
