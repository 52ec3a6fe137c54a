-- Reduced VAT rates abroad by product category: a card's category, and each country's rate
-- for a category (imported by the accountant).
-- +goose Up
ALTER TABLE products ADD COLUMN vat_category TEXT NOT NULL DEFAULT '';
CREATE TABLE vat_reduced (
  tenant_id INTEGER NOT NULL, country TEXT NOT NULL, category TEXT NOT NULL, rate_bp INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, country, category)
);
-- +goose Down
DROP TABLE vat_reduced;
ALTER TABLE products DROP COLUMN vat_category;
