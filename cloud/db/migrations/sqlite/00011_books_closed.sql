-- Books closed up to a day: nothing is dated on or before it any more (a filed VAT return).
-- +goose Up
ALTER TABLE pos_settings ADD COLUMN books_closed_until TEXT NOT NULL DEFAULT '';
-- +goose Down
ALTER TABLE pos_settings DROP COLUMN books_closed_until;
