-- Reduced VAT rates abroad by product category: a card's category, and each country's rate
-- for a category (imported by the accountant).
-- +goose Up
ALTER TABLE products ADD COLUMN IF NOT EXISTS vat_category VARCHAR(40) NOT NULL DEFAULT '';
CREATE TABLE IF NOT EXISTS vat_reduced (
  tenant_id BIGINT NOT NULL, country CHAR(2) NOT NULL, category VARCHAR(40) NOT NULL, rate_bp BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, country, category)
);
-- +goose Down
DROP TABLE IF EXISTS vat_reduced;
ALTER TABLE products DROP COLUMN IF EXISTS vat_category;
