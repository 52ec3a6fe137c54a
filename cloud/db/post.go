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

// Posting states of a held receipt or day close.
const (
	statePending = 0 // not booked yet
	statePosted  = 1 // booked
	stateFailed  = 2 // refused: see posting_failures; retry puts it back to pending
	stateNoDoc   = 3 // needs no document (a sale in day-sheet mode, a Z in receipt mode)
)

// postChunk is how many receipts one posting transaction books at most.
const postChunk = 50

// errNotReady defers a Z report whose receipts have not all arrived.
var errNotReady = errors.New("not all receipts of this Z report have arrived yet")

// PostResult counts what a posting pass did.
type PostResult struct {
	Posted, Failed, Deferred int
}

// PostPending books receipts and day closes that are not booked yet, oldest first, each in
// its own transaction under an idempotency key: running it again, or after a crash at any
// point, books nothing twice. A refusal a person must fix is kept in posting failures.
func (s *DB) PostPending(ctx context.Context, limit int) (PostResult, error) {
	var res PostResult
	for _, kind := range []string{"receipts", "day_closes"} {
		rows, err := s.db.QueryContext(ctx, `SELECT id, tenant_id FROM `+kind+` WHERE post_state = ? ORDER BY id LIMIT ?`, statePending, limit)
		if err != nil {
			return res, fmt.Errorf("find unposted %s: %w", kind, err)
		}
		type item struct{ id, tenant int64 }
		var todo []item
		for rows.Next() {
			var it item
			if err := rows.Scan(&it.id, &it.tenant); err != nil {
				rows.Close()
				return res, err
			}
			todo = append(todo, it)
		}
		rows.Close()
		settings := map[int64]posting.Settings{} // read once per tenant per pass
		byTenant := map[int64][]item{}
		var tenants []int64
		for _, it := range todo {
			if _, seen := byTenant[it.tenant]; !seen {
				tenants = append(tenants, it.tenant)
			}
			byTenant[it.tenant] = append(byTenant[it.tenant], it)
		}
		for _, tenant := range tenants {
			set, err := s.Settings(ctx, tenant)
			if err != nil {
				return res, err
			}
			settings[tenant] = set
			items := byTenant[tenant]
			for start := 0; start < len(items); start += postChunk {
				part := items[start:min(start+postChunk, len(items))]
				// Receipts go in chunks, one commit for many; a chunk that fails for any reason is
				// redone one by one, so a refusal touches only its own receipt.
				if kind == "receipts" && len(part) > 1 {
					err := s.inTx(ctx, func(tx *sql.Tx) error {
						for _, it := range part {
							if err := s.post(ctx, tx, kind, tenant, it.id, set); err != nil {
								return err
							}
						}
						return nil
					})
					if err == nil {
						res.Posted += len(part)
						continue
					}
				}
				for _, it := range part {
					err := s.inTx(ctx, func(tx *sql.Tx) error { return s.post(ctx, tx, kind, tenant, it.id, set) })
					var pe *posting.Error
					switch {
					case err == nil:
						res.Posted++
					case errors.Is(err, errNotReady):
						res.Deferred++
					case errors.As(err, &pe):
						res.Failed++
						if err := s.recordFailure(ctx, tenant, kind, it.id, pe.Msg); err != nil {
							return res, err
						}
					default:
						return res, fmt.Errorf("post %s %d: %w", kind, it.id, err)
					}
				}
			}
		}
	}
	return res, nil
}

// PostOne books one held receipt ("receipts") or day close ("day_closes") in its own transaction.
func (s *DB) PostOne(ctx context.Context, kind string, tenantID, row int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		set, err := s.settings(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		return s.post(ctx, tx, kind, tenantID, row, set)
	})
}

func (s *DB) post(ctx context.Context, tx *sql.Tx, kind string, tenantID, row int64, set posting.Settings) error {
	if kind == "receipts" {
		return s.postReceipt(ctx, tx, tenantID, row, set)
	}
	return s.postDayClose(ctx, tx, tenantID, row, set)
}

