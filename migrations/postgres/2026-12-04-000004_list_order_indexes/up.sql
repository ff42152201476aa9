-- Lists are read a page at a time in the order of these indexes (a time, then the id;
-- RMAs by their time-ordered id), so each page is a range read, not a sort of the table.
CREATE INDEX incidents_opened ON incidents (opened_at, id);
CREATE INDEX received_parcels_received ON received_parcels (received_at, id);
CREATE INDEX refund_triggers_created ON refund_triggers (created_at, id);
CREATE INDEX rmas_status_id ON rmas (status, id);
