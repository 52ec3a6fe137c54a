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

// The Lithuanian sample chart every new tenant starts with; all of it is editable.
var sampleAccounts = []struct{ code, name, kind string }{
	{"2040", "Prekės, skirtos perparduoti (goods for resale)", "asset"},
	{"2410", "Pirkėjų skolos (trade receivables)", "asset"},
	{"2711", "Sąskaita banke (bank)", "asset"},
	{"2712", "Mokėjimo kortelių įplaukos pakeliui (card settlements)", "asset"},
	{"2721", "Kasa (cash)", "asset"},
	{"4430", "Skolos tiekėjams (trade payables)", "liability"},
	{"4480", "Dovanų kuponai (vouchers issued)", "liability"},
	{"4492", "Mokėtinas PVM (VAT payable)", "liability"},
	{"5000", "Prekių pardavimo pajamos (sales of goods)", "revenue"},
	{"5001", "Paslaugų pardavimo pajamos (sales of services)", "revenue"},
	{"5009", "Grynųjų apvalinimas (cash rounding)", "revenue"},
	{"5090", "Grąžinimai ir nuolaidos (returns and discounts)", "revenue"},
	{"6000", "Parduotų prekių savikaina (cost of goods sold)", "expense"},
}

var sampleOps = []struct{ code, name, series, debit, credit string }{
	{posting.OpSale, "Pardavimas kasoje (receipt sale)", "KVT", "2410", "5000"},
	{posting.OpInvoice, "PVM sąskaita faktūra (SF invoice)", "SF", "2410", "5000"},
	{posting.OpReturn, "Grąžinimas (credit note)", "GRZ", "5090", "2410"},
	{posting.OpDaySheet, "Dienos žiniaraštis (day sheet)", "DKZ", "2410", "5000"},
	{posting.OpWriteOff, "Nurašymas (write-off)", "NUR", "6000", "2040"},
	{posting.OpStockIn, "Pajamavimas (goods received)", "PAJ", "2040", "4430"},
}

var sampleClassifiers = []struct {
	bp         int64
	code, name string
}{{2100, "PVM1", "Standard rate 21%"}, {900, "PVM2", "Reduced rate 9%"}, {500, "PVM3", "Reduced rate 5%"}, {1200, "PVM58", "Reduced rate 12%"}, {0, "PVM5", "0% rate"}}

// seedBooks gives a new tenant the sample chart, operation types with series, VAT classifiers,
// payment accounts, POS settings and a MAIN warehouse.
func (s *DB) seedBooks(ctx context.Context, tx *sql.Tx, tenantID int64) error {
	for _, a := range sampleAccounts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (tenant_id, code, name, kind) VALUES (?, ?, ?, ?)`, tenantID, a.code, a.name, a.kind); err != nil {
			return err
		}
	}
	for _, o := range sampleOps {
		if _, err := tx.ExecContext(ctx, `INSERT INTO operation_types (tenant_id, code, name, series, debit_account, credit_account) VALUES (?, ?, ?, ?, ?, ?)`,
			tenantID, o.code, o.name, o.series, o.debit, o.credit); err != nil {
			return err
		}
	}
	for _, c := range sampleClassifiers {
		if _, err := tx.ExecContext(ctx, `INSERT INTO vat_classifiers (tenant_id, rate_bp, code, name) VALUES (?, ?, ?, ?)`, tenantID, c.bp, c.code, c.name); err != nil {
			return err
		}
	}
	for code, acct := range map[string]string{"CASH": "2721", "CARD": "2712", "VOUCHER": "4480"} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO payment_accounts (tenant_id, payment_code, account) VALUES (?, ?, ?)`, tenantID, code, acct); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO pos_settings (tenant_id, mode, auto_writeoff, returns_to_stock, warehouse, vat_account, rounding_account, services_account)
		VALUES (?, 'receipt', 1, 1, 'MAIN', '4492', '5009', '5001')`, tenantID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO warehouses (tenant_id, code, name) VALUES (?, 'MAIN', 'Main warehouse')`, tenantID); err != nil {
		return err
	}
	return s.seedMarket(ctx, tx, tenantID)
}

// rowsOf is the VALUES list for n rows of cols placeholders: (?,?),(?,?)...
func rowsOf(cols, n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}

// queryer is a *sql.DB or *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// Settings reads a tenant's posting settings.
func (s *DB) Settings(ctx context.Context, tenantID int64) (posting.Settings, error) {
	return s.settings(ctx, s.db, tenantID)
}

