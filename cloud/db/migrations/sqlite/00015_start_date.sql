-- The agent's pos.start_date (YYYY-MM-DD), sent in its hello: receipts and day closes closed
-- before it stay in the POS. Empty: the whole history.
-- +goose Up
ALTER TABLE store_status ADD COLUMN start_date TEXT NOT NULL DEFAULT '';
-- +goose Down
ALTER TABLE store_status DROP COLUMN start_date;