func (s *DB) recordFailure(ctx context.Context, tenantID int64, kind string, row int64, msg string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE `+kind+` SET post_state = ? WHERE id = ? AND post_state = ?`, stateFailed, row, statePending); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO posting_failures (tenant_id, source_kind, source_row, message, at_ms) VALUES (?, ?, ?, ?, ?)`+
			s.upsert("tenant_id, source_kind, source_row", "message", "at_ms"), tenantID, kind, row, msg, s.nowMS())
		return err
	})
}

// lockState reads (on MySQL: locks) a row's posting state.
func (s *DB) lockState(ctx context.Context, tx *sql.Tx, table string, id int64) (int, error) {
	q := `SELECT post_state FROM ` + table + ` WHERE id = ?`
	if s.dialect == MySQL {
		q += ` FOR UPDATE`
	}
	var st int
	err := tx.QueryRowContext(ctx, q, id).Scan(&st)
	return st, err
}

func (s *DB) setState(ctx context.Context, tx *sql.Tx, table string, id int64, st int) error {
	if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET post_state = ? WHERE id = ?`, st, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM posting_failures WHERE source_kind = ? AND source_row = ?`, table, id)
	return err
}

func (s *DB) postReceipt(ctx context.Context, tx *sql.Tx, tenantID, rowID int64, set posting.Settings) error {
	if st, err := s.lockState(ctx, tx, "receipts", rowID); err != nil || st != statePending {
		return err
	}
	var storeID int64
	var payload, hash string
	if err := tx.QueryRowContext(ctx, `SELECT store_id, payload, content_hash FROM receipts WHERE id = ?`, rowID).Scan(&storeID, &payload, &hash); err != nil {
		return err
	}
	var r domain.Receipt
	if err := json.Unmarshal([]byte(payload), &r); err != nil {
		return &posting.Error{Msg: "stored receipt unreadable: " + err.Error()}
	}
	if r.Type != domain.Invoice {
		held, err := s.heldForDaySheet(ctx, tx, tenantID, storeID, r.SessionID, set.ModeFor(storeID))
		if err != nil {
			return err
		}
		if held {
			return s.setState(ctx, tx, "receipts", rowID, stateNoDoc) // booked with its Z's day sheet
		}
	}
	key := posting.Key("pos", fmt.Sprint(storeID), r.SourceID)
	if id, held, err := s.docByKey(ctx, tx, tenantID, key); err != nil {
		return err
	} else if id != 0 {
		if held != hash {
			return &posting.Error{Msg: fmt.Sprintf("receipt %s was booked before with other content (document %d): cancel that document first", r.SourceID, id)}
		}
		return s.setState(ctx, tx, "receipts", rowID, statePosted) // booked already
	}
	services, err := s.serviceBarcodes(ctx, tx, tenantID, r.Lines)
	if err != nil {
		return err
	}
	doc, err := posting.Receipt(&r, set, func(bc string) bool { return services[bc] })
	if err != nil {
		return err
	}
	custID, err := s.customerFor(ctx, tx, tenantID, r.Buyer)
	if err != nil {
		return err
	}
	var related int64
	if r.OriginalSourceID != "" {
		if related, _, err = s.docByKey(ctx, tx, tenantID, posting.Key("pos", fmt.Sprint(storeID), r.OriginalSourceID)); err != nil {
			return err
		}
	}
	docID, err := s.insertDoc(ctx, tx, set, newDoc{tenantID: tenantID, storeID: storeID, doc: doc, key: key, hash: hash,
		sourceKind: "receipt", sourceID: r.SourceID, customerID: custID, relatedID: related})
	if err != nil {
		return err
	}
	var lines []stockLine
	switch {
	case set.AutoWriteOff && doc.Op != posting.OpReturn:
		for _, l := range r.Lines {
			if !services[l.Barcode] {
				lines = append(lines, stockLine{no: l.No, barcode: l.Barcode, name: l.Name, qty: l.Quantity})
			}
		}
	case set.ReturnsToStock && doc.Op == posting.OpReturn:
		for _, l := range r.Lines {
			if !services[l.Barcode] {
				cost, err := s.costItLeftWith(ctx, tx, tenantID, related, l.Barcode)
				if err != nil {
					return err
				}
				lines = append(lines, stockLine{no: l.No, barcode: l.Barcode, name: l.Name, qty: l.Quantity, unitCost: cost})
			}
		}
	}
	if len(lines) > 0 {
		if _, err := s.writeOff(ctx, tx, set, tenantID, storeID, docID, doc.Date, posting.Key("stock", fmt.Sprint(docID)), lines, false); err != nil {
			return err
		}
	}
	return s.setState(ctx, tx, "receipts", rowID, statePosted)
}

