-- Marketplaces: VAT rates by country, exchange rates, marketplace accounts, pulled orders, and
-- the currency of each document.
-- +goose Up
CREATE TABLE vat_rates (
  tenant_id INTEGER NOT NULL, country TEXT NOT NULL, rate_bp INTEGER NOT NULL, PRIMARY KEY (tenant_id, country)
);
CREATE TABLE fx_rates (
  tenant_id INTEGER NOT NULL, currency TEXT NOT NULL, rate_date TEXT NOT NULL, rate TEXT NOT NULL, PRIMARY KEY (tenant_id, currency, rate_date)
);
CREATE TABLE market_accounts (
  id INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, config TEXT NOT NULL,
  cursor TEXT NOT NULL DEFAULT '', every_s INTEGER NOT NULL, last_pull_ms INTEGER NOT NULL DEFAULT 0, next_pull_ms INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', created_ms INTEGER NOT NULL,
  UNIQUE (tenant_id, name)
);
CREATE TABLE market_orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id INTEGER NOT NULL, account_id INTEGER NOT NULL, order_id TEXT NOT NULL,
  status TEXT NOT NULL, state TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', fix TEXT NOT NULL DEFAULT '',
  payload TEXT NOT NULL, content_hash TEXT NOT NULL, updated_ms INTEGER NOT NULL,
  UNIQUE (account_id, order_id)
);
CREATE INDEX ix_market_orders_state ON market_orders (tenant_id, state, id);
ALTER TABLE documents ADD COLUMN currency TEXT NOT NULL DEFAULT 'EUR';
ALTER TABLE documents ADD COLUMN fx_rate TEXT NOT NULL DEFAULT '1';
ALTER TABLE documents ADD COLUMN total_currency_cents INTEGER NOT NULL DEFAULT 0;
-- +goose Down
ALTER TABLE documents DROP COLUMN total_currency_cents;
ALTER TABLE documents DROP COLUMN fx_rate;
ALTER TABLE documents DROP COLUMN currency;
DROP INDEX ix_market_orders_state;
DROP TABLE market_orders;
DROP TABLE market_accounts;
DROP TABLE fx_rates;
DROP TABLE vat_rates;
