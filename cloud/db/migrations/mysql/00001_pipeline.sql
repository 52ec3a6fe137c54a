-- Receipt pipeline: tenants, stores, agent tokens, streams, receipts, day closes, rejections.
-- One re-runnable statement each (MySQL commits DDL implicitly).
-- Money is integer cents, times are unix milliseconds (UTC): exact and identical on both stores.
-- +goose Up
CREATE TABLE IF NOT EXISTS tenants (
  id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name          VARCHAR(120)    NOT NULL UNIQUE,
  created_ms  BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS stores (
  id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id   BIGINT NOT NULL,
  code          VARCHAR(40)    NOT NULL,
  name          VARCHAR(120)    NOT NULL,
  created_ms  BIGINT NOT NULL,
  UNIQUE (tenant_id, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS agent_tokens (
  id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id   BIGINT NOT NULL,
  store_id    BIGINT NOT NULL,
  token_hash    CHAR(64)    NOT NULL UNIQUE,
  created_ms  BIGINT NOT NULL,
  revoked_ms  BIGINT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS api_tokens (
  id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id   BIGINT NOT NULL,
  name          VARCHAR(120)    NOT NULL,
  token_hash    CHAR(64)    NOT NULL UNIQUE,
  created_ms  BIGINT NOT NULL,
  revoked_ms  BIGINT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS agent_streams (
  store_id    BIGINT NOT NULL,
  stream        VARCHAR(64)    NOT NULL,
  acked_seq   BIGINT NOT NULL,
  updated_ms  BIGINT NOT NULL,
  PRIMARY KEY (store_id, stream)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS store_status (
  store_id      BIGINT NOT NULL PRIMARY KEY,
  agent_id      VARCHAR(64)    NOT NULL DEFAULT '',
  agent_version  VARCHAR(40)    NOT NULL DEFAULT '',
  stream        VARCHAR(64)    NOT NULL DEFAULT '',
  highest_seq   BIGINT NOT NULL DEFAULT 0,
  last_seen_ms  BIGINT NOT NULL DEFAULT 0,
  last_batch_ms BIGINT NOT NULL DEFAULT 0,
  backlog       BIGINT NOT NULL DEFAULT 0,
  quarantined   BIGINT NOT NULL DEFAULT 0,
  outbox_bytes  BIGINT NOT NULL DEFAULT 0,
  last_pos_read_ms BIGINT NOT NULL DEFAULT 0,
  last_error    TEXT    NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS receipts (
  id            BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id     BIGINT NOT NULL,
  store_id      BIGINT NOT NULL,
  source_id     VARCHAR(64)    NOT NULL,
  register      VARCHAR(40)    NOT NULL,
  session_id    VARCHAR(64)    NOT NULL,
  number        VARCHAR(40)    NOT NULL,
  type          VARCHAR(10)    NOT NULL,
  closed_ms     BIGINT NOT NULL,
  total_cents   BIGINT NOT NULL,
  vat_cents     BIGINT NOT NULL,
  buyer_code    VARCHAR(40)    NOT NULL DEFAULT '',
  payload       MEDIUMTEXT    NOT NULL,
  content_hash  CHAR(64)    NOT NULL,
  received_ms   BIGINT NOT NULL,
  UNIQUE (tenant_id, store_id, source_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX IF NOT EXISTS ix_receipts_closed ON receipts (tenant_id, store_id, closed_ms);
CREATE TABLE IF NOT EXISTS day_closes (
  id            BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id     BIGINT NOT NULL,
  store_id      BIGINT NOT NULL,
  source_id     VARCHAR(64)    NOT NULL,
  register      VARCHAR(40)    NOT NULL,
  z_number      VARCHAR(20)    NOT NULL,
  closed_ms     BIGINT NOT NULL,
  receipts_count BIGINT NOT NULL,
  total_cents   BIGINT NOT NULL,
  payload       MEDIUMTEXT    NOT NULL,
  content_hash  CHAR(64)    NOT NULL,
  received_ms   BIGINT NOT NULL,
  UNIQUE (tenant_id, store_id, source_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX IF NOT EXISTS ix_day_closes_closed ON day_closes (tenant_id, store_id, closed_ms);
CREATE TABLE IF NOT EXISTS rejected_items (
  id            BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id     BIGINT NOT NULL,
  store_id      BIGINT NOT NULL,
  stream        VARCHAR(64)    NOT NULL,
  seq           BIGINT NOT NULL,
  kind          VARCHAR(20)    NOT NULL,
  source_id     VARCHAR(64)    NOT NULL,
  code          VARCHAR(40)    NOT NULL,
  message       TEXT    NOT NULL,
  payload       MEDIUMTEXT    NOT NULL,
  created_ms    BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX IF NOT EXISTS ix_rejected_store ON rejected_items (tenant_id, store_id, created_ms);
-- +goose Down
DROP TABLE IF EXISTS rejected_items;
DROP TABLE IF EXISTS day_closes;
DROP TABLE IF EXISTS receipts;
DROP TABLE IF EXISTS store_status;
DROP TABLE IF EXISTS agent_streams;
DROP TABLE IF EXISTS api_tokens;
DROP TABLE IF EXISTS agent_tokens;
DROP TABLE IF EXISTS stores;
DROP TABLE IF EXISTS tenants;
