package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"tiltas/cloud/posting"
	"tiltas/shared/domain"
)

// EntryRecord is a stored journal entry.
type EntryRecord struct {
	ID         int64  `json:"id"`
	DocumentID int64  `json:"document_id"`
	Date       string `json:"date"`
	Reverses   int64  `json:"reverses_entry,omitempty"`
	posting.Entry
}

// entries reads entries matching where (on journal_entries e) with their moves.
func (s *DB) entries(ctx context.Context, q queryer, tenantID int64, where string, args ...any) ([]EntryRecord, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.id, e.document_id, e.entry_date, e.memo, e.reverses_entry, p.debit, p.credit, p.amount_cents
		FROM journal_entries e JOIN postings p ON p.entry_id = e.id WHERE e.tenant_id = ? AND `+where+` ORDER BY e.id, p.line_no`, append([]any{tenantID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	defer rows.Close()
	var out []EntryRecord
	for rows.Next() {
		var e EntryRecord
		var m posting.Move
		var cents int64
		if err := rows.Scan(&e.ID, &e.DocumentID, &e.Date, &e.Memo, &e.Reverses, &m.Debit, &m.Credit, &cents); err != nil {
			return nil, err
		}
		m.Amount = domain.FromCents(cents)
		if n := len(out); n > 0 && out[n-1].ID == e.ID {
			out[n-1].Moves = append(out[n-1].Moves, m)
			continue
		}
		e.Moves = []posting.Move{m}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Journal lists entries dated in [from, to] (YYYY-MM-DD; empty for open-ended), a page of
// limit entries after afterID.
func (s *DB) Journal(ctx context.Context, tenantID int64, from, to string, afterID int64, limit int) ([]EntryRecord, error) {
	if limit <= 0 || limit > 5000 {
		limit = 500
	}
	q, args := `SELECT id FROM journal_entries WHERE tenant_id = ? AND id > ?`, []any{tenantID, afterID}
	if from != "" {
		q, args = q+` AND entry_date >= ?`, append(args, from)
	}
	if to != "" {
		q, args = q+` AND entry_date <= ?`, append(args, to)
	}
	rows, err := s.db.QueryContext(ctx, q+fmt.Sprintf(` ORDER BY id LIMIT %d`, limit), args...)
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) == 0 {
		return nil, rows.Err()
	}
	return s.entries(ctx, s.db, tenantID, "e.id IN (?"+strings.Repeat(",?", len(ids)-1)+")", ids...)
}

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
func scanDoc(sc interface{ Scan(...any) error }, extra ...any) (DocSummary, error) {
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
	limit := q.Limit
	if limit <= 0 || limit > 5000 {
		limit = 500
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+docCols+` FROM documents d LEFT JOIN stores s ON s.id = d.store_id LEFT JOIN customers c ON c.id = d.customer_id
		WHERE `+strings.Join(where, " AND ")+fmt.Sprintf(` ORDER BY d.id LIMIT %d`, limit), args...)
	if err != nil {
		return nil, fmt.Errorf("search documents: %w", err)
	}
	defer rows.Close()
	var out []DocSummary
	for rows.Next() {
		d, err := scanDoc(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
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
	rows, err := s.db.QueryContext(ctx, `SELECT line_no, barcode, name, qty_milli, unit_price_cents, discount_cents, net_cents, vat_cents, gross_cents, vat_rate_bp, vat_class
		FROM document_lines WHERE document_id = ? ORDER BY line_no`, id)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		var l posting.Line
		var q, up, disc, n, v, g, bp int64
		if err := rows.Scan(&l.No, &l.Barcode, &l.Name, &q, &up, &disc, &n, &v, &g, &bp, &l.Class); err != nil {
			rows.Close()
			return d, err
		}
		l.Qty, l.UnitPrice, l.Discount = decimal.New(q, -3), domain.FromCents(up), domain.FromCents(disc)
		l.Net, l.VAT, l.Gross, l.Rate = domain.FromCents(n), domain.FromCents(v), domain.FromCents(g), domain.FromCents(bp)
		d.Lines = append(d.Lines, l)
	}
	rows.Close()
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

// AccountBalance is one line of the trial balance.
type AccountBalance struct {
	Account string          `json:"account"`
	Name    string          `json:"name"`
	Debit   decimal.Decimal `json:"debit"`
	Credit  decimal.Decimal `json:"credit"`
	Balance decimal.Decimal `json:"balance"` // debit − credit
}

// TrialBalance sums every account's moves dated up to and including to (empty: all).
func (s *DB) TrialBalance(ctx context.Context, tenantID int64, to string) ([]AccountBalance, error) {
	if to == "" {
		to = "9999-12-31"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT acct, SUM(dr), SUM(cr) FROM (
		SELECT p.debit AS acct, p.amount_cents AS dr, 0 AS cr FROM postings p JOIN journal_entries e ON e.id = p.entry_id WHERE p.tenant_id = ? AND e.entry_date <= ?
		UNION ALL
		SELECT p.credit AS acct, 0 AS dr, p.amount_cents AS cr FROM postings p JOIN journal_entries e ON e.id = p.entry_id WHERE p.tenant_id = ? AND e.entry_date <= ?
	) m GROUP BY acct ORDER BY acct`, tenantID, to, tenantID, to)
	if err != nil {
		return nil, fmt.Errorf("trial balance: %w", err)
	}
	defer rows.Close()
	names, err := s.accountNames(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var out []AccountBalance
	for rows.Next() {
		var a AccountBalance
		var dr, cr int64
		if err := rows.Scan(&a.Account, &dr, &cr); err != nil {
			return nil, err
		}
		a.Name = names[a.Account]
		a.Debit, a.Credit, a.Balance = domain.FromCents(dr), domain.FromCents(cr), domain.FromCents(dr-cr)
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *DB) accountNames(ctx context.Context, tenantID int64) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT code, name FROM accounts WHERE tenant_id = ?`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var c, n string
		if err := rows.Scan(&c, &n); err != nil {
			return nil, err
		}
		out[c] = n
	}
	return out, rows.Err()
}

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

// Unresolved lists unresolved lines: of one document (docID ≠ 0) or all still open.
func (s *DB) Unresolved(ctx context.Context, tenantID, docID int64, openOnly bool) ([]Unresolved, error) {
	q, args := `SELECT id, document_id, line_no, barcode, name, qty_milli, reason, resolved_document_id FROM unresolved_lines WHERE tenant_id = ?`, []any{tenantID}
	if docID != 0 {
		q, args = q+` AND document_id = ?`, append(args, docID)
	}
	if openOnly {
		q += ` AND resolved_document_id = 0`
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY id LIMIT 5000`, args...)
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

