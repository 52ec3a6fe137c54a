-- Product catalogue per tenant. Every change takes the tenant's next version; each store's
-- agent acks how far it has written cards into the POS.
-- One re-runnable statement each (MySQL commits DDL implicitly).
-- +goose Up
CREATE TABLE IF NOT EXISTS counters (
  tenant_id   BIGINT      NOT NULL,
  name        VARCHAR(40) NOT NULL,
  value       BIGINT      NOT NULL,
  PRIMARY KEY (tenant_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS products (
  id                BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id         BIGINT       NOT NULL,
  barcode           VARCHAR(40)  NOT NULL,
  name              VARCHAR(80)  NOT NULL,
  group_name        VARCHAR(60)  NOT NULL,
  unit              VARCHAR(10)  NOT NULL,
  price_net_cents   BIGINT       NOT NULL,
  price_gross_cents BIGINT       NOT NULL,
  vat_rate_bp       BIGINT       NOT NULL,
  is_service        TINYINT      NOT NULL,
  active            TINYINT      NOT NULL,
  version           BIGINT       NOT NULL,
  updated_ms        BIGINT       NOT NULL,
  UNIQUE KEY ux_products_barcode (tenant_id, barcode)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX IF NOT EXISTS ix_products_version ON products (tenant_id, version);
CREATE TABLE IF NOT EXISTS store_cards (
  store_id      BIGINT NOT NULL PRIMARY KEY,
  acked_version BIGINT NOT NULL,
  updated_ms    BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS card_failures (
  store_id    BIGINT      NOT NULL,
  barcode     VARCHAR(40) NOT NULL,
  version     BIGINT      NOT NULL,
  message     TEXT        NOT NULL,
  at_ms       BIGINT      NOT NULL,
  PRIMARY KEY (store_id, barcode)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
-- +goose Down
DROP TABLE IF EXISTS card_failures;
DROP TABLE IF EXISTS store_cards;
DROP TABLE IF EXISTS products;
DROP TABLE IF EXISTS counters;
