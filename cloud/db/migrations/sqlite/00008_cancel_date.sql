-- The day a document was cancelled: reports count the cancellation in that period and leave
-- the original in its own, so a period already reported never changes.
-- +goose Up
ALTER TABLE documents ADD COLUMN cancel_date TEXT NOT NULL DEFAULT '';
UPDATE documents SET cancel_date = COALESCE((SELECT MIN(e.entry_date) FROM journal_entries e WHERE e.document_id = documents.id AND e.reverses_entry <> 0), doc_date)
  WHERE status = 'cancelled';
CREATE INDEX ix_documents_cancel ON documents (tenant_id, cancel_date);
-- +goose Down
DROP INDEX ix_documents_cancel;
ALTER TABLE documents DROP COLUMN cancel_date;
