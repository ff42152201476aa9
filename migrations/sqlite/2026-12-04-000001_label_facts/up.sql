-- Printed on return labels and sent to carriers: the customer's phone, and each
-- line's unit weight (both optional; orders sent before stay as they were).
ALTER TABLE orders ADD COLUMN ship_phone TEXT;
ALTER TABLE order_lines ADD COLUMN weight_grams INTEGER;
