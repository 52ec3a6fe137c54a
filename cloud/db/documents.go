package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"tiltas/cloud/posting"
	"tiltas/shared/domain"
)

// DocSummary is a document in a list.
type DocSummary struct {
	ID         int64           `json:"id"`
	Op         string          `json:"operation"`
	Series     string          `json:"series"`
	Number     int64           `json:"number"`
	Date       string          `json:"date"`
	Store      string          `json:"store,omitempty"`
	Account    string          `json:"market_account,omitempty"` // the marketplace account an order's document was booked under (its name then)
	Customer   string          `json:"customer,omitempty"`
	SourceKind string          `json:"source_kind"`
	SourceID   string          `json:"source_id"`
	RelatedID  int64           `json:"related_id,omitempty"`
	Net        decimal.Decimal `json:"net"`
	VAT        decimal.Decimal `json:"vat"`
	Total      decimal.Decimal `json:"total"`
	Status     string          `json:"status"`
	// A cancelled document: the day it was cancelled and by whom (an e-mail, API, or the marketplace).
	CancelDate  string `json:"cancel_date,omitempty"`
	CancelledBy string `json:"cancelled_by,omitempty"`
	// A document in another currency: the total in it and the rate used (currency per EUR).
	Currency      string          `json:"currency"`
	FXRate        string          `json:"fx_rate"`
	TotalCurrency decimal.Decimal `json:"total_in_currency"`
}

// DocQuery searches documents.
type DocQuery struct {
	TenantID         int64
	From, To         string // dates, inclusive
	Series           string
	Number           int64
	Customer         string // code or part of the name
	Store            string
	Account          string // a marketplace account's name: the documents of its orders
	Op               string
	SourceKind       string // with SourceID: the documents a receipt or order produced
	SourceID         string
	MinTotal, MaxTot *decimal.Decimal
	AfterID          int64
	Limit            int
}

const docCols = `d.id, d.op_type, d.series, d.number, d.doc_date, COALESCE(s.code, ''), COALESCE(c.name, ''), d.source_kind, d.source_id, d.related_id, d.net_cents, d.vat_cents, d.total_cents, d.status, d.currency, d.fx_rate, d.total_currency_cents, d.cancel_date, d.cancelled_by`

// scanDoc reads docCols, then any extra columns selected after them into extra.
func scanDoc(sc scanner, extra ...any) (DocSummary, error) {
	var d DocSummary
	var net, vat, total, inCur int64
	err := sc.Scan(append([]any{&d.ID, &d.Op, &d.Series, &d.Number, &d.Date, &d.Store, &d.Customer, &d.SourceKind, &d.SourceID, &d.RelatedID, &net, &vat, &total, &d.Status,
		&d.Currency, &d.FXRate, &inCur, &d.CancelDate, &d.CancelledBy}, extra...)...)
	d.Net, d.VAT, d.Total, d.TotalCurrency = domain.FromCents(net), domain.FromCents(vat), domain.FromCents(total), domain.FromCents(inCur)
	if d.SourceKind == "order" { // source id: "<account name>:<order id>"
		if i := strings.LastIndex(d.SourceID, ":"); i > 0 {
			d.Account = d.SourceID[:i]
		}
	}
	return d, err
}

// Documents searches a tenant's documents, oldest first.
func (s *DB) Documents(ctx context.Context, q DocQuery) ([]DocSummary, error) {
	where, args := []string{"d.tenant_id = ?", "d.id > ?"}, []any{q.TenantID, q.AfterID}
	add := func(cond string, v any) { where, args = append(where, cond), append(args, v) }
	if q.From != "" {
		add("d.doc_date >= ?", q.From)
	}
	if q.To != "" {
		add("d.doc_date <= ?", q.To)
	}
	if q.Series != "" {
		add("d.series = ?", q.Series)
	}
	if q.Number != 0 {
		add("d.number = ?", q.Number)
	}
	if q.Op != "" {
		add("d.op_type = ?", q.Op)
	}
	if q.SourceKind != "" {
		add("d.source_kind = ?", q.SourceKind)
	}
	if q.SourceID != "" {
		add("d.source_id = ?", q.SourceID)
	}
	if q.Store != "" {
		add("s.code = ?", q.Store)
	}
	if q.Account != "" {
		// By the account's id in the documents' keys: a renamed account keeps its documents.
		var id int64
		err := s.db.QueryRowContext(ctx, `SELECT id FROM market_accounts WHERE tenant_id = ? AND name = ?`, q.TenantID, q.Account).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil // no such account: no documents
		}
		if err != nil {
			return nil, fmt.Errorf("find marketplace account %q: %w", q.Account, err)
		}
		prefix := orderDocKeyPrefix(id)
		where = append(where, "d.source_kind = 'order' AND SUBSTR(d.idem_key, 1, ?) = ?")
		args = append(args, len(prefix), prefix)
	}
	if q.Customer != "" {
		where = append(where, "(c.code = ? OR LOWER(c.name) LIKE ?)")
		args = append(args, q.Customer, "%"+strings.ToLower(q.Customer)+"%")
	}
	if q.MinTotal != nil {
		c, _ := domain.Cents(q.MinTotal.Round(2))
		add("d.total_cents >= ?", c)
	}
	if q.MaxTot != nil {
		c, _ := domain.Cents(q.MaxTot.Round(2))
		add("d.total_cents <= ?", c)
	}
	limit := PageLimit(q.Limit)
	out, err := queryAll(ctx, s.db, func(sc scanner) (DocSummary, error) { return scanDoc(sc) }, `SELECT `+docCols+` FROM documents d LEFT JOIN stores s ON s.id = d.store_id LEFT JOIN customers c ON c.id = d.customer_id
		WHERE `+strings.Join(where, " AND ")+fmt.Sprintf(` ORDER BY d.id LIMIT %d`, limit), args...)
	if err != nil {
		return nil, fmt.Errorf("search documents: %w", err)
	}
	return out, nil
}

