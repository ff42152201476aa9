-- The shop's catalogue of what can be offered instead of a refund: product groups and
-- their variants (a SKU belongs to one group), and order lines naming their group.
CREATE TABLE product_groups (
    id TEXT PRIMARY KEY NOT NULL,
    currency TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE catalog_variants (
    sku TEXT PRIMARY KEY NOT NULL,
    product_group TEXT NOT NULL REFERENCES product_groups (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    -- JSON object of option name to value.
    options TEXT NOT NULL,
    price_minor BIGINT NOT NULL,
    available BIGINT NOT NULL
);
CREATE INDEX catalog_variants_by_group ON catalog_variants (product_group, position);
ALTER TABLE order_lines ADD COLUMN variant_of TEXT;
ALTER TABLE order_lines ADD COLUMN options TEXT;