func (s *DB) settings(ctx context.Context, q queryer, tenantID int64) (posting.Settings, error) {
	set := posting.Settings{Zone: s.zone, Payments: map[string]string{}, Classifiers: map[string]string{}, Series: map[string]string{}, StoreModes: map[int64]string{}}
	var auto, back int
	err := q.QueryRowContext(ctx, `SELECT mode, auto_writeoff, returns_to_stock, warehouse, vat_account, rounding_account, services_account, books_closed_until FROM pos_settings WHERE tenant_id = ?`, tenantID).
		Scan(&set.Mode, &auto, &back, &set.Warehouse, &set.Accounts.VAT, &set.Accounts.Rounding, &set.Accounts.Services, &set.ClosedUntil)
	if err != nil {
		return set, fmt.Errorf("read POS settings: %w", err)
	}
	set.AutoWriteOff, set.ReturnsToStock = auto != 0, back != 0
	rows, err := q.QueryContext(ctx, `SELECT code, series, debit_account, credit_account FROM operation_types WHERE tenant_id = ?`, tenantID)
	if err != nil {
		return set, err
	}
	for rows.Next() {
		var code, series, dr, cr string
		if err := rows.Scan(&code, &series, &dr, &cr); err != nil {
			rows.Close()
			return set, err
		}
		set.Series[code] = series
		switch code {
		case posting.OpSale:
			set.Accounts.Receivable, set.Accounts.Goods = dr, cr
		case posting.OpReturn:
			set.Accounts.Returns = dr
		case posting.OpWriteOff:
			set.Accounts.COGS, set.Accounts.Inventory = dr, cr
		case posting.OpStockIn:
			set.Accounts.Payables = cr
		}
	}
	rows.Close()
	if rows, err = q.QueryContext(ctx, `SELECT payment_code, account FROM payment_accounts WHERE tenant_id = ?`, tenantID); err != nil {
		return set, err
	}
	for rows.Next() {
		var code, acct string
		if err := rows.Scan(&code, &acct); err != nil {
			rows.Close()
			return set, err
		}
		set.Payments[code] = acct
	}
	rows.Close()
	if rows, err = q.QueryContext(ctx, `SELECT id, pos_mode FROM stores WHERE tenant_id = ? AND pos_mode IS NOT NULL`, tenantID); err != nil {
		return set, err
	}
	for rows.Next() {
		var id int64
		var mode string
		if err := rows.Scan(&id, &mode); err != nil {
			rows.Close()
			return set, err
		}
		set.StoreModes[id] = mode
	}
	rows.Close()
	if rows, err = q.QueryContext(ctx, `SELECT rate_bp, code FROM vat_classifiers WHERE tenant_id = ?`, tenantID); err != nil {
		return set, err
	}
	defer rows.Close()
	for rows.Next() {
		var bp int64
		var code string
		if err := rows.Scan(&bp, &code); err != nil {
			return set, err
		}
		set.Classifiers[domain.FromCents(bp).String()] = code
	}
	return set, rows.Err()
}

// nextNumber takes the next number of a document series. The counter row stays locked until
// the transaction ends, so numbers are gapless and never reused: a rolled-back posting gives
// its number back.
func (s *DB) nextNumber(ctx context.Context, tx *sql.Tx, tenantID int64, series string) (int64, error) {
	name := "series:" + series
	q := `SELECT value FROM counters WHERE tenant_id = ? AND name = ?`
	if s.dialect == MySQL {
		q += ` FOR UPDATE`
	}
	var v int64
	err := tx.QueryRowContext(ctx, q, tenantID, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO counters (tenant_id, name, value) VALUES (?, ?, 1)`, tenantID, name); err != nil {
			return 0, err
		}
		return 1, nil
	}
	if err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE counters SET value = ? WHERE tenant_id = ? AND name = ?`, v+1, tenantID, name)
	return v + 1, err
}

// newDoc says where a document comes from.
type newDoc struct {
	tenantID, storeID int64
	doc               posting.Doc
	key, hash         string
	sourceKind        string
	sourceID          string
	customerID        int64
	relatedID         int64
	currency          string          // empty: EUR
	fx                decimal.Decimal // currency per EUR
	totalCurrency     decimal.Decimal // the total in that currency
}

