package store

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/posting"
	"tiltas/shared/domain"
)

// Table is a report: the same rows serve the screen (JSON) and the download (CSV).
type Table struct {
	Title   string     `json:"title"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// WriteCSV writes the table as a ';'-separated CSV (what Lithuanian spreadsheets expect).
func (t Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	if err := cw.Write(t.Columns); err != nil {
		return err
	}
	return cw.WriteAll(t.Rows)
}

// salesOps are the operation types that are sales to report.
var salesOps = []string{posting.OpSale, posting.OpInvoice, posting.OpReturn, posting.OpDaySheet, posting.OpMarket, posting.OpMarketInvoice}

func inOps() (string, []any) {
	args := make([]any, len(salesOps))
	for i, o := range salesOps {
		args[i] = o
	}
	return "(?" + strings.Repeat(",?", len(salesOps)-1) + ")", args
}

// VATSummary sums posted sales documents dated in [from, to] by VAT treatment, country of
// consumption, classifier and rate, in EUR. Cancelled documents are left out (their reversal
// cancels them).
func (s *Store) VATSummary(ctx context.Context, tenantID int64, from, to string) (Table, error) {
	ops, args := inOps()
	rows, err := s.db.QueryContext(ctx, `SELECT d.treatment, d.country, l.vat_class, l.vat_rate_bp, COUNT(DISTINCT d.id), SUM(l.net_cents), SUM(l.vat_cents)
		FROM documents d JOIN document_lines l ON l.document_id = d.id
		WHERE d.tenant_id = ? AND d.status = 'posted' AND d.doc_date >= ? AND d.doc_date <= ? AND d.op_type IN `+ops+`
		GROUP BY d.treatment, d.country, l.vat_class, l.vat_rate_bp ORDER BY d.treatment, d.country, l.vat_class, l.vat_rate_bp`,
		append([]any{tenantID, from, to}, args...)...)
	if err != nil {
		return Table{}, fmt.Errorf("VAT summary: %w", err)
	}
	defer rows.Close()
	t := Table{Title: fmt.Sprintf("VAT summary %s – %s (EUR)", from, to), Columns: []string{"treatment", "country", "classifier", "rate", "documents", "net", "vat", "gross"}}
	var tn, tv int64
	for rows.Next() {
		var treat, country, class string
		var bp, docs, net, vat int64
		if err := rows.Scan(&treat, &country, &class, &bp, &docs, &net, &vat); err != nil {
			return t, err
		}
		if country == "" {
			country = "LT"
		}
		tn, tv = tn+net, tv+vat
		t.Rows = append(t.Rows, []string{treat, country, class, domain.FromCents(bp).String(), fmt.Sprint(docs), cents(net), cents(vat), cents(net + vat)})
	}
	t.Rows = append(t.Rows, []string{"total", "", "", "", "", cents(tn), cents(tv), cents(tn + tv)})
	return t, rows.Err()
}

func cents(c int64) string { return domain.FromCents(c).StringFixed(2) }

// Quarter parses "2026Q4" into its first and last day.
func Quarter(q string) (first, last time.Time, err error) {
	var year, n int
	if _, err := fmt.Sscanf(strings.ToUpper(q), "%dQ%d", &year, &n); err != nil || n < 1 || n > 4 || year < 2021 {
		return first, last, &InvalidError{fmt.Errorf("quarter %q: write it as 2026Q4", q)}
	}
	first = time.Date(year, time.Month(3*n-2), 1, 0, 0, 0, 0, time.UTC)
	return first, first.AddDate(0, 3, -1), nil
}

// OSS is the quarterly One-Stop-Shop return: per member state of consumption and rate, the
// taxable amount and VAT of distance sales to consumers, in each sales currency and in EUR at
// the ECB rate of the quarter's last day (the last one published on or before it).
func (s *Store) OSS(ctx context.Context, tenantID int64, quarter string) (Table, error) {
	first, last, err := Quarter(quarter)
	if err != nil {
		return Table{}, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT d.country, l.vat_rate_bp, d.currency, SUM(l.net_currency_cents), SUM(l.vat_currency_cents)
		FROM documents d JOIN document_lines l ON l.document_id = d.id
		WHERE d.tenant_id = ? AND d.status = 'posted' AND d.treatment = ? AND d.doc_date >= ? AND d.doc_date <= ?
		GROUP BY d.country, l.vat_rate_bp, d.currency ORDER BY d.country, l.vat_rate_bp, d.currency`,
		tenantID, posting.OSS, first.Format(time.DateOnly), last.Format(time.DateOnly))
	if err != nil {
		return Table{}, fmt.Errorf("OSS report: %w", err)
	}
	type key struct{ country, rate string }
	type agg struct{ net, vat decimal.Decimal }
	eur := map[key]*agg{}
	t := Table{Title: fmt.Sprintf("OSS return %s: distance sales by member state of consumption", strings.ToUpper(quarter)),
		Columns: []string{"country", "rate", "currency", "taxable", "vat", "ecb_rate", "taxable_eur", "vat_eur"}}
	type line struct {
		country, cur string
		bp, net, vat int64
	}
	var lines []line
	for rows.Next() {
		var l line
		if err := rows.Scan(&l.country, &l.bp, &l.cur, &l.net, &l.vat); err != nil {
			rows.Close()
			return t, err
		}
		lines = append(lines, l)
	}
	rows.Close()
	for _, l := range lines {
		rate, err := s.fxRate(ctx, s.db, tenantID, l.cur, last.Format(time.DateOnly))
		if err != nil {
			return t, err
		}
		if !rate.IsPositive() {
			return t, &InvalidError{fmt.Errorf("no ECB rate for %s on or before %s: import ECB rates", l.cur, last.Format(time.DateOnly))}
		}
		netEUR := domain.FromCents(l.net).Div(rate).Round(2)
		vatEUR := domain.FromCents(l.vat).Div(rate).Round(2)
		r := domain.FromCents(l.bp).String()
		t.Rows = append(t.Rows, []string{l.country, r, l.cur, cents(l.net), cents(l.vat), rate.String(), netEUR.StringFixed(2), vatEUR.StringFixed(2)})
		k := key{l.country, r}
		if eur[k] == nil {
			eur[k] = &agg{}
		}
		eur[k].net, eur[k].vat = eur[k].net.Add(netEUR), eur[k].vat.Add(vatEUR)
	}
	var keys []key
	for k := range eur {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].country+keys[i].rate < keys[j].country+keys[j].rate })
	totalVAT := decimal.Zero
	for _, k := range keys {
		t.Rows = append(t.Rows, []string{k.country, k.rate, "EUR total", "", "", "", eur[k].net.StringFixed(2), eur[k].vat.StringFixed(2)})
		totalVAT = totalVAT.Add(eur[k].vat)
	}
	t.Rows = append(t.Rows, []string{"total", "", "", "", "", "", "", totalVAT.StringFixed(2)})
	return t, nil
}

