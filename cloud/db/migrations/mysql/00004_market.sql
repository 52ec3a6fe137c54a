-- Marketplaces: VAT rates by country, exchange rates, marketplace accounts, pulled orders, and
-- the currency of each document.
-- One re-runnable statement each (MySQL commits DDL implicitly).
-- +goose Up
CREATE TABLE IF NOT EXISTS vat_rates (
  tenant_id BIGINT NOT NULL, country CHAR(2) NOT NULL, rate_bp BIGINT NOT NULL, PRIMARY KEY (tenant_id, country)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS fx_rates (
  tenant_id BIGINT NOT NULL, currency CHAR(3) NOT NULL, rate_date CHAR(10) NOT NULL, rate VARCHAR(30) NOT NULL, PRIMARY KEY (tenant_id, currency, rate_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS market_accounts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, tenant_id BIGINT NOT NULL, kind VARCHAR(20) NOT NULL, name VARCHAR(120) NOT NULL, config TEXT NOT NULL,
  `cursor` VARCHAR(200) NOT NULL DEFAULT '', every_s BIGINT NOT NULL, last_pull_ms BIGINT NOT NULL DEFAULT 0, next_pull_ms BIGINT NOT NULL DEFAULT 0,
  failures BIGINT NOT NULL DEFAULT 0, last_error TEXT NOT NULL, created_ms BIGINT NOT NULL,
  UNIQUE (tenant_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS market_orders (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, tenant_id BIGINT NOT NULL, account_id BIGINT NOT NULL, order_id VARCHAR(80) NOT NULL,
  status VARCHAR(40) NOT NULL, state VARCHAR(20) NOT NULL, reason TEXT NOT NULL, fix TEXT NOT NULL,
  payload MEDIUMTEXT NOT NULL, content_hash CHAR(64) NOT NULL, updated_ms BIGINT NOT NULL,
  UNIQUE (account_id, order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX IF NOT EXISTS ix_market_orders_state ON market_orders (tenant_id, state, id);
ALTER TABLE documents ADD COLUMN IF NOT EXISTS currency CHAR(3) NOT NULL DEFAULT 'EUR';
ALTER TABLE documents ADD COLUMN IF NOT EXISTS fx_rate VARCHAR(30) NOT NULL DEFAULT '1';
ALTER TABLE documents ADD COLUMN IF NOT EXISTS total_currency_cents BIGINT NOT NULL DEFAULT 0;
-- +goose Down
ALTER TABLE documents DROP COLUMN IF EXISTS total_currency_cents;
ALTER TABLE documents DROP COLUMN IF EXISTS fx_rate;
ALTER TABLE documents DROP COLUMN IF EXISTS currency;
DROP INDEX IF EXISTS ix_market_orders_state ON market_orders;
DROP TABLE IF EXISTS market_orders;
DROP TABLE IF EXISTS market_accounts;
DROP TABLE IF EXISTS fx_rates;
DROP TABLE IF EXISTS vat_rates;