// insertDoc numbers and stores a document, its lines and its entry.
func (s *DB) insertDoc(ctx context.Context, tx *sql.Tx, set posting.Settings, n newDoc) (int64, error) {
	series := set.Series[n.doc.Op]
	if series == "" {
		return 0, &posting.Error{Msg: fmt.Sprintf("operation type %q has no document series: add it in the settings", n.doc.Op)}
	}
	// Books closed up to a day take nothing dated into them: such a document is booked on the
	// first open day, and its entry says so.
	if date, note := set.BookingDate(n.doc.Date); note != "" {
		n.doc.Date = date
		n.doc.Entry.Memo += " (" + note + ")"
	}
	number, err := s.nextNumber(ctx, tx, n.tenantID, series)
	if err != nil {
		return 0, fmt.Errorf("number in series %s: %w", series, err)
	}
	c := func(d decimal.Decimal) int64 { v, _ := domain.Cents(d); return v }
	currency, fx, inCurrency := "EUR", decimal.NewFromInt(1), n.doc.Total
	if n.currency != "" {
		currency, fx, inCurrency = n.currency, n.fx, n.totalCurrency
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO documents (tenant_id, store_id, op_type, series, number, doc_date, customer_id, source_kind, source_id, related_id,
		net_cents, vat_cents, total_cents, status, idem_key, input_hash, created_ms, currency, fx_rate, total_currency_cents, treatment, country)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'posted', ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.tenantID, n.storeID, n.doc.Op, series, number, n.doc.Date, n.customerID, n.sourceKind, n.sourceID, n.relatedID,
		c(n.doc.Net), c(n.doc.VAT), c(n.doc.Total), n.key, n.hash, s.nowMS(), currency, fx.String(), c(inCurrency), n.doc.Treatment, n.doc.Country)
	if err != nil {
		return 0, fmt.Errorf("store document: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if len(n.doc.Lines) > 0 {
		var args []any
		for _, l := range n.doc.Lines {
			bp, _ := domain.Cents(l.Rate)
			netCur, vatCur := l.NetCur, l.VATCur
			if netCur.IsZero() && vatCur.IsZero() {
				netCur, vatCur = l.Net, l.VAT
			}
			args = append(args, id, l.No, l.Barcode, l.Name, l.Qty.Shift(3).Round(0).IntPart(), c(l.UnitPrice.Round(2)), c(l.Discount),
				c(l.Net), c(l.VAT), c(l.Gross), bp, l.Class, c(netCur), c(vatCur))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO document_lines (document_id, line_no, barcode, name, qty_milli, unit_price_cents, discount_cents, net_cents, vat_cents, gross_cents, vat_rate_bp, vat_class, net_currency_cents, vat_currency_cents)
			VALUES `+rowsOf(14, len(n.doc.Lines)), args...); err != nil {
			return 0, fmt.Errorf("store document lines: %w", err)
		}
	}
	if _, err := s.insertEntry(ctx, tx, n.tenantID, id, n.doc.Date, n.doc.Entry, 0); err != nil {
		return 0, err
	}
	return id, nil
}

// insertEntry stores a journal entry after checking it again inside the transaction.
func (s *DB) insertEntry(ctx context.Context, tx *sql.Tx, tenantID, docID int64, date string, e posting.Entry, reverses int64) (int64, error) {
	if err := e.Check(); err != nil {
		return 0, &posting.Error{Msg: "journal entry refused: " + err.Error()}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO journal_entries (tenant_id, document_id, entry_date, memo, reverses_entry, created_ms) VALUES (?, ?, ?, ?, ?, ?)`,
		tenantID, docID, date, e.Memo, reverses, s.nowMS())
	if err != nil {
		return 0, fmt.Errorf("store journal entry: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	var args []any
	for i, m := range e.Moves {
		amt, _ := domain.Cents(m.Amount)
		args = append(args, id, i+1, tenantID, m.Debit, m.Credit, amt)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO postings (entry_id, line_no, tenant_id, debit, credit, amount_cents) VALUES `+rowsOf(6, len(e.Moves)), args...); err != nil {
		return 0, fmt.Errorf("store postings: %w", err)
	}
	// Read back inside the transaction: what is stored is the whole entry.
	var n int
	var sum sql.NullInt64
	var want int64
	for _, m := range e.Moves {
		c, _ := domain.Cents(m.Amount)
		want += c
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), SUM(amount_cents) FROM postings WHERE entry_id = ?`, id).Scan(&n, &sum); err != nil {
		return 0, err
	}
	if n != len(e.Moves) || sum.Int64 != want {
		return 0, fmt.Errorf("entry %d stored %d moves worth %d cents, want %d worth %d", id, n, sum.Int64, len(e.Moves), want)
	}
	return id, nil
}

// docByKey finds a document by its idempotency key.
func (s *DB) docByKey(ctx context.Context, q queryer, tenantID int64, key string) (id int64, hash string, err error) {
	err = q.QueryRowContext(ctx, `SELECT id, input_hash FROM documents WHERE tenant_id = ? AND idem_key = ?`, tenantID, key).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	return id, hash, err
}

// customerFor finds the buyer by code or creates it; an existing customer is never modified.
func (s *DB) customerFor(ctx context.Context, tx *sql.Tx, tenantID int64, b *domain.Buyer) (int64, error) {
	if b == nil || b.Code == "" {
		return 0, nil
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM customers WHERE tenant_id = ? AND code = ?`, tenantID, b.Code).Scan(&id)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return id, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO customers (tenant_id, code, vat_code, name, address, created_ms) VALUES (?, ?, ?, ?, ?, ?)`,
		tenantID, b.Code, b.VATCode, b.Name, b.Address, s.nowMS())
	if err != nil {
		return 0, fmt.Errorf("create customer %s: %w", b.Code, err)
	}
	return res.LastInsertId()
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
