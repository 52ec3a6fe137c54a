-- Marketplace sales: the account VAT due under OSS is booked to, and the seller's home country
-- (where a sale is domestic). Until now the literals 4493 and LT.
-- +goose Up
ALTER TABLE pos_settings ADD COLUMN oss_vat_account TEXT NOT NULL DEFAULT '4493';
ALTER TABLE pos_settings ADD COLUMN home_country TEXT NOT NULL DEFAULT 'LT';
-- +goose Down
ALTER TABLE pos_settings DROP COLUMN home_country;
ALTER TABLE pos_settings DROP COLUMN oss_vat_account;
