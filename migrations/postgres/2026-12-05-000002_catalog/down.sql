ALTER TABLE order_lines DROP COLUMN options;
ALTER TABLE order_lines DROP COLUMN variant_of;
DROP TABLE catalog_variants;
DROP TABLE product_groups;
