DROP TABLE rma_photos;
