-- A store's start date as the accountant sets it in the cloud (YYYY-MM-DD, the shops' zone):
-- nothing closed before it is booked. history: the agent still ships the older receipts and day
-- closes, kept as history that is never booked; otherwise they stay in the POS. Empty: the
-- agent's own pos.start_date applies, or the whole history.
-- +goose Up
ALTER TABLE stores ADD COLUMN start_date TEXT NOT NULL DEFAULT '';
ALTER TABLE stores ADD COLUMN start_history INTEGER NOT NULL DEFAULT 0;
-- +goose Down
ALTER TABLE stores DROP COLUMN start_history;
ALTER TABLE stores DROP COLUMN start_date;
