-- Who cancelled a document: a user's e-mail, "API", or the marketplace cancellation.
-- +goose Up
ALTER TABLE documents ADD COLUMN IF NOT EXISTS cancelled_by VARCHAR(200) NOT NULL DEFAULT '';
-- +goose Down
ALTER TABLE documents DROP COLUMN IF EXISTS cancelled_by;
