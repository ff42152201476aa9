ALTER TABLE return_labels DROP COLUMN carrier_currency;
ALTER TABLE return_labels DROP COLUMN carrier_cost_minor;
