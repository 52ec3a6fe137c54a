package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"tiltas/cloud/posting"
	"tiltas/shared/domain"
)

// NewDoc is a document to store: numbered in Series, dated Doc.Date, with its lines and entry.
type NewDoc struct {
	TenantID, StoreID int64
	Series            string
	Doc               posting.Doc
	Key, Hash         string // the idempotency key, and the hash of the input it was booked from
	SourceKind        string // receipt, dayclose, order, stockin, document
	SourceID          string
	CustomerID        int64
	RelatedID         int64
	Currency          string          // empty: EUR
	FX                decimal.Decimal // currency per EUR
	TotalCurrency     decimal.Decimal // the total in that currency
}

// InsertDoc numbers a document in its series (gapless: the number is taken inside this
// transaction) and stores it, its lines and its entry. It returns the document's id.
func (t *Tx) InsertDoc(ctx context.Context, n NewDoc) (int64, error) {
	return t.d.insertDoc(ctx, t.tx, n)
}

// InsertEntry stores a journal entry of a document dated date; reverses names the entry it
// reverses (0: none). What is stored is read back and checked inside the transaction.
func (t *Tx) InsertEntry(ctx context.Context, tenantID, docID int64, date string, e posting.Entry, reverses int64) (int64, error) {
	return t.d.insertEntry(ctx, t.tx, tenantID, docID, date, e, reverses)
}

// DocStatus reads a document's status and date (ErrNotFound when the tenant has no such one).
func (t *Tx) DocStatus(ctx context.Context, tenantID, docID int64) (status, date string, err error) {
	err = t.tx.QueryRowContext(ctx, `SELECT status, doc_date FROM documents WHERE tenant_id = ? AND id = ?`, tenantID, docID).Scan(&status, &date)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("document %d: %w", docID, ErrNotFound)
	}
	return status, date, err
}

// DocEntries reads a document's journal entries with their moves.
func (t *Tx) DocEntries(ctx context.Context, tenantID, docID int64) ([]EntryRecord, error) {
	return t.d.entries(ctx, t.tx, tenantID, "e.document_id = ?", docID)
}

// StockMoveRecord is a stored stock move.
type StockMoveRecord struct {
	ID         int64
	Warehouse  string
	Barcode    string
	Qty, Value decimal.Decimal
}

// DocStockMoves reads the stock moves a document made.
func (t *Tx) DocStockMoves(ctx context.Context, docID int64) ([]StockMoveRecord, error) {
	return queryAll(ctx, t.tx, func(sc scanner) (StockMoveRecord, error) {
		var m StockMoveRecord
		var qm, vc int64
		err := sc.Scan(&m.ID, &m.Warehouse, &m.Barcode, &qm, &vc)
		m.Qty, m.Value = decimal.New(qm, -3), domain.FromCents(vc)
		return m, err
	}, `SELECT id, warehouse, barcode, qty_milli, value_cents FROM stock_moves WHERE document_id = ? ORDER BY id`, docID)
}

// MovedSince is the first other document that moved an item in a warehouse after stock move
// moveID (0: none).
func (t *Tx) MovedSince(ctx context.Context, tenantID int64, wh, barcode string, moveID, exceptDoc int64) (int64, error) {
	var later int64
	err := t.tx.QueryRowContext(ctx, `SELECT COALESCE(MIN(document_id), 0) FROM stock_moves WHERE tenant_id = ? AND warehouse = ? AND barcode = ? AND id > ? AND document_id <> ?`,
		tenantID, wh, barcode, moveID, exceptDoc).Scan(&later)
	return later, err
}

// MarkCancelled records a document's cancellation: the day and who.
func (t *Tx) MarkCancelled(ctx context.Context, docID int64, date, by string) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE documents SET status = 'cancelled', cancel_date = ?, cancelled_by = ? WHERE id = ?`, date, by, docID)
	return err
}

// WriteOffsOf lists the posted write-off documents of a sale document.
func (t *Tx) WriteOffsOf(ctx context.Context, tenantID, docID int64) ([]int64, error) {
	return queryAll(ctx, t.tx, scanOne[int64], `SELECT id FROM documents WHERE tenant_id = ? AND related_id = ? AND op_type = ? AND status = 'posted' ORDER BY id`,
		tenantID, docID, posting.OpWriteOff)
}

// HeldOrder is a stored marketplace order with its state.
type HeldOrder struct {
	Order posting.Order
	State string
}

// LockOrder reads (on MySQL: locks) a stored order. An order whose stored copy cannot be read
// is a refusal.
func (t *Tx) LockOrder(ctx context.Context, rowID int64) (HeldOrder, error) {
	var payload string
	var h HeldOrder
	if err := t.tx.QueryRowContext(ctx, `SELECT payload, state FROM market_orders WHERE id = ?`+t.d.forUpdate(), rowID).Scan(&payload, &h.State); err != nil {
		return h, err
	}
	if err := json.Unmarshal([]byte(payload), &h.Order); err != nil {
		return h, posting.Refuse(posting.CodeUnreadable, "stored order unreadable: %v", err)
	}
	return h, nil
}

// SetOrderState moves a stored order to a state; booked and cancelled orders forget the reason
// they had.
func (t *Tx) SetOrderState(ctx context.Context, rowID int64, state string) error {
	q := `UPDATE market_orders SET state = ? WHERE id = ?`
	if state == OrderPosted {
		q = `UPDATE market_orders SET state = ?, reason = '', fix = '' WHERE id = ?`
	}
	_, err := t.tx.ExecContext(ctx, q, state, rowID)
	return err
}