// costItLeftWith is the unit cost at which barcode was written off for the sale document
// saleDoc, or zero when unknown.
func (s *DB) costItLeftWith(ctx context.Context, tx *sql.Tx, tenantID, saleDoc int64, barcode string) (decimal.Decimal, error) {
	if saleDoc == 0 {
		return decimal.Zero, nil
	}
	var qty, value sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT SUM(m.qty_milli), SUM(m.value_cents) FROM stock_moves m JOIN documents d ON d.id = m.document_id
		WHERE d.tenant_id = ? AND d.related_id = ? AND d.op_type = ? AND d.status = 'posted' AND m.barcode = ?`, tenantID, saleDoc, posting.OpWriteOff, barcode).Scan(&qty, &value)
	if err != nil || qty.Int64 == 0 {
		return decimal.Zero, err
	}
	return domain.FromCents(value.Int64).Div(decimal.New(qty.Int64, -3)), nil
}

// serviceBarcodes says which of the lines' barcodes are service cards in the catalogue.
func (s *DB) serviceBarcodes(ctx context.Context, tx *sql.Tx, tenantID int64, lines []domain.Line) (map[string]bool, error) {
	out := map[string]bool{}
	if len(lines) == 0 {
		return out, nil
	}
	args := []any{tenantID}
	for _, l := range lines {
		args = append(args, l.Barcode)
	}
	rows, err := tx.QueryContext(ctx, `SELECT barcode FROM products WHERE tenant_id = ? AND is_service = 1 AND barcode IN (?`+strings.Repeat(",?", len(lines)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var bc string
		if err := rows.Scan(&bc); err != nil {
			return nil, err
		}
		out[bc] = true
	}
	return out, rows.Err()
}

func (s *DB) postDayClose(ctx context.Context, tx *sql.Tx, tenantID, rowID int64, set posting.Settings) error {
	if st, err := s.lockState(ctx, tx, "day_closes", rowID); err != nil || st != statePending {
		return err
	}
	var storeID int64
	var payload, hash string
	if err := tx.QueryRowContext(ctx, `SELECT store_id, payload, content_hash FROM day_closes WHERE id = ?`, rowID).Scan(&storeID, &payload, &hash); err != nil {
		return err
	}
	var z domain.DayClose
	if err := json.Unmarshal([]byte(payload), &z); err != nil {
		return &posting.Error{Msg: "stored day close unreadable: " + err.Error()}
	}
	receipts, bookedAlone, err := s.sessionReceipts(ctx, tx, tenantID, storeID, z.SourceID, true)
	if err != nil {
		return err
	}
	if set.ModeFor(storeID) != "dayclose" || bookedAlone > 0 {
		// Receipts are booked one by one and the Z is only reconciled. Receipts held for a day
		// sheet under an earlier mode go back to the queue, to be booked alone: a session that
		// straddles a mode change is booked once, never twice and never not at all.
		if _, err := tx.ExecContext(ctx, `UPDATE receipts SET post_state = ? WHERE tenant_id = ? AND store_id = ? AND session_id = ? AND post_state = ?`,
			statePending, tenantID, storeID, z.SourceID, stateNoDoc); err != nil {
			return err
		}
		return s.setState(ctx, tx, "day_closes", rowID, stateNoDoc)
	}
	if len(receipts) < z.ReceiptsCount {
		return errNotReady
	}
	var invoices []domain.Receipt
	for _, r := range receipts {
		if r.Type == domain.Invoice {
			invoices = append(invoices, r)
		}
	}
	docs, err := posting.DaySheets(&z, invoices, set)
	if err != nil {
		return err
	}
	var first int64
	for _, d := range docs {
		key := posting.Key("z", fmt.Sprint(storeID), z.SourceID, d.Lines[0].Rate.String())
		if id, _, err := s.docByKey(ctx, tx, tenantID, key); err != nil || id != 0 {
			if err != nil {
				return err
			}
			continue
		}
		id, err := s.insertDoc(ctx, tx, set, newDoc{tenantID: tenantID, storeID: storeID, doc: d, key: key, hash: hash, sourceKind: "dayclose", sourceID: z.SourceID})
		if err != nil {
			return err
		}
		if first == 0 {
			first = id
		}
	}
	if set.AutoWriteOff && first != 0 {
		// The day's goods leave stock under the first day sheet, net of returns, per item.
		qty := map[string]decimal.Decimal{}
		names := map[string]string{}
		var order []string
		for _, r := range receipts {
			if r.Type == domain.Invoice {
				continue
			}
			for _, l := range r.Lines {
				if _, seen := qty[l.Barcode]; !seen {
					order = append(order, l.Barcode)
				}
				qty[l.Barcode] = qty[l.Barcode].Add(l.Quantity)
				names[l.Barcode] = l.Name
			}
		}
		var lines []stockLine
		for i, bc := range order {
			if qty[bc].IsPositive() {
				lines = append(lines, stockLine{no: i + 1, barcode: bc, name: names[bc], qty: qty[bc]})
			}
		}
		if _, err := s.writeOff(ctx, tx, set, tenantID, storeID, first, docs[0].Date, posting.Key("stock", fmt.Sprint(first)), lines, false); err != nil {
			return err
		}
	}
	return s.setState(ctx, tx, "day_closes", rowID, statePosted)
}

// heldForDaySheet says whether a sale or return of a cash session waits for its Z report's day
// sheet rather than being booked alone: yes when that Z booked day sheets, no when it was only
// reconciled, and otherwise as the store's mode says.
func (s *DB) heldForDaySheet(ctx context.Context, tx *sql.Tx, tenantID, storeID int64, session, mode string) (bool, error) {
	q := `SELECT post_state FROM day_closes WHERE tenant_id = ? AND store_id = ? AND source_id = ?`
	if s.dialect == MySQL {
		q += ` FOR UPDATE`
	}
	var zs int
	err := tx.QueryRowContext(ctx, q, tenantID, storeID, session).Scan(&zs)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return false, fmt.Errorf("read the Z report of session %s: %w", session, err)
	case zs == statePosted:
		return true, nil
	case zs == stateNoDoc:
		return false, nil
	}
	return mode == "dayclose", nil
}

// sessionReceipts reads a session's receipts, and counts the sales and returns among them that
// were booked alone. With lock (a Z being booked, in its transaction) it locks them on MySQL, so
// a receipt being booked alone right now is seen booked.
func (s *DB) sessionReceipts(ctx context.Context, q queryer, tenantID, storeID int64, session string, lock bool) ([]domain.Receipt, int, error) {
	query := `SELECT payload, post_state FROM receipts WHERE tenant_id = ? AND store_id = ? AND session_id = ? ORDER BY id`
	if lock && s.dialect == MySQL {
		query += ` FOR UPDATE`
	}
	rows, err := q.QueryContext(ctx, query, tenantID, storeID, session)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []domain.Receipt
	alone := 0
	for rows.Next() {
		var p string
		var st int
		var r domain.Receipt
		if err := rows.Scan(&p, &st); err != nil {
			return nil, 0, err
		}
		if err := json.Unmarshal([]byte(p), &r); err != nil {
			return nil, 0, err
		}
		if r.Type != domain.Invoice && st == statePosted {
			alone++
		}
		out = append(out, r)
	}
	return out, alone, rows.Err()
}

// StockInLine is goods received at a unit cost.
type StockInLine struct {
	Barcode  string          `json:"barcode"`
	Name     string          `json:"name"`
	Qty      decimal.Decimal `json:"quantity"`
	UnitCost decimal.Decimal `json:"unit_cost"`
}

// StockIn receives goods into a warehouse: a PAJ document, Dr inventory / Cr payables, and the
// stock balances at weighted-average cost. key makes it idempotent (a client's request id).
func (s *DB) StockIn(ctx context.Context, tenantID int64, warehouse, date, key string, lines []StockInLine) (int64, error) {
	if len(lines) == 0 {
		return 0, &InvalidError{errors.New("a stock receipt needs lines")}
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return 0, &InvalidError{fmt.Errorf("date %q: use YYYY-MM-DD", date)}
	}
	var docID int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		set, err := s.settings(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		if warehouse != "" {
			set.Warehouse = warehouse
		}
		if set.ClosedUntil != "" && date <= set.ClosedUntil {
			return &InvalidError{fmt.Errorf("date %s: the books are closed up to %s; receive the goods on a later day, or reopen the books", date, set.ClosedUntil)}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM warehouses WHERE tenant_id = ? AND code = ?`, tenantID, set.Warehouse).Scan(&n); err != nil || n == 0 {
			return &InvalidError{fmt.Errorf("warehouse %q does not exist", set.Warehouse)}
		}
		k := posting.Key("stockin", key)
		if id, _, err := s.docByKey(ctx, tx, tenantID, k); err != nil || id != 0 {
			docID = id
			return err
		}
		d := posting.Doc{Op: posting.OpStockIn, Date: date}
		d.Entry.Memo = "Goods received into " + set.Warehouse
		for i, l := range lines {
			if l.Barcode == "" || !l.Qty.IsPositive() || l.UnitCost.IsNegative() {
				return &InvalidError{fmt.Errorf("line %d: needs a barcode, a positive quantity and a unit cost", i+1)}
			}
			v := l.Qty.Mul(l.UnitCost).Round(2)
			d.Lines = append(d.Lines, posting.Line{No: i + 1, Barcode: l.Barcode, Name: l.Name, Qty: l.Qty, UnitPrice: l.UnitCost, Net: v, Gross: v})
			d.Net, d.Total = d.Net.Add(v), d.Total.Add(v)
			d.Entry.Add(set.Accounts.Inventory, set.Accounts.Payables, v)
		}
		if docID, err = s.insertDoc(ctx, tx, set, newDoc{tenantID: tenantID, doc: d, key: k, sourceKind: "stockin", sourceID: key}); err != nil {
			return err
		}
		for _, l := range d.Lines {
			if err := s.moveStock(ctx, tx, tenantID, set.Warehouse, l.Barcode, docID, l.Qty, l.Net); err != nil {
				return err
			}
		}
		return nil
	})
	return docID, err
}