// DocDetail is a document with its lines, entries, customer and source.
type DocDetail struct {
	DocSummary
	CustomerCode    string          `json:"customer_code,omitempty"`
	CustomerVATCode string          `json:"customer_vat_code,omitempty"`
	Lines           []posting.Line  `json:"lines"`
	Entries         []EntryRecord   `json:"entries"`
	Source          json.RawMessage `json:"source,omitempty"`
	Unresolved      []Unresolved    `json:"unresolved,omitempty"`
}

// Document reads one document of the tenant.
func (s *DB) Document(ctx context.Context, tenantID, id int64) (DocDetail, error) {
	var d DocDetail
	row := s.db.QueryRowContext(ctx, `SELECT `+docCols+`, COALESCE(c.code, ''), COALESCE(c.vat_code, '') FROM documents d LEFT JOIN stores s ON s.id = d.store_id
		LEFT JOIN customers c ON c.id = d.customer_id WHERE d.tenant_id = ? AND d.id = ?`, tenantID, id)
	sum, err := scanDoc(row, &d.CustomerCode, &d.CustomerVATCode)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("document %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return d, err
	}
	d.DocSummary = sum
	d.Lines, err = queryAll(ctx, s.db, func(sc scanner) (posting.Line, error) {
		var l posting.Line
		var q, up, disc, n, v, g, bp int64
		err := sc.Scan(&l.No, &l.Barcode, &l.Name, &q, &up, &disc, &n, &v, &g, &bp, &l.Class)
		l.Qty, l.UnitPrice, l.Discount = decimal.New(q, -3), domain.FromCents(up), domain.FromCents(disc)
		l.Net, l.VAT, l.Gross, l.Rate = domain.FromCents(n), domain.FromCents(v), domain.FromCents(g), domain.FromCents(bp)
		return l, err
	}, `SELECT line_no, barcode, name, qty_milli, unit_price_cents, discount_cents, net_cents, vat_cents, gross_cents, vat_rate_bp, vat_class
		FROM document_lines WHERE document_id = ? ORDER BY line_no`, id)
	if err != nil {
		return d, err
	}
	if d.Entries, err = s.entries(ctx, s.db, tenantID, "e.document_id = ?", id); err != nil {
		return d, err
	}
	if d.SourceKind == "receipt" {
		var p string
		if err := s.db.QueryRowContext(ctx, `SELECT r.payload FROM receipts r WHERE r.tenant_id = ? AND r.source_id = ? AND r.store_id = (SELECT store_id FROM documents WHERE id = ?)`,
			tenantID, d.SourceID, id).Scan(&p); err == nil {
			d.Source = json.RawMessage(p)
		}
	}
	if d.Unresolved, err = s.Unresolved(ctx, tenantID, id, false); err != nil {
		return d, err
	}
	return d, nil
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

// insertDoc numbers and stores a document, its lines and its entry.
func (s *DB) insertDoc(ctx context.Context, tx *sql.Tx, n NewDoc) (int64, error) {
	series := n.Series
	if series == "" {
		return 0, errors.New("a document needs a series")
	}
	number, err := s.nextNumber(ctx, tx, n.TenantID, series)
	if err != nil {
		return 0, fmt.Errorf("number in series %s: %w", series, err)
	}
	c := func(d decimal.Decimal) int64 { v, _ := domain.Cents(d); return v }
	currency, fx, inCurrency := "EUR", decimal.NewFromInt(1), n.Doc.Total
	if n.Currency != "" {
		currency, fx, inCurrency = n.Currency, n.FX, n.TotalCurrency
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO documents (tenant_id, store_id, op_type, series, number, doc_date, customer_id, source_kind, source_id, related_id,
		net_cents, vat_cents, total_cents, status, idem_key, input_hash, created_ms, currency, fx_rate, total_currency_cents, treatment, country)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'posted', ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.TenantID, n.StoreID, n.Doc.Op, series, number, n.Doc.Date, n.CustomerID, n.SourceKind, n.SourceID, n.RelatedID,
		c(n.Doc.Net), c(n.Doc.VAT), c(n.Doc.Total), n.Key, n.Hash, s.nowMS(), currency, fx.String(), c(inCurrency), n.Doc.Treatment, n.Doc.Country)
	if err != nil {
		return 0, fmt.Errorf("store document: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if len(n.Doc.Lines) > 0 {
		var args []any
		for _, l := range n.Doc.Lines {
			bp, _ := domain.Cents(l.Rate)
			netCur, vatCur := l.NetCur, l.VATCur
			if netCur.IsZero() && vatCur.IsZero() {
				netCur, vatCur = l.Net, l.VAT
			}
			args = append(args, id, l.No, l.Barcode, l.Name, l.Qty.Shift(3).Round(0).IntPart(), c(l.UnitPrice.Round(2)), c(l.Discount.Round(2)),
				c(l.Net), c(l.VAT), c(l.Gross), bp, l.Class, c(netCur), c(vatCur))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO document_lines (document_id, line_no, barcode, name, qty_milli, unit_price_cents, discount_cents, net_cents, vat_cents, gross_cents, vat_rate_bp, vat_class, net_currency_cents, vat_currency_cents)
			VALUES `+rowsOf(14, len(n.Doc.Lines)), args...); err != nil {
			return 0, fmt.Errorf("store document lines: %w", err)
		}
	}
	if _, err := s.insertEntry(ctx, tx, n.TenantID, id, n.Doc.Date, n.Doc.Entry, 0); err != nil {
		return 0, err
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
