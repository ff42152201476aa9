-- The variant an exchange sends instead of the returned one; its availability is
-- held while the return is open.
ALTER TABLE rma_lines ADD COLUMN exchange_sku TEXT;
