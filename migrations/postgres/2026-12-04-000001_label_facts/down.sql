ALTER TABLE order_lines DROP COLUMN weight_grams;
ALTER TABLE orders DROP COLUMN ship_phone;