// Cancel cancels a posted document: it keeps its number, gets a reversal entry, and its stock
// moves are undone. A sale's write-off documents are cancelled with it. by says who (a user's
// e-mail, "API"); it is kept on the document.
func (s *DB) Cancel(ctx context.Context, tenantID, docID int64, by string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return s.cancelTx(ctx, tx, tenantID, docID, by)
	})
}

func (s *DB) cancelTx(ctx context.Context, tx *sql.Tx, tenantID, docID int64, by string) error {
	var status, date string
	err := tx.QueryRowContext(ctx, `SELECT status, doc_date FROM documents WHERE tenant_id = ? AND id = ?`, tenantID, docID).Scan(&status, &date)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("document %d: %w", docID, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if status != "posted" {
		return &InvalidError{fmt.Errorf("document %d is %s already", docID, status)}
	}
	entries, err := s.entries(ctx, tx, tenantID, "e.document_id = ?", docID)
	if err != nil {
		return err
	}
	today := s.now().In(s.zone).Format(time.DateOnly)
	closed, err := booksClosedUntil(ctx, tx, tenantID)
	if err != nil {
		return err
	}
	today, _ = posting.Settings{ClosedUntil: closed}.BookingDate(today) // never into closed books
	for _, e := range entries {
		if e.Reverses != 0 {
			continue
		}
		if _, err := s.insertEntry(ctx, tx, tenantID, docID, today, e.Entry.Reverse("Reversal of "+e.Memo), e.ID); err != nil {
			return err
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, warehouse, barcode, qty_milli, value_cents FROM stock_moves WHERE document_id = ?`, docID)
	if err != nil {
		return err
	}
	type mv struct {
		id        int64
		wh, bc    string
		qty, cent int64
	}
	var moves []mv
	for rows.Next() {
		var m mv
		if err := rows.Scan(&m.id, &m.wh, &m.bc, &m.qty, &m.cent); err != nil {
			rows.Close()
			return err
		}
		moves = append(moves, m)
	}
	rows.Close()
	for _, m := range moves {
		if m.qty > 0 {
			// Goods that came in are averaged into everything that moved after them: undoing them
			// is exact only while nothing of that item has moved since.
			var later int64
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MIN(document_id), 0) FROM stock_moves WHERE tenant_id = ? AND warehouse = ? AND barcode = ? AND id > ? AND document_id <> ?`,
				tenantID, m.wh, m.bc, m.id, docID).Scan(&later); err != nil {
				return err
			}
			if later != 0 {
				return &InvalidError{fmt.Errorf("cannot cancel document %d: %s has moved in warehouse %s since (document %d); cancel the later documents first",
					docID, m.bc, m.wh, later)}
			}
		}
		if err := s.moveStock(ctx, tx, tenantID, m.wh, m.bc, docID, decimal.New(-m.qty, -3), domain.FromCents(-m.cent)); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE documents SET status = 'cancelled', cancel_date = ?, cancelled_by = ? WHERE id = ?`, today, by, docID); err != nil {
		return err
	}
	related, err := tx.QueryContext(ctx, `SELECT id FROM documents WHERE tenant_id = ? AND related_id = ? AND op_type = ? AND status = 'posted'`, tenantID, docID, posting.OpWriteOff)
	if err != nil {
		return err
	}
	var ids []int64
	for related.Next() {
		var id int64
		if err := related.Scan(&id); err != nil {
			related.Close()
			return err
		}
		ids = append(ids, id)
	}
	related.Close()
	for _, id := range ids {
		if err := s.cancelTx(ctx, tx, tenantID, id, by); err != nil {
			return err
		}
	}
	return nil
}

// Resolve writes off an unresolved line now, optionally as another item (barcode).
func (s *DB) Resolve(ctx context.Context, tenantID, lineID int64, barcode string) (int64, error) {
	var docID int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var src, resolved, qm, storeID int64
		var bc, name, date string
		err := tx.QueryRowContext(ctx, `SELECT u.document_id, u.resolved_document_id, u.barcode, u.name, u.qty_milli, d.doc_date, d.store_id
			FROM unresolved_lines u JOIN documents d ON d.id = u.document_id WHERE u.tenant_id = ? AND u.id = ?`, tenantID, lineID).
			Scan(&src, &resolved, &bc, &name, &qm, &date, &storeID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("unresolved line %d: %w", lineID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if resolved != 0 {
			return &InvalidError{fmt.Errorf("line %d was resolved by document %d", lineID, resolved)}
		}
		if barcode != "" {
			bc = barcode
		}
		set, err := s.settings(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		// Strict: the goods move now, or nothing changes and the reason comes back.
		if docID, err = s.writeOff(ctx, tx, set, tenantID, storeID, src, date, posting.Key("resolve", fmt.Sprint(lineID)),
			[]stockLine{{no: 1, barcode: bc, name: name, qty: decimal.New(qm, -3)}}, true); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE unresolved_lines SET resolved_document_id = ? WHERE id = ?`, docID, lineID)
		return err
	})
	return docID, err
}

// RetryFailed puts a refused receipt or day close back in the posting queue.
func (s *DB) RetryFailed(ctx context.Context, tenantID int64, kind string, row int64) error {
	if kind != "receipts" && kind != "day_closes" {
		return &InvalidError{fmt.Errorf("kind %q: use receipts or day_closes", kind)}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE `+kind+` SET post_state = ? WHERE tenant_id = ? AND id = ? AND post_state = ?`, statePending, tenantID, row, stateFailed)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("no failed posting of %s %d: %w", kind, row, ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM posting_failures WHERE tenant_id = ? AND source_kind = ? AND source_row = ?`, tenantID, kind, row)
		return err
	})
}
