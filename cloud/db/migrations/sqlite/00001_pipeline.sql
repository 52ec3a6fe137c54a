-- Receipt pipeline: tenants, stores, agent tokens, streams, receipts, day closes, rejections.
-- Money is integer cents, times are unix milliseconds (UTC): exact and identical on both stores.
-- +goose Up
CREATE TABLE tenants (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT    NOT NULL UNIQUE,
  created_ms  INTEGER NOT NULL
);
CREATE TABLE stores (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
  code        TEXT    NOT NULL,
  name        TEXT    NOT NULL,
  created_ms  INTEGER NOT NULL,
  UNIQUE (tenant_id, code)
);
CREATE TABLE agent_tokens (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
  store_id    INTEGER NOT NULL REFERENCES stores(id),
  token_hash  TEXT    NOT NULL UNIQUE,
  created_ms  INTEGER NOT NULL,
  revoked_ms  INTEGER
);
CREATE TABLE api_tokens (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
  name        TEXT    NOT NULL,
  token_hash  TEXT    NOT NULL UNIQUE,
  created_ms  INTEGER NOT NULL,
  revoked_ms  INTEGER
);
CREATE TABLE agent_streams (
  store_id    INTEGER NOT NULL REFERENCES stores(id),
  stream      TEXT    NOT NULL,
  acked_seq   INTEGER NOT NULL,
  updated_ms  INTEGER NOT NULL,
  PRIMARY KEY (store_id, stream)
);
CREATE TABLE store_status (
  store_id      INTEGER PRIMARY KEY REFERENCES stores(id),
  agent_id      TEXT    NOT NULL DEFAULT '',
  agent_version TEXT    NOT NULL DEFAULT '',
  stream        TEXT    NOT NULL DEFAULT '',
  highest_seq   INTEGER NOT NULL DEFAULT 0,
  last_seen_ms  INTEGER NOT NULL DEFAULT 0,
  last_batch_ms INTEGER NOT NULL DEFAULT 0,
  backlog       INTEGER NOT NULL DEFAULT 0,
  quarantined   INTEGER NOT NULL DEFAULT 0,
  outbox_bytes  INTEGER NOT NULL DEFAULT 0,
  last_pos_read_ms INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT    NOT NULL DEFAULT ''
);
CREATE TABLE receipts (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
  store_id      INTEGER NOT NULL REFERENCES stores(id),
  source_id     TEXT    NOT NULL,
  register      TEXT    NOT NULL,
  session_id    TEXT    NOT NULL,
  number        TEXT    NOT NULL,
  type          TEXT    NOT NULL,
  closed_ms     INTEGER NOT NULL,
  total_cents   INTEGER NOT NULL,
  vat_cents     INTEGER NOT NULL,
  buyer_code    TEXT    NOT NULL DEFAULT '',
  payload       TEXT    NOT NULL,
  content_hash  TEXT    NOT NULL,
  received_ms   INTEGER NOT NULL,
  UNIQUE (tenant_id, store_id, source_id)
);
CREATE INDEX ix_receipts_closed ON receipts (tenant_id, store_id, closed_ms);
CREATE TABLE day_closes (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
  store_id      INTEGER NOT NULL REFERENCES stores(id),
  source_id     TEXT    NOT NULL,
  register      TEXT    NOT NULL,
  z_number      TEXT    NOT NULL,
  closed_ms     INTEGER NOT NULL,
  receipts_count INTEGER NOT NULL,
  total_cents   INTEGER NOT NULL,
  payload       TEXT    NOT NULL,
  content_hash  TEXT    NOT NULL,
  received_ms   INTEGER NOT NULL,
  UNIQUE (tenant_id, store_id, source_id)
);
CREATE INDEX ix_day_closes_closed ON day_closes (tenant_id, store_id, closed_ms);
CREATE TABLE rejected_items (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
  store_id      INTEGER NOT NULL REFERENCES stores(id),
  stream        TEXT    NOT NULL,
  seq           INTEGER NOT NULL,
  kind          TEXT    NOT NULL,
  source_id     TEXT    NOT NULL,
  code          TEXT    NOT NULL,
  message       TEXT    NOT NULL,
  payload       TEXT    NOT NULL,
  created_ms    INTEGER NOT NULL
);
CREATE INDEX ix_rejected_store ON rejected_items (tenant_id, store_id, created_ms);
-- +goose Down
DROP TABLE rejected_items;
DROP TABLE day_closes;
DROP TABLE receipts;
DROP TABLE store_status;
DROP TABLE agent_streams;
DROP TABLE api_tokens;
DROP TABLE agent_tokens;
DROP TABLE stores;
DROP TABLE tenants;
