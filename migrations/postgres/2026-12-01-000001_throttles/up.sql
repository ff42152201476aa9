-- Failed guesses (staff sign-in, customer look-up) counted per key, shared by every
-- instance on one database. The key is a SHA-256 of what is counted (a username, an
-- address, an order number): no personal data is stored here.
CREATE TABLE throttles (
    key_hash TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    blocked_until TIMESTAMP
);
CREATE INDEX throttles_last_failure ON throttles (last_failure_at);
