DROP TABLE incident_events;
DROP TABLE incidents;
DROP TABLE tracking_events;
DROP TABLE parcels;
ALTER TABLE shipments DROP COLUMN line_ids;
