-- A marketplace account a person paused: not pulled until resumed (never paused by failures).
-- +goose Up
ALTER TABLE market_accounts ADD COLUMN IF NOT EXISTS paused BIGINT NOT NULL DEFAULT 0;
-- +goose Down
ALTER TABLE market_accounts DROP COLUMN IF EXISTS paused;
