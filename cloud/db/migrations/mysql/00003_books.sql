-- The books: chart of accounts, operation types with document series, documents, journal
-- entries made of moves (balanced by construction), customers, warehouses and stock at
-- weighted-average cost, unresolved write-off lines, POS settings and posting state.
-- One re-runnable statement each (MySQL commits DDL implicitly).
-- +goose Up
CREATE TABLE IF NOT EXISTS accounts (
  tenant_id BIGINT NOT NULL, code VARCHAR(40) NOT NULL, name VARCHAR(200) NOT NULL, kind VARCHAR(20) NOT NULL, active BIGINT NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS operation_types (
  tenant_id BIGINT NOT NULL, code VARCHAR(40) NOT NULL, name VARCHAR(200) NOT NULL, series VARCHAR(20) NOT NULL,
  debit_account VARCHAR(20) NOT NULL, credit_account VARCHAR(20) NOT NULL,
  PRIMARY KEY (tenant_id, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS vat_classifiers (
  tenant_id BIGINT NOT NULL, rate_bp BIGINT NOT NULL, code VARCHAR(40) NOT NULL, name VARCHAR(200) NOT NULL,
  PRIMARY KEY (tenant_id, rate_bp)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS pos_settings (
  tenant_id BIGINT NOT NULL PRIMARY KEY, mode VARCHAR(20) NOT NULL, auto_writeoff BIGINT NOT NULL, returns_to_stock BIGINT NOT NULL, warehouse VARCHAR(40) NOT NULL,
  vat_account VARCHAR(20) NOT NULL, rounding_account VARCHAR(20) NOT NULL, services_account VARCHAR(20) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS payment_accounts (
  tenant_id BIGINT NOT NULL, payment_code VARCHAR(20) NOT NULL, account VARCHAR(20) NOT NULL,
  PRIMARY KEY (tenant_id, payment_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS customers (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, tenant_id BIGINT NOT NULL, code VARCHAR(40) NOT NULL, vat_code VARCHAR(40) NOT NULL, name VARCHAR(200) NOT NULL, address VARCHAR(300) NOT NULL, created_ms BIGINT NOT NULL,
  UNIQUE (tenant_id, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS documents (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, tenant_id BIGINT NOT NULL, store_id BIGINT NOT NULL,
  op_type VARCHAR(20) NOT NULL, series VARCHAR(20) NOT NULL, number BIGINT NOT NULL, doc_date CHAR(10) NOT NULL,
  customer_id BIGINT NOT NULL DEFAULT 0, source_kind VARCHAR(20) NOT NULL, source_id VARCHAR(80) NOT NULL, related_id BIGINT NOT NULL DEFAULT 0,
  net_cents BIGINT NOT NULL, vat_cents BIGINT NOT NULL, total_cents BIGINT NOT NULL,
  status VARCHAR(20) NOT NULL, idem_key VARCHAR(160) NOT NULL, input_hash CHAR(64) NOT NULL, created_ms BIGINT NOT NULL,
  UNIQUE (tenant_id, series, number), UNIQUE (tenant_id, idem_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX IF NOT EXISTS ix_documents_date ON documents (tenant_id, doc_date);
CREATE TABLE IF NOT EXISTS document_lines (
  document_id BIGINT NOT NULL, line_no BIGINT NOT NULL, barcode VARCHAR(40) NOT NULL, name VARCHAR(200) NOT NULL,
  qty_milli BIGINT NOT NULL, unit_price_cents BIGINT NOT NULL, discount_cents BIGINT NOT NULL,
  net_cents BIGINT NOT NULL, vat_cents BIGINT NOT NULL, gross_cents BIGINT NOT NULL, vat_rate_bp BIGINT NOT NULL, vat_class VARCHAR(20) NOT NULL,
  PRIMARY KEY (document_id, line_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS journal_entries (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, tenant_id BIGINT NOT NULL, document_id BIGINT NOT NULL, entry_date CHAR(10) NOT NULL,
  memo VARCHAR(300) NOT NULL, reverses_entry BIGINT NOT NULL DEFAULT 0, created_ms BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX IF NOT EXISTS ix_entries_doc ON journal_entries (document_id);
CREATE INDEX IF NOT EXISTS ix_entries_date ON journal_entries (tenant_id, entry_date);
CREATE TABLE IF NOT EXISTS postings (
  entry_id BIGINT NOT NULL, line_no BIGINT NOT NULL, tenant_id BIGINT NOT NULL,
  debit VARCHAR(20) NOT NULL, credit VARCHAR(20) NOT NULL, amount_cents BIGINT NOT NULL,
  PRIMARY KEY (entry_id, line_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX IF NOT EXISTS ix_postings_tenant ON postings (tenant_id);
CREATE TABLE IF NOT EXISTS warehouses (
  tenant_id BIGINT NOT NULL, code VARCHAR(40) NOT NULL, name VARCHAR(200) NOT NULL, PRIMARY KEY (tenant_id, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS stock_balances (
  tenant_id BIGINT NOT NULL, warehouse VARCHAR(40) NOT NULL, barcode VARCHAR(40) NOT NULL, qty_milli BIGINT NOT NULL, value_cents BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, warehouse, barcode)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS stock_moves (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, tenant_id BIGINT NOT NULL, warehouse VARCHAR(40) NOT NULL, barcode VARCHAR(40) NOT NULL,
  document_id BIGINT NOT NULL, qty_milli BIGINT NOT NULL, value_cents BIGINT NOT NULL, created_ms BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX IF NOT EXISTS ix_stock_moves_doc ON stock_moves (document_id);
CREATE TABLE IF NOT EXISTS unresolved_lines (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, tenant_id BIGINT NOT NULL, document_id BIGINT NOT NULL, line_no BIGINT NOT NULL,
  barcode VARCHAR(40) NOT NULL, name VARCHAR(200) NOT NULL, qty_milli BIGINT NOT NULL, reason VARCHAR(300) NOT NULL,
  resolved_document_id BIGINT NOT NULL DEFAULT 0, created_ms BIGINT NOT NULL,
  UNIQUE (document_id, line_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS posting_failures (
  tenant_id BIGINT NOT NULL, source_kind VARCHAR(20) NOT NULL, source_row BIGINT NOT NULL, message TEXT NOT NULL, at_ms BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, source_kind, source_row)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
ALTER TABLE receipts ADD COLUMN IF NOT EXISTS post_state BIGINT NOT NULL DEFAULT 0;
ALTER TABLE day_closes ADD COLUMN IF NOT EXISTS post_state BIGINT NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS ix_receipts_post ON receipts (post_state, id);
CREATE INDEX IF NOT EXISTS ix_day_closes_post ON day_closes (post_state, id);
-- +goose Down
DROP INDEX IF EXISTS ix_day_closes_post ON day_closes;
DROP INDEX IF EXISTS ix_receipts_post ON receipts;
ALTER TABLE day_closes DROP COLUMN IF EXISTS post_state;
ALTER TABLE receipts DROP COLUMN IF EXISTS post_state;
DROP TABLE IF EXISTS posting_failures;
DROP TABLE IF EXISTS unresolved_lines;
DROP TABLE IF EXISTS stock_moves;
DROP TABLE IF EXISTS stock_balances;
DROP TABLE IF EXISTS warehouses;
DROP TABLE IF EXISTS postings;
DROP TABLE IF EXISTS journal_entries;
DROP TABLE IF EXISTS document_lines;
DROP TABLE IF EXISTS documents;
DROP TABLE IF EXISTS customers;
DROP TABLE IF EXISTS payment_accounts;
DROP TABLE IF EXISTS pos_settings;
DROP TABLE IF EXISTS vat_classifiers;
DROP TABLE IF EXISTS operation_types;
DROP TABLE IF EXISTS accounts;
