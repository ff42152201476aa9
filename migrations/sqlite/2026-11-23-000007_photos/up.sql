-- Photos sent with a return as evidence (by the customer, or by the inspector), known
-- by their bytes, not their names.
CREATE TABLE rma_photos (
    id TEXT PRIMARY KEY NOT NULL,
    rma_id TEXT NOT NULL REFERENCES rmas (id) ON DELETE CASCADE,
    taken_by TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    content BLOB NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX rma_photos_rma ON rma_photos (rma_id);
