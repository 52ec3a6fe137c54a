-- Accountants' sign-in: users with bcrypt password hashes, and sessions kept as token hashes.
-- One re-runnable statement each (MySQL commits DDL implicitly).
-- +goose Up
CREATE TABLE IF NOT EXISTS users (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, tenant_id BIGINT NOT NULL, email VARCHAR(200) NOT NULL UNIQUE, name VARCHAR(200) NOT NULL,
  password_hash VARCHAR(100) NOT NULL, role VARCHAR(20) NOT NULL, created_ms BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS sessions (
  token_hash CHAR(64) NOT NULL PRIMARY KEY, user_id BIGINT NOT NULL, csrf VARCHAR(64) NOT NULL, expires_ms BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
-- +goose Down
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS users;
