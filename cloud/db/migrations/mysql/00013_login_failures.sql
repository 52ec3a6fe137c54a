-- Failed sign-ins per e-mail and per address, shared by every cloud process on the database.
-- +goose Up
CREATE TABLE IF NOT EXISTS login_failures (
  login_key VARCHAR(320) NOT NULL PRIMARY KEY, n BIGINT NOT NULL, last_ms BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_login_failures_last ON login_failures (last_ms);
-- +goose Down
DROP TABLE IF EXISTS login_failures;
