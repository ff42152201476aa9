ALTER TABLE rma_lines DROP COLUMN exchange_sku;
