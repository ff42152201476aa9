-- Backhaul schema, SQLite flavour. Keep in step with migrations/postgres (a test compares them).
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

CREATE TABLE orders (
    id TEXT PRIMARY KEY NOT NULL,
    order_number TEXT NOT NULL UNIQUE,
    currency TEXT NOT NULL,
    placed_at TIMESTAMP NOT NULL,
    customer_email TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    customer_locale TEXT NOT NULL,
    ship_name TEXT NOT NULL,
    ship_line1 TEXT NOT NULL,
    ship_line2 TEXT,
    ship_city TEXT NOT NULL,
    ship_region TEXT,
    ship_postal_code TEXT NOT NULL,
    ship_country TEXT NOT NULL,
    ship_lat DOUBLE,
    ship_lon DOUBLE,
    total_minor BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX orders_customer_email ON orders (customer_email);

CREATE TABLE order_lines (
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    tax_minor BIGINT NOT NULL,
    delivered_at TIMESTAMP,
    PRIMARY KEY (order_id, line_id)
);

CREATE TABLE shipments (
    id TEXT PRIMARY KEY NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    carrier TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    service TEXT,
    shipped_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (carrier, tracking_number)
);
CREATE INDEX shipments_order ON shipments (order_id);

CREATE TABLE rmas (
    id TEXT PRIMARY KEY NOT NULL,
    number TEXT NOT NULL UNIQUE,
    order_id TEXT NOT NULL REFERENCES orders (id),
    status TEXT NOT NULL,
    resolution TEXT NOT NULL,
    label_payer TEXT NOT NULL,
    currency TEXT NOT NULL,
    estimated_refund_minor BIGINT NOT NULL,
    customer_email TEXT NOT NULL,
    comment TEXT,
    decision TEXT NOT NULL,
    return_to TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX rmas_order ON rmas (order_id, status);
CREATE INDEX rmas_status_created ON rmas (status, created_at);
CREATE INDEX rmas_customer_created ON rmas (customer_email, created_at, status);

CREATE TABLE rma_lines (
    rma_id TEXT NOT NULL REFERENCES rmas (id) ON DELETE CASCADE,
    line_id TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    reason TEXT NOT NULL,
    refund_minor BIGINT NOT NULL,
    PRIMARY KEY (rma_id, line_id)
);

CREATE TABLE rma_events (
    id TEXT PRIMARY KEY NOT NULL,
    rma_id TEXT NOT NULL REFERENCES rmas (id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    event TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT
);
CREATE INDEX rma_events_rma ON rma_events (rma_id, at);

CREATE TABLE idempotency_keys (
    principal TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (principal, idempotency_key)
);
