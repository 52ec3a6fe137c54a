-- Product catalogue per tenant. Every change takes the tenant's next version; each store's
-- agent acks how far it has written cards into the POS.
-- +goose Up
CREATE TABLE counters (
  tenant_id   INTEGER NOT NULL,
  name        TEXT    NOT NULL,
  value       INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, name)
);
CREATE TABLE products (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id         INTEGER NOT NULL,
  barcode           TEXT    NOT NULL,
  name              TEXT    NOT NULL,
  group_name        TEXT    NOT NULL,
  unit              TEXT    NOT NULL,
  price_net_cents   INTEGER NOT NULL,
  price_gross_cents INTEGER NOT NULL,
  vat_rate_bp       INTEGER NOT NULL,
  is_service        INTEGER NOT NULL,
  active            INTEGER NOT NULL,
  version           INTEGER NOT NULL,
  updated_ms        INTEGER NOT NULL,
  UNIQUE (tenant_id, barcode)
);
CREATE INDEX ix_products_version ON products (tenant_id, version);
CREATE TABLE store_cards (
  store_id      INTEGER PRIMARY KEY,
  acked_version INTEGER NOT NULL,
  updated_ms    INTEGER NOT NULL
);
CREATE TABLE card_failures (
  store_id    INTEGER NOT NULL,
  barcode     TEXT    NOT NULL,
  version     INTEGER NOT NULL,
  message     TEXT    NOT NULL,
  at_ms       INTEGER NOT NULL,
  PRIMARY KEY (store_id, barcode)
);
-- +goose Down
DROP TABLE card_failures;
DROP TABLE store_cards;
DROP TABLE products;
DROP TABLE counters;
