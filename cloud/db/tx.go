package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/posting"
	"tiltas/shared/domain"
)

// Tx is one transaction of the books: the row operations one booking needs, every one inside
// the transaction. cloud/books drives it; nothing here decides what is booked.
type Tx struct {
	tx *sql.Tx
	d  *DB
}

// InTx runs fn in one transaction, retrying MySQL deadlocks: fn may run more than once, and
// what it returns is what the last run returned.
func (s *DB) InTx(ctx context.Context, fn func(*Tx) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return fn(&Tx{tx: tx, d: s}) })
}

// Now is the database's clock (Options.Clock).
func (s *DB) Now() time.Time { return s.now() }

// Zone is the shops' zone (Options.Zone).
func (s *DB) Zone() *time.Location { return s.zone }

// forUpdate is the locking tail of a SELECT: MySQL locks the rows read; SQLite has one writer.
func (s *DB) forUpdate() string {
	if s.dialect == MySQL {
		return ` FOR UPDATE`
	}
	return ""
}

// Posting states of a held receipt or day close.
const (
	StatePending = 0 // not booked yet
	StatePosted  = 1 // booked
	StateFailed  = 2 // refused: see posting_failures; retry puts it back to pending
	StateNoDoc   = 3 // needs no document (a sale in day-sheet mode, a Z in receipt mode)
	StateHistory = 4 // closed before its store's start date: held as history, never booked
)

// Held kinds: the tables agents' receipts and day closes are held in until they are booked.
const (
	HeldReceipts  = "receipts"
	HeldDayCloses = "day_closes"
)

// Held is a receipt or day close as delivered, with its posting state.
type Held struct {
	State   int
	StoreID int64
	Payload []byte
	Hash    string
}

func heldTable(kind string) (string, error) {
	if kind != HeldReceipts && kind != HeldDayCloses {
		return "", &InvalidError{fmt.Errorf("kind %q: use receipts or day_closes", kind)}
	}
	return kind, nil
}

// LockHeld reads (on MySQL: locks) a held receipt or day close.
func (t *Tx) LockHeld(ctx context.Context, kind string, row int64) (Held, error) {
	table, err := heldTable(kind)
	if err != nil {
		return Held{}, err
	}
	var h Held
	var payload string
	err = t.tx.QueryRowContext(ctx, `SELECT post_state, store_id, payload, content_hash FROM `+table+` WHERE id = ?`+t.d.forUpdate(), row).
		Scan(&h.State, &h.StoreID, &payload, &h.Hash)
	h.Payload = []byte(payload)
	return h, err
}

// SetHeldState sets a held row's posting state and forgets its refusal, if it had one.
func (t *Tx) SetHeldState(ctx context.Context, kind string, row int64, state int) error {
	table, err := heldTable(kind)
	if err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE `+table+` SET post_state = ? WHERE id = ?`, state, row); err != nil {
		return err
	}
	_, err = t.tx.ExecContext(ctx, `DELETE FROM posting_failures WHERE source_kind = ? AND source_row = ?`, table, row)
	return err
}

// ZState reads (on MySQL: locks) the posting state of the Z report that closed a cash session;
// found is false while it has not arrived.
func (t *Tx) ZState(ctx context.Context, tenantID, storeID int64, session string) (state int, found bool, err error) {
	err = t.tx.QueryRowContext(ctx, `SELECT post_state FROM day_closes WHERE tenant_id = ? AND store_id = ? AND source_id = ?`+t.d.forUpdate(),
		tenantID, storeID, session).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read the Z report of session %s: %w", session, err)
	}
	return state, true, nil
}

// SessionReceipt is a held receipt of a cash session and its posting state.
type SessionReceipt struct {
	Receipt domain.Receipt
	State   int
}

// SessionReceipts reads (on MySQL: locks) a session's held receipts, in the order they came.
func (t *Tx) SessionReceipts(ctx context.Context, tenantID, storeID int64, session string) ([]SessionReceipt, error) {
	return t.d.sessionReceipts(ctx, t.tx, tenantID, storeID, session, true)
}

// sessionReceipts reads a session's receipts; with lock (a Z being booked, in its transaction)
// it locks them on MySQL, so a receipt being booked alone right now is seen booked.
func (s *DB) sessionReceipts(ctx context.Context, q queryer, tenantID, storeID int64, session string, lock bool) ([]SessionReceipt, error) {
	query := `SELECT payload, post_state FROM receipts WHERE tenant_id = ? AND store_id = ? AND session_id = ? ORDER BY id`
	if lock {
		query += s.forUpdate()
	}
	return queryAll(ctx, q, func(sc scanner) (SessionReceipt, error) {
		var p string
		var r SessionReceipt
		if err := sc.Scan(&p, &r.State); err != nil {
			return r, err
		}
		return r, json.Unmarshal([]byte(p), &r.Receipt)
	}, query, tenantID, storeID, session)
}

// RequeueSession puts a session's receipts that were held for a day sheet back to be booked
// one by one.
func (t *Tx) RequeueSession(ctx context.Context, tenantID, storeID int64, session string) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE receipts SET post_state = ? WHERE tenant_id = ? AND store_id = ? AND session_id = ? AND post_state = ?`,
		StatePending, tenantID, storeID, session, StateNoDoc)
	return err
}

