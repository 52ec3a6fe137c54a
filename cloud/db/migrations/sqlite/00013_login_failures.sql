-- Failed sign-ins per e-mail and per address, shared by every cloud process on the database.
-- +goose Up
CREATE TABLE login_failures (
  login_key TEXT PRIMARY KEY, n INTEGER NOT NULL, last_ms INTEGER NOT NULL
);
CREATE INDEX ix_login_failures_last ON login_failures (last_ms);
-- +goose Down
DROP TABLE login_failures;
