-- Requests per key (a client address asking the public order look-up) for the
-- per-minute limit, shared by every instance on one PostgreSQL database (SQLite runs
-- one instance, which counts in memory). One row per key: when its next request is
-- due in the generic cell rate algorithm, in milliseconds since 1970. The key is a
-- SHA-256 of what is counted: no address is stored here.
CREATE TABLE request_rates (
    key_hash TEXT PRIMARY KEY NOT NULL,
    next_at_ms BIGINT NOT NULL
);
CREATE INDEX request_rates_next_at ON request_rates (next_at_ms);
