DROP INDEX rmas_status_id;
DROP INDEX refund_triggers_created;
DROP INDEX received_parcels_received;
DROP INDEX incidents_opened;