// PostingFailure is a receipt or Z the books refused, with the reason.
type PostingFailure struct {
	Kind    string `json:"kind"`
	Row     int64  `json:"row"`
	Message string `json:"message"`
}

// PostingFailures lists a tenant's refused postings.
func (s *DB) PostingFailures(ctx context.Context, tenantID int64) ([]PostingFailure, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT source_kind, source_row, message FROM posting_failures WHERE tenant_id = ? ORDER BY at_ms`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []PostingFailure{}
	for rows.Next() {
		var f PostingFailure
		if err := rows.Scan(&f.Kind, &f.Row, &f.Message); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Difference is one mismatch between a Z report and its receipts.
type Difference struct {
	What     string          `json:"what"` // "VAT 21%" or "payment CASH"
	Z        decimal.Decimal `json:"z"`
	Receipts decimal.Decimal `json:"receipts"`
	Diff     decimal.Decimal `json:"difference"`
}

// Reconciliation compares one Z report with the receipts the cloud holds for its session.
type Reconciliation struct {
	Store       string       `json:"store"`
	Register    string       `json:"register"`
	ZNumber     string       `json:"z_number"`
	Date        string       `json:"date"`
	ZReceipts   int          `json:"z_receipts"`
	Held        int          `json:"receipts_held"`
	OK          bool         `json:"ok"`
	Differences []Difference `json:"differences"`
}

// Reconcile checks every Z report closed in [from, to] (dates, inclusive): receipts per VAT rate
// (gross) and per payment code against the Z's totals.
func (s *DB) Reconcile(ctx context.Context, tenantID int64, store, from, to string) ([]Reconciliation, error) {
	q := Query{TenantID: tenantID, Limit: 5000}
	if store != "" {
		st, err := s.StoreByCode(ctx, tenantID, store)
		if err != nil {
			return nil, err
		}
		q.StoreID = st.ID
	}
	zs, err := s.DayCloses(ctx, q)
	if err != nil {
		return nil, err
	}
	stores, err := s.Stores(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	storeID := map[string]int64{}
	for _, st := range stores {
		storeID[st.Code] = st.ID
	}
	var out []Reconciliation
	for _, z := range zs {
		date := z.ClosedAt.In(s.zone).Format("2006-01-02")
		if (from != "" && date < from) || (to != "" && date > to) {
			continue
		}
		rs, _, err := s.sessionReceipts(ctx, s.db, tenantID, storeID[z.Store], z.SourceID, false)
		if err != nil {
			return nil, err
		}
		rec := Reconciliation{Store: z.Store, Register: z.Register, ZNumber: z.ZNumber, Date: date, ZReceipts: z.ReceiptsCount, Held: len(rs), Differences: []Difference{}}
		zsum, rsum := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
		for _, v := range z.VAT {
			zsum["VAT "+v.Rate.String()+"%"] = zsum["VAT "+v.Rate.String()+"%"].Add(v.Gross)
		}
		for _, p := range z.Payments {
			zsum["payment "+p.Code] = zsum["payment "+p.Code].Add(p.Amount)
		}
		for _, r := range rs {
			for _, l := range r.Lines {
				rsum["VAT "+l.VATRate.String()+"%"] = rsum["VAT "+l.VATRate.String()+"%"].Add(l.Total)
			}
			for _, p := range r.Payments {
				rsum["payment "+p.Code] = rsum["payment "+p.Code].Add(p.Amount)
			}
		}
		keys := map[string]bool{}
		for k := range zsum {
			keys[k] = true
		}
		for k := range rsum {
			keys[k] = true
		}
		var sorted []string
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			if d := zsum[k].Sub(rsum[k]); !d.IsZero() {
				rec.Differences = append(rec.Differences, Difference{What: k, Z: zsum[k], Receipts: rsum[k], Diff: d})
			}
		}
		if rec.Held != rec.ZReceipts {
			rec.Differences = append(rec.Differences, Difference{What: "receipt count", Z: decimal.NewFromInt(int64(rec.ZReceipts)), Receipts: decimal.NewFromInt(int64(rec.Held)),
				Diff: decimal.NewFromInt(int64(rec.ZReceipts - rec.Held))})
		}
		rec.OK = len(rec.Differences) == 0
		out = append(out, rec)
	}
	return out, nil
}
