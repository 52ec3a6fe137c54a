-- Who cancelled a document: a user's e-mail, "API", or the marketplace cancellation.
-- +goose Up
ALTER TABLE documents ADD COLUMN cancelled_by TEXT NOT NULL DEFAULT '';
-- +goose Down
ALTER TABLE documents DROP COLUMN cancelled_by;
