-- Customers type order numbers in any case, with or without hyphens (see db::orders::LOOKUP_KEY).
CREATE INDEX orders_lookup_key ON orders (lower(replace(order_number, '-', '')));
