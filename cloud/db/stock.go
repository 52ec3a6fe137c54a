package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"tiltas/cloud/posting"
	"tiltas/shared/domain"
)

// StockBalance is an item's stock in a warehouse.
type StockBalance struct {
	Warehouse string          `json:"warehouse"`
	Barcode   string          `json:"barcode"`
	Qty       decimal.Decimal `json:"quantity"`
	Value     decimal.Decimal `json:"value"`
}

// StockBalances lists stock, optionally for one warehouse.
func (s *DB) StockBalances(ctx context.Context, tenantID int64, warehouse string) ([]StockBalance, error) {
	q, args := `SELECT warehouse, barcode, qty_milli, value_cents FROM stock_balances WHERE tenant_id = ?`, []any{tenantID}
	if warehouse != "" {
		q, args = q+` AND warehouse = ?`, append(args, warehouse)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY warehouse, barcode`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StockBalance
	for rows.Next() {
		var b StockBalance
		var qm, vc int64
		if err := rows.Scan(&b.Warehouse, &b.Barcode, &qm, &vc); err != nil {
			return nil, err
		}
		b.Qty, b.Value = decimal.New(qm, -3), domain.FromCents(vc)
		out = append(out, b)
	}
	return out, rows.Err()
}

// Unresolved is a sale line whose goods could not be written off automatically.
type Unresolved struct {
	ID         int64           `json:"id"`
	DocumentID int64           `json:"document_id"`
	LineNo     int             `json:"line_no"`
	Barcode    string          `json:"barcode"`
	Name       string          `json:"name"`
	Qty        decimal.Decimal `json:"quantity"`
	Reason     string          `json:"reason"`
	ResolvedBy int64           `json:"resolved_by,omitempty"`
}

// Unresolved lists unresolved lines: of one document (docID ≠ 0) or all still open. It reads
// every one: they are a worklist to clear, and a list cut short would hide some.
func (s *DB) Unresolved(ctx context.Context, tenantID, docID int64, openOnly bool) ([]Unresolved, error) {
	q, args := `SELECT id, document_id, line_no, barcode, name, qty_milli, reason, resolved_document_id FROM unresolved_lines WHERE tenant_id = ?`, []any{tenantID}
	if docID != 0 {
		q, args = q+` AND document_id = ?`, append(args, docID)
	}
	if openOnly {
		q += ` AND resolved_document_id = 0`
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Unresolved
	for rows.Next() {
		var u Unresolved
		var qm int64
		if err := rows.Scan(&u.ID, &u.DocumentID, &u.LineNo, &u.Barcode, &u.Name, &qm, &u.Reason, &u.ResolvedBy); err != nil {
			return nil, err
		}
		u.Qty = decimal.New(qm, -3)
		out = append(out, u)
	}
	return out, rows.Err()
}

// stockLine is a quantity of an item to move at cost.
type stockLine struct {
	no       int
	barcode  string
	name     string
	qty      decimal.Decimal // > 0: out of stock; < 0: back into stock
	unitCost decimal.Decimal // for goods coming back: the cost they left with (zero: current average)
}

func (s *DB) moveStock(ctx context.Context, tx *sql.Tx, tenantID int64, wh, barcode string, docID int64, dQty, dValue decimal.Decimal) error {
	return s.moveStocks(ctx, tx, tenantID, wh, docID, []stockMove{{barcode, dQty, dValue}})
}

// stockMove is a change of one item's stock: quantity and value, + in, − out.
type stockMove struct {
	barcode      string
	dQty, dValue decimal.Decimal
}

// moveStocks applies moves of one document to a warehouse's balances and records them, in two
// statements whatever their number (an item may repeat: its rows add up in order).
func (s *DB) moveStocks(ctx context.Context, tx *sql.Tx, tenantID int64, wh string, docID int64, moves []stockMove) error {
	if len(moves) == 0 {
		return nil
	}
	add := map[Dialect]string{
		SQLite: ` ON CONFLICT (tenant_id, warehouse, barcode) DO UPDATE SET qty_milli = qty_milli + excluded.qty_milli, value_cents = value_cents + excluded.value_cents`,
		MySQL:  ` ON DUPLICATE KEY UPDATE qty_milli = qty_milli + VALUES(qty_milli), value_cents = value_cents + VALUES(value_cents)`,
	}[s.dialect]
	now := s.nowMS()
	var bal, mv []any
	for _, m := range moves {
		qm, vc := m.dQty.Shift(3).Round(0).IntPart(), m.dValue.Shift(2).Round(0).IntPart()
		bal = append(bal, tenantID, wh, m.barcode, qm, vc)
		mv = append(mv, tenantID, wh, m.barcode, docID, qm, vc, now)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO stock_balances (tenant_id, warehouse, barcode, qty_milli, value_cents) VALUES `+rowsOf(5, len(moves))+add, bal...); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO stock_moves (tenant_id, warehouse, barcode, document_id, qty_milli, value_cents, created_ms) VALUES `+rowsOf(7, len(moves)), mv...)
	return err
}

// balances reads (and on MySQL locks, in index order) the stock balances of items.
func (s *DB) balances(ctx context.Context, tx *sql.Tx, tenantID int64, wh string, barcodes []string) (map[string][2]decimal.Decimal, error) {
	out := map[string][2]decimal.Decimal{}
	if len(barcodes) == 0 {
		return out, nil
	}
	args := []any{tenantID, wh}
	for _, b := range barcodes {
		args = append(args, b)
	}
	q := `SELECT barcode, qty_milli, value_cents FROM stock_balances WHERE tenant_id = ? AND warehouse = ? AND barcode IN (?` + strings.Repeat(",?", len(barcodes)-1) + `)`
	if s.dialect == MySQL {
		q += ` FOR UPDATE`
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var b string
		var qm, vc int64
		if err := rows.Scan(&b, &qm, &vc); err != nil {
			return nil, err
		}
		out[b] = [2]decimal.Decimal{decimal.New(qm, -3), domain.FromCents(vc)}
	}
	return out, rows.Err()
}

// writeOff takes lines out of (or back into) stock at weighted-average cost under one NUR
// document related to srcDoc. Lines that cannot move are left unresolved on srcDoc with the
// reason, or, when strict, refuse the whole write-off. It returns the write-off document id
// (0 when nothing moved).
func (s *DB) writeOff(ctx context.Context, tx *sql.Tx, set posting.Settings, tenantID, storeID, srcDoc int64, date, key string, lines []stockLine, strict bool) (int64, error) {
	type moved struct {
		l     stockLine
		value decimal.Decimal // > 0 out of stock
	}
	var ok []moved
	// What earlier lines of this write-off already take from each item (lines may repeat an item).
	plannedQty, plannedValue := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
	var barcodes []string
	for _, l := range lines {
		barcodes = append(barcodes, l.barcode)
	}
	held, err := s.balances(ctx, tx, tenantID, set.Warehouse, barcodes)
	if err != nil {
		return 0, err
	}
	for _, l := range lines {
		b, found := held[l.barcode]
		qty, value := b[0].Sub(plannedQty[l.barcode]), b[1].Sub(plannedValue[l.barcode])
		reason := ""
		var v decimal.Decimal
		switch {
		case l.qty.IsPositive() && !found:
			reason = fmt.Sprintf("no stock of %s in warehouse %s: receive it (stock receipt) or write off another item", l.barcode, set.Warehouse)
		case l.qty.IsPositive() && qty.LessThan(l.qty):
			reason = fmt.Sprintf("warehouse %s holds %s of %s, the line needs %s", set.Warehouse, qty, l.barcode, l.qty)
		case l.qty.IsPositive():
			v = posting.WriteOffValue(l.qty, qty, value)
		case !l.unitCost.IsZero():
			v = l.qty.Mul(l.unitCost).Round(2) // goods back at the cost they left with
		case found && qty.IsPositive():
			v = l.qty.Mul(value.Div(qty)).Round(2)
		default:
			reason = fmt.Sprintf("no cost known for returned %s: put it back with a stock receipt", l.barcode)
		}
		if reason != "" && strict {
			return 0, &InvalidError{errors.New(reason)}
		}
		if reason != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO unresolved_lines (tenant_id, document_id, line_no, barcode, name, qty_milli, reason, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				tenantID, srcDoc, l.no, l.barcode, l.name, l.qty.Shift(3).Round(0).IntPart(), reason, s.nowMS()); err != nil {
				return 0, fmt.Errorf("record unresolved line: %w", err)
			}
			continue
		}
		ok = append(ok, moved{l, v})
		plannedQty[l.barcode] = plannedQty[l.barcode].Add(l.qty)
		plannedValue[l.barcode] = plannedValue[l.barcode].Add(v)
	}
	if len(ok) == 0 {
		return 0, nil
	}
	d := posting.Doc{Op: posting.OpWriteOff, Date: date}
	d.Entry.Memo = "Goods at cost"
	for i, m := range ok {
		d.Lines = append(d.Lines, posting.Line{No: i + 1, Barcode: m.l.barcode, Name: m.l.name, Qty: m.l.qty, UnitPrice: m.value.Div(m.l.qty).Round(2), Net: m.value, Gross: m.value})
		d.Net, d.Total = d.Net.Add(m.value), d.Total.Add(m.value)
		d.Entry.Add(set.Accounts.COGS, set.Accounts.Inventory, m.value)
	}
	docID, err := s.insertDoc(ctx, tx, set, newDoc{tenantID: tenantID, storeID: storeID, doc: d, key: key, sourceKind: "document", sourceID: fmt.Sprint(srcDoc), relatedID: srcDoc})
	if err != nil {
		return 0, err
	}
	var moves []stockMove
	for _, m := range ok {
		moves = append(moves, stockMove{m.l.barcode, m.l.qty.Neg(), m.value.Neg()})
	}
	if err := s.moveStocks(ctx, tx, tenantID, set.Warehouse, docID, moves); err != nil {
		return 0, err
	}
	return docID, nil
}
