-- What the carrier billed, in its own currency; cost_minor/currency hold the cost in
-- the order's currency (equal to the carrier's when they share a currency).
ALTER TABLE return_labels ADD COLUMN carrier_cost_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE return_labels ADD COLUMN carrier_currency TEXT NOT NULL DEFAULT '';
UPDATE return_labels SET carrier_cost_minor = cost_minor, carrier_currency = currency;
