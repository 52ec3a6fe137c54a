-- The agent's pos.start_date (YYYY-MM-DD), sent in its hello: receipts and day closes closed
-- before it stay in the POS. Empty: the whole history.
-- +goose Up
ALTER TABLE store_status ADD COLUMN IF NOT EXISTS start_date VARCHAR(10) NOT NULL DEFAULT '';
-- +goose Down
ALTER TABLE store_status DROP COLUMN IF EXISTS start_date;
