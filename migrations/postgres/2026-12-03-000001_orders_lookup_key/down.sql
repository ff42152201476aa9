DROP INDEX orders_lookup_key;
