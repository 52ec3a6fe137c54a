-- Books closed up to a day: nothing is dated on or before it any more (a filed VAT return).
-- +goose Up
ALTER TABLE pos_settings ADD COLUMN IF NOT EXISTS books_closed_until VARCHAR(10) NOT NULL DEFAULT '';
-- +goose Down
ALTER TABLE pos_settings DROP COLUMN IF EXISTS books_closed_until;
