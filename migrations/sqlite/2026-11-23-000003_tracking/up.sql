-- Tracked parcels (outbound shipments and inbound returns), the carrier events seen for
-- them, and the incidents the tracking rules open. Keep in step with migrations/postgres.

-- The order lines an outbound shipment carries (JSON array of line ids; NULL = all).
ALTER TABLE shipments ADD COLUMN line_ids TEXT;

CREATE TABLE parcels (
    id TEXT PRIMARY KEY NOT NULL,
    -- outbound (a shipment to the customer), inbound (a return), unlinked (pushed by a
    -- carrier for a number we do not know; kept, never polled)
    direction TEXT NOT NULL,
    carrier TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    shipment_id TEXT REFERENCES shipments (id) ON DELETE CASCADE,
    rma_id TEXT REFERENCES rmas (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    exception TEXT,
    international BOOLEAN NOT NULL,
    destination_lat DOUBLE,
    destination_lon DOUBLE,
    shipped_at TIMESTAMP NOT NULL,
    last_event_at TIMESTAMP,
    -- The carrier's latest estimate, and its first promise (the one "delayed" counts from).
    estimated_delivery TIMESTAMP,
    promised_delivery TIMESTAMP,
    delivered_at TIMESTAMP,
    next_poll_at TIMESTAMP,
    last_polled_at TIMESTAMP,
    polls BIGINT NOT NULL,
    failures INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (carrier, tracking_number)
);
CREATE INDEX parcels_due ON parcels (next_poll_at);
CREATE INDEX parcels_rma ON parcels (rma_id);
CREATE INDEX parcels_shipment ON parcels (shipment_id);

CREATE TABLE tracking_events (
    id TEXT PRIMARY KEY NOT NULL,
    parcel_id TEXT NOT NULL REFERENCES parcels (id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    raw_code TEXT NOT NULL,
    raw_time TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    exception TEXT,
    city TEXT,
    region TEXT,
    postal_code TEXT,
    country TEXT,
    lat DOUBLE,
    lon DOUBLE,
    source TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    UNIQUE (parcel_id, at, raw_code)
);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY NOT NULL,
    parcel_id TEXT NOT NULL REFERENCES parcels (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    action TEXT,
    amount_minor BIGINT,
    currency TEXT,
    claim_reference TEXT,
    replacement_shipment_id TEXT REFERENCES shipments (id),
    -- refund / partial_refund: the refund trigger finance is told about.
    refund_trigger_id TEXT,
    note TEXT,
    resolved_by TEXT,
    UNIQUE (parcel_id, kind)
);
CREATE INDEX incidents_open ON incidents (resolved_at, opened_at);

-- The incident's audit trail: opened by the rules, resolved by someone.
CREATE TABLE incident_events (
    id TEXT PRIMARY KEY NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    event TEXT NOT NULL,
    note TEXT
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, at);

-- Returns already labelled before tracking existed become tracked inbound parcels.
INSERT INTO parcels (id, direction, carrier, tracking_number, shipment_id, rma_id, status,
    exception, international, destination_lat, destination_lon, shipped_at, last_event_at,
    estimated_delivery, promised_delivery, delivered_at, next_poll_at, last_polled_at, polls, failures,
    lease_owner, lease_until, created_at, updated_at)
SELECT rma_id, 'inbound', carrier, tracking_number, NULL, rma_id,
    CASE WHEN voided_at IS NULL THEN 'pre_transit' ELSE 'cancelled' END,
    NULL, FALSE, NULL, NULL, created_at, NULL, NULL, NULL, NULL,
    CASE WHEN voided_at IS NULL THEN created_at ELSE NULL END, NULL, 0, 0, NULL, NULL,
    created_at, created_at
FROM return_labels;

-- Outbound shipments already registered, likewise; delivered ones are done.
INSERT INTO parcels (id, direction, carrier, tracking_number, shipment_id, rma_id, status,
    exception, international, destination_lat, destination_lon, shipped_at, last_event_at,
    estimated_delivery, promised_delivery, delivered_at, next_poll_at, last_polled_at, polls, failures,
    lease_owner, lease_until, created_at, updated_at)
SELECT s.id, 'outbound', s.carrier, s.tracking_number, s.id, NULL, s.status, NULL, FALSE,
    o.ship_lat, o.ship_lon, s.shipped_at, NULL, NULL, NULL, s.delivered_at,
    CASE WHEN s.delivered_at IS NULL THEN s.created_at ELSE NULL END, NULL, 0, 0, NULL, NULL,
    s.created_at, s.created_at
FROM shipments s JOIN orders o ON o.id = s.order_id
WHERE NOT EXISTS (SELECT 1 FROM parcels p WHERE p.carrier = s.carrier AND p.tracking_number = s.tracking_number);
