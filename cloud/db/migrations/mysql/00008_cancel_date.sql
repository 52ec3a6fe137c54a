-- The day a document was cancelled: reports count the cancellation in that period and leave
-- the original in its own, so a period already reported never changes.
-- +goose Up
ALTER TABLE documents ADD COLUMN IF NOT EXISTS cancel_date VARCHAR(10) NOT NULL DEFAULT '';
UPDATE documents SET cancel_date = COALESCE((SELECT MIN(e.entry_date) FROM journal_entries e WHERE e.document_id = documents.id AND e.reverses_entry <> 0), doc_date)
  WHERE status = 'cancelled';
CREATE INDEX IF NOT EXISTS ix_documents_cancel ON documents (tenant_id, cancel_date);
-- +goose Down
DROP INDEX IF EXISTS ix_documents_cancel ON documents;
ALTER TABLE documents DROP COLUMN IF EXISTS cancel_date;
