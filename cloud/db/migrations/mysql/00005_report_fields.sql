-- What reports need: the company itself (i.SAF names it), each document's VAT treatment and country of consumption, and each line's
-- amounts in the document's own currency (OSS converts at the quarter's last ECB rate).
-- One re-runnable statement each (MySQL commits DDL implicitly).
-- +goose Up
CREATE TABLE IF NOT EXISTS companies (
  tenant_id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(256) NOT NULL, code VARCHAR(11) NOT NULL, vat_code VARCHAR(35) NOT NULL, address VARCHAR(300) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS treatment VARCHAR(20) NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN IF NOT EXISTS country CHAR(2) NOT NULL DEFAULT '';
ALTER TABLE document_lines ADD COLUMN IF NOT EXISTS net_currency_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE document_lines ADD COLUMN IF NOT EXISTS vat_currency_cents BIGINT NOT NULL DEFAULT 0;
-- +goose Down
DROP TABLE IF EXISTS companies;
ALTER TABLE document_lines DROP COLUMN IF EXISTS vat_currency_cents;
ALTER TABLE document_lines DROP COLUMN IF EXISTS net_currency_cents;
ALTER TABLE documents DROP COLUMN IF EXISTS country;
ALTER TABLE documents DROP COLUMN IF EXISTS treatment;
