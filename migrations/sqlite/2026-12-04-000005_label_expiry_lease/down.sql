ALTER TABLE return_labels DROP COLUMN lease_until;
ALTER TABLE return_labels DROP COLUMN lease_owner;