// RequeueHistory puts a session's receipts held as history back to be posted: its Z report,
// booked in day-sheet mode, decides for the whole session.
func (t *Tx) RequeueHistory(ctx context.Context, tenantID, storeID int64, session string) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE receipts SET post_state = ? WHERE tenant_id = ? AND store_id = ? AND session_id = ? AND post_state = ?`,
		StatePending, tenantID, storeID, session, StateHistory)
	return err
}

// Settings reads a tenant's posting settings inside the transaction.
func (t *Tx) Settings(ctx context.Context, tenantID int64) (posting.Settings, error) {
	return t.d.settings(ctx, t.tx, tenantID)
}

// MarketSettings reads what booking marketplace orders needs beyond the settings.
func (t *Tx) MarketSettings(ctx context.Context, tenantID int64) (posting.MarketSettings, error) {
	return t.d.marketSettings(ctx, t.tx, tenantID)
}

// ClosedUntil is the last day of the tenant's closed books ("" none).
func (t *Tx) ClosedUntil(ctx context.Context, tenantID int64) (string, error) {
	return booksClosedUntil(ctx, t.tx, tenantID)
}

// FXRate is the ECB rate (currency per EUR) of date, or the last one before it; zero when none
// is known.
func (t *Tx) FXRate(ctx context.Context, tenantID int64, currency, date string) (decimal.Decimal, error) {
	return t.d.fxRate(ctx, t.tx, tenantID, currency, date)
}

// DocByKey finds a document by its idempotency key: its id (0: none) and its input's hash.
func (t *Tx) DocByKey(ctx context.Context, tenantID int64, key string) (id int64, hash string, err error) {
	return t.d.docByKey(ctx, t.tx, tenantID, key)
}

// ServiceBarcodes says which of the barcodes are service cards in the catalogue.
func (t *Tx) ServiceBarcodes(ctx context.Context, tenantID int64, barcodes []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(barcodes) == 0 {
		return out, nil
	}
	args := []any{tenantID}
	for _, b := range barcodes {
		args = append(args, b)
	}
	found, err := queryAll(ctx, t.tx, scanOne[string], `SELECT barcode FROM products WHERE tenant_id = ? AND is_service = 1 AND barcode IN (?`+
		strings.Repeat(",?", len(barcodes)-1)+`)`, args...)
	for _, b := range found {
		out[b] = true
	}
	return out, err
}

// Card is what booking needs of a product card; found is false when there is none.
func (t *Tx) Card(ctx context.Context, tenantID int64, barcode string) (item posting.Item, found bool, err error) {
	var svc int
	var bp int64
	err = t.tx.QueryRowContext(ctx, `SELECT is_service, vat_rate_bp, vat_category FROM products WHERE tenant_id = ? AND barcode = ?`, tenantID, barcode).
		Scan(&svc, &bp, &item.Category)
	if errors.Is(err, sql.ErrNoRows) {
		return item, false, nil
	}
	item.Service, item.Rate = svc != 0, domain.FromCents(bp)
	return item, err == nil, err
}

// CreateCard adds a product card at the catalogue's next version (agents pick it up).
func (t *Tx) CreateCard(ctx context.Context, tenantID int64, c domain.Card) error {
	v, err := t.d.nextVersions(ctx, t.tx, tenantID, 1)
	if err != nil {
		return err
	}
	c.Version = v
	return t.d.writeCards(ctx, t.tx, tenantID, []domain.Card{c})
}

// Customer finds the buyer by code or creates it; an existing customer is never modified.
// A buyer without a code is no customer (0).
func (t *Tx) Customer(ctx context.Context, tenantID int64, b *domain.Buyer) (int64, error) {
	return t.d.customerFor(ctx, t.tx, tenantID, b)
}

// WarehouseExists says whether the tenant has the warehouse.
func (t *Tx) WarehouseExists(ctx context.Context, tenantID int64, code string) (bool, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM warehouses WHERE tenant_id = ? AND code = ?`, tenantID, code).Scan(&n)
	return n > 0, err
}

