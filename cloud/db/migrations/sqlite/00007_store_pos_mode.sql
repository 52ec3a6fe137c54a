-- POS posting mode per store (NULL follows the tenant's POS settings), and receipts found by
-- cash session: a Z report reads and locks its session's receipts.
-- +goose Up
ALTER TABLE stores ADD COLUMN pos_mode TEXT NULL;
CREATE INDEX ix_receipts_session ON receipts (tenant_id, store_id, session_id);
-- +goose Down
DROP INDEX ix_receipts_session;
ALTER TABLE stores DROP COLUMN pos_mode;
