-- The books: chart of accounts, operation types with document series, documents, journal
-- entries made of moves (balanced by construction), customers, warehouses and stock at
-- weighted-average cost, unresolved write-off lines, POS settings and posting state.
-- +goose Up
CREATE TABLE accounts (
  tenant_id INTEGER NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, code)
);
CREATE TABLE operation_types (
  tenant_id INTEGER NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL, series TEXT NOT NULL,
  debit_account TEXT NOT NULL, credit_account TEXT NOT NULL,
  PRIMARY KEY (tenant_id, code)
);
CREATE TABLE vat_classifiers (
  tenant_id INTEGER NOT NULL, rate_bp INTEGER NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
  PRIMARY KEY (tenant_id, rate_bp)
);
CREATE TABLE pos_settings (
  tenant_id INTEGER PRIMARY KEY, mode TEXT NOT NULL, auto_writeoff INTEGER NOT NULL, returns_to_stock INTEGER NOT NULL, warehouse TEXT NOT NULL,
  vat_account TEXT NOT NULL, rounding_account TEXT NOT NULL, services_account TEXT NOT NULL
);
CREATE TABLE payment_accounts (
  tenant_id INTEGER NOT NULL, payment_code TEXT NOT NULL, account TEXT NOT NULL,
  PRIMARY KEY (tenant_id, payment_code)
);
CREATE TABLE customers (
  id INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id INTEGER NOT NULL, code TEXT NOT NULL, vat_code TEXT NOT NULL, name TEXT NOT NULL, address TEXT NOT NULL, created_ms INTEGER NOT NULL,
  UNIQUE (tenant_id, code)
);
CREATE TABLE documents (
  id INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id INTEGER NOT NULL, store_id INTEGER NOT NULL,
  op_type TEXT NOT NULL, series TEXT NOT NULL, number INTEGER NOT NULL, doc_date TEXT NOT NULL,
  customer_id INTEGER NOT NULL DEFAULT 0, source_kind TEXT NOT NULL, source_id TEXT NOT NULL, related_id INTEGER NOT NULL DEFAULT 0,
  net_cents INTEGER NOT NULL, vat_cents INTEGER NOT NULL, total_cents INTEGER NOT NULL,
  status TEXT NOT NULL, idem_key TEXT NOT NULL, input_hash TEXT NOT NULL, created_ms INTEGER NOT NULL,
  UNIQUE (tenant_id, series, number), UNIQUE (tenant_id, idem_key)
);
CREATE INDEX ix_documents_date ON documents (tenant_id, doc_date);
CREATE TABLE document_lines (
  document_id INTEGER NOT NULL, line_no INTEGER NOT NULL, barcode TEXT NOT NULL, name TEXT NOT NULL,
  qty_milli INTEGER NOT NULL, unit_price_cents INTEGER NOT NULL, discount_cents INTEGER NOT NULL,
  net_cents INTEGER NOT NULL, vat_cents INTEGER NOT NULL, gross_cents INTEGER NOT NULL, vat_rate_bp INTEGER NOT NULL, vat_class TEXT NOT NULL,
  PRIMARY KEY (document_id, line_no)
);
CREATE TABLE journal_entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id INTEGER NOT NULL, document_id INTEGER NOT NULL, entry_date TEXT NOT NULL,
  memo TEXT NOT NULL, reverses_entry INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL
);
CREATE INDEX ix_entries_doc ON journal_entries (document_id);
CREATE INDEX ix_entries_date ON journal_entries (tenant_id, entry_date);
CREATE TABLE postings (
  entry_id INTEGER NOT NULL, line_no INTEGER NOT NULL, tenant_id INTEGER NOT NULL,
  debit TEXT NOT NULL, credit TEXT NOT NULL, amount_cents INTEGER NOT NULL,
  PRIMARY KEY (entry_id, line_no)
);
CREATE INDEX ix_postings_tenant ON postings (tenant_id);
CREATE TABLE warehouses (
  tenant_id INTEGER NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (tenant_id, code)
);
CREATE TABLE stock_balances (
  tenant_id INTEGER NOT NULL, warehouse TEXT NOT NULL, barcode TEXT NOT NULL, qty_milli INTEGER NOT NULL, value_cents INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, warehouse, barcode)
);
CREATE TABLE stock_moves (
  id INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id INTEGER NOT NULL, warehouse TEXT NOT NULL, barcode TEXT NOT NULL,
  document_id INTEGER NOT NULL, qty_milli INTEGER NOT NULL, value_cents INTEGER NOT NULL, created_ms INTEGER NOT NULL
);
CREATE INDEX ix_stock_moves_doc ON stock_moves (document_id);
CREATE TABLE unresolved_lines (
  id INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id INTEGER NOT NULL, document_id INTEGER NOT NULL, line_no INTEGER NOT NULL,
  barcode TEXT NOT NULL, name TEXT NOT NULL, qty_milli INTEGER NOT NULL, reason TEXT NOT NULL,
  resolved_document_id INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL,
  UNIQUE (document_id, line_no)
);
CREATE TABLE posting_failures (
  tenant_id INTEGER NOT NULL, source_kind TEXT NOT NULL, source_row INTEGER NOT NULL, message TEXT NOT NULL, at_ms INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, source_kind, source_row)
);
ALTER TABLE receipts ADD COLUMN post_state INTEGER NOT NULL DEFAULT 0;
ALTER TABLE day_closes ADD COLUMN post_state INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ix_receipts_post ON receipts (post_state, id);
CREATE INDEX ix_day_closes_post ON day_closes (post_state, id);
-- +goose Down
DROP INDEX ix_day_closes_post;
DROP INDEX ix_receipts_post;
ALTER TABLE day_closes DROP COLUMN post_state;
ALTER TABLE receipts DROP COLUMN post_state;
DROP TABLE posting_failures;
DROP TABLE unresolved_lines;
DROP TABLE stock_moves;
DROP TABLE stock_balances;
DROP TABLE warehouses;
DROP TABLE postings;
DROP TABLE journal_entries;
DROP TABLE document_lines;
DROP TABLE documents;
DROP TABLE customers;
DROP TABLE payment_accounts;
DROP TABLE pos_settings;
DROP TABLE vat_classifiers;
DROP TABLE operation_types;
DROP TABLE accounts;
