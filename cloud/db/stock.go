package db

import (
	"context"
	"database/sql"

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
	return queryAll(ctx, s.db, func(sc scanner) (StockBalance, error) {
		var b StockBalance
		var qm, vc int64
		err := sc.Scan(&b.Warehouse, &b.Barcode, &qm, &vc)
		b.Qty, b.Value = decimal.New(qm, -3), domain.FromCents(vc)
		return b, err
	}, q+` ORDER BY warehouse, barcode`, args...)
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
	return queryAll(ctx, s.db, func(sc scanner) (Unresolved, error) {
		var u Unresolved
		var qm int64
		err := sc.Scan(&u.ID, &u.DocumentID, &u.LineNo, &u.Barcode, &u.Name, &qm, &u.Reason, &u.ResolvedBy)
		u.Qty = decimal.New(qm, -3)
		return u, err
	}, q+` ORDER BY id`, args...)
}

// moveStocks applies moves of one document to a warehouse's balances and records them, in two
// statements whatever their number (an item may repeat: its rows add up in order).
func (s *DB) moveStocks(ctx context.Context, tx *sql.Tx, tenantID int64, wh string, docID int64, moves []posting.StockMove) error {
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
		qm, vc := m.Qty.Shift(3).Round(0).IntPart(), m.Value.Shift(2).Round(0).IntPart()
		bal = append(bal, tenantID, wh, m.Barcode, qm, vc)
		mv = append(mv, tenantID, wh, m.Barcode, docID, qm, vc, now)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO stock_balances (tenant_id, warehouse, barcode, qty_milli, value_cents) VALUES `+rowsOf(5, len(moves))+add, bal...); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO stock_moves (tenant_id, warehouse, barcode, document_id, qty_milli, value_cents, created_ms) VALUES `+rowsOf(7, len(moves)), mv...)
	return err
}