// EnsureWarehouse creates the warehouse unless the tenant has it.
func (t *Tx) EnsureWarehouse(ctx context.Context, tenantID int64, code, name string) error {
	if ok, err := t.WarehouseExists(ctx, tenantID, code); err != nil || ok {
		return err
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO warehouses (tenant_id, code, name) VALUES (?, ?, ?)`, tenantID, code, name)
	return err
}

// Balances reads (and on MySQL locks, in index order) what a warehouse holds of items. An item
// it never held is missing from the map.
func (t *Tx) Balances(ctx context.Context, tenantID int64, wh string, barcodes []string) (map[string]posting.Balance, error) {
	out := map[string]posting.Balance{}
	if len(barcodes) == 0 {
		return out, nil
	}
	args := []any{tenantID, wh}
	for _, b := range barcodes {
		args = append(args, b)
	}
	type row struct {
		barcode string
		bal     posting.Balance
	}
	rows, err := queryAll(ctx, t.tx, func(sc scanner) (row, error) {
		var r row
		var qm, vc int64
		err := sc.Scan(&r.barcode, &qm, &vc)
		r.bal = posting.Balance{Qty: decimal.New(qm, -3), Value: domain.FromCents(vc)}
		return r, err
	}, `SELECT barcode, qty_milli, value_cents FROM stock_balances WHERE tenant_id = ? AND warehouse = ? AND barcode IN (?`+
		strings.Repeat(",?", len(barcodes)-1)+`)`+t.d.forUpdate(), args...)
	for _, r := range rows {
		out[r.barcode] = r.bal
	}
	return out, err
}

// MoveStock applies a document's moves to a warehouse's balances and records them, in two
// statements whatever their number (an item may repeat: its rows add up in order).
func (t *Tx) MoveStock(ctx context.Context, tenantID int64, wh string, docID int64, moves []posting.StockMove) error {
	return t.d.moveStocks(ctx, t.tx, tenantID, wh, docID, moves)
}

// AddUnresolved records lines of a document whose goods could not move, with the reason.
func (t *Tx) AddUnresolved(ctx context.Context, tenantID, docID int64, lines []posting.Unresolved) error {
	for _, l := range lines {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO unresolved_lines (tenant_id, document_id, line_no, barcode, name, qty_milli, reason, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			tenantID, docID, l.No, l.Barcode, l.Name, l.Qty.Shift(3).Round(0).IntPart(), l.Reason, t.d.nowMS()); err != nil {
			return fmt.Errorf("record unresolved line: %w", err)
		}
	}
	return nil
}

// UnresolvedLine is an unresolved line with its document's date and store.
type UnresolvedLine struct {
	Unresolved
	Date    string
	StoreID int64
}

// UnresolvedLine reads one unresolved line (ErrNotFound when the tenant has no such line).
func (t *Tx) UnresolvedLine(ctx context.Context, tenantID, lineID int64) (UnresolvedLine, error) {
	var u UnresolvedLine
	var qm int64
	err := t.tx.QueryRowContext(ctx, `SELECT u.id, u.document_id, u.line_no, u.resolved_document_id, u.barcode, u.name, u.qty_milli, u.reason, d.doc_date, d.store_id
		FROM unresolved_lines u JOIN documents d ON d.id = u.document_id WHERE u.tenant_id = ? AND u.id = ?`, tenantID, lineID).
		Scan(&u.ID, &u.DocumentID, &u.LineNo, &u.ResolvedBy, &u.Barcode, &u.Name, &qm, &u.Reason, &u.Date, &u.StoreID)
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("unresolved line %d: %w", lineID, ErrNotFound)
	}
	u.Qty = decimal.New(qm, -3)
	return u, err
}

// SetResolved records the document that resolved a line.
func (t *Tx) SetResolved(ctx context.Context, lineID, docID int64) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE unresolved_lines SET resolved_document_id = ? WHERE id = ?`, docID, lineID)
	return err
}

// WrittenOffFor is what a sale document's write-offs took of an item: quantity and value.
func (t *Tx) WrittenOffFor(ctx context.Context, tenantID, saleDoc int64, barcode string) (posting.Balance, error) {
	var qty, value sql.NullInt64
	err := t.tx.QueryRowContext(ctx, `SELECT SUM(m.qty_milli), SUM(m.value_cents) FROM stock_moves m JOIN documents d ON d.id = m.document_id
		WHERE d.tenant_id = ? AND d.related_id = ? AND d.op_type = ? AND d.status = 'posted' AND m.barcode = ?`, tenantID, saleDoc, posting.OpWriteOff, barcode).Scan(&qty, &value)
	return posting.Balance{Qty: decimal.New(qty.Int64, -3), Value: domain.FromCents(value.Int64)}, err
}
