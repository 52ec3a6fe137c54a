-- POS posting mode per store (NULL follows the tenant's POS settings), and receipts found by
-- cash session: a Z report reads and locks its session's receipts.
-- +goose Up
ALTER TABLE stores ADD COLUMN IF NOT EXISTS pos_mode VARCHAR(10) NULL;
CREATE INDEX IF NOT EXISTS ix_receipts_session ON receipts (tenant_id, store_id, session_id);
-- +goose Down
DROP INDEX IF EXISTS ix_receipts_session ON receipts;
ALTER TABLE stores DROP COLUMN IF EXISTS pos_mode;
