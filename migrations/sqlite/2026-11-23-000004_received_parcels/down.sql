DROP TABLE received_parcels;
