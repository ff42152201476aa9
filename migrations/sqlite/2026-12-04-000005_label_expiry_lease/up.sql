-- The label-expiry sweep leases the labels it voids, so that two instances never ask
-- the carrier to void one label twice.
ALTER TABLE return_labels ADD COLUMN lease_owner TEXT;
ALTER TABLE return_labels ADD COLUMN lease_until TIMESTAMP;