// SalesJournal lists posted and cancelled sales documents dated in [from, to].
func (s *Store) SalesJournal(ctx context.Context, tenantID int64, from, to string) (Table, error) {
	ops, args := inOps()
	rows, err := s.db.QueryContext(ctx, `SELECT `+docCols+`, COALESCE(c.code, ''), COALESCE(c.vat_code, ''), d.treatment, d.country FROM documents d
		LEFT JOIN stores s ON s.id = d.store_id LEFT JOIN customers c ON c.id = d.customer_id
		WHERE d.tenant_id = ? AND d.doc_date >= ? AND d.doc_date <= ? AND d.op_type IN `+ops+` ORDER BY d.doc_date, d.series, d.number`,
		append([]any{tenantID, from, to}, args...)...)
	if err != nil {
		return Table{}, fmt.Errorf("sales journal: %w", err)
	}
	defer rows.Close()
	t := Table{Title: fmt.Sprintf("Sales journal %s – %s", from, to),
		Columns: []string{"date", "series", "number", "operation", "store", "customer_code", "customer", "customer_vat_code", "treatment", "country", "net_eur", "vat_eur", "total_eur", "currency", "total_in_currency", "fx_rate", "status", "source"}}
	for rows.Next() {
		var d DocSummary
		var net, vat, total, inCur int64
		var code, vatCode, treat, country string
		if err := rows.Scan(&d.ID, &d.Op, &d.Series, &d.Number, &d.Date, &d.Store, &d.Customer, &d.SourceKind, &d.SourceID, &d.RelatedID, &net, &vat, &total, &d.Status,
			&d.Currency, &d.FXRate, &inCur, &code, &vatCode, &treat, &country); err != nil {
			return t, err
		}
		t.Rows = append(t.Rows, []string{d.Date, d.Series, fmt.Sprint(d.Number), d.Op, d.Store, code, d.Customer, vatCode, treat, country,
			cents(net), cents(vat), cents(total), d.Currency, cents(inCur), d.FXRate, d.Status, d.SourceKind + " " + d.SourceID})
	}
	return t, rows.Err()
}
