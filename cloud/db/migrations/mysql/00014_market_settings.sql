-- Marketplace sales: the account VAT due under OSS is booked to, and the seller's home country
-- (where a sale is domestic). Until now the literals 4493 and LT.
-- +goose Up
ALTER TABLE pos_settings ADD COLUMN IF NOT EXISTS oss_vat_account VARCHAR(20) NOT NULL DEFAULT '4493';
ALTER TABLE pos_settings ADD COLUMN IF NOT EXISTS home_country CHAR(2) NOT NULL DEFAULT 'LT';
-- +goose Down
ALTER TABLE pos_settings DROP COLUMN IF EXISTS home_country;
ALTER TABLE pos_settings DROP COLUMN IF EXISTS oss_vat_account;
