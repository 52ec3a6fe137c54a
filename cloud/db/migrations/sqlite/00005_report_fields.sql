-- What reports need: the company itself (i.SAF names it), each document's VAT treatment and country of consumption, and each line's
-- amounts in the document's own currency (OSS converts at the quarter's last ECB rate).
-- +goose Up
CREATE TABLE companies (
  tenant_id INTEGER PRIMARY KEY, name TEXT NOT NULL, code TEXT NOT NULL, vat_code TEXT NOT NULL, address TEXT NOT NULL
);
ALTER TABLE documents ADD COLUMN treatment TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE document_lines ADD COLUMN net_currency_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE document_lines ADD COLUMN vat_currency_cents INTEGER NOT NULL DEFAULT 0;
-- +goose Down
DROP TABLE companies;
ALTER TABLE document_lines DROP COLUMN vat_currency_cents;
ALTER TABLE document_lines DROP COLUMN net_currency_cents;
ALTER TABLE documents DROP COLUMN country;
ALTER TABLE documents DROP COLUMN treatment;
