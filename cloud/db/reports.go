package db

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/posting"
	"tiltas/cloud/report"
	"tiltas/shared/domain"
)

// salesOps are the operation types that are sales to report.
var salesOps = []string{posting.OpSale, posting.OpInvoice, posting.OpReturn, posting.OpDaySheet, posting.OpMarket, posting.OpMarketInvoice}

func inOps() (string, []any) {
	args := make([]any, len(salesOps))
	for i, o := range salesOps {
		args[i] = o
	}
	return "(?" + strings.Repeat(",?", len(salesOps)-1) + ")", args
}

// periodDocs selects the sales documents of a period [from, to] with a sign: +1 for each
// document dated in it (whether or not it was cancelled later), -1 for each cancelled in it.
// A period's figures so never change once it is over, and a cancellation counts in the period
// it happened, as its reversal entry does in the journal. Its arguments: periodArgs.
func periodDocs(ops string) string {
	return `(SELECT d.id, 1 AS sign FROM documents d WHERE d.tenant_id = ? AND d.status IN ('posted', 'cancelled') AND d.doc_date >= ? AND d.doc_date <= ? AND d.op_type IN ` + ops + `
		UNION ALL
		SELECT d.id, -1 AS sign FROM documents d WHERE d.tenant_id = ? AND d.status = 'cancelled' AND d.cancel_date >= ? AND d.cancel_date <= ? AND d.op_type IN ` + ops + `) x`
}

func periodArgs(tenantID int64, from, to string, ops []any) []any {
	args := append([]any{tenantID, from, to}, ops...)
	return append(append(args, tenantID, from, to), ops...)
}

// VATSummary sums the sales of [from, to] by VAT treatment, country of consumption, classifier
// and rate, in EUR. A document cancelled in the period counts negative here, and stays in the
// period it was issued in (see periodDocs).
func (s *DB) VATSummary(ctx context.Context, tenantID int64, from, to string) (report.Table, error) {
	ops, args := inOps()
	var tn, tv int64
	rows, err := queryAll(ctx, s.db, func(sc scanner) ([]string, error) {
		var treat, country, class string
		var bp, docs, cancelled, net, vat int64
		if err := sc.Scan(&treat, &country, &class, &bp, &docs, &cancelled, &net, &vat); err != nil {
			return nil, err
		}
		if country == "" {
			country = "LT"
		}
		tn, tv = tn+net, tv+vat
		return []string{treat, country, class, domain.FromCents(bp).String(), fmt.Sprint(docs), report.Cents(net), report.Cents(vat), report.Cents(net + vat), fmt.Sprint(cancelled)}, nil
	}, `SELECT d.treatment, d.country, l.vat_class, l.vat_rate_bp,
		COUNT(DISTINCT CASE WHEN x.sign = 1 THEN d.id END), COUNT(DISTINCT CASE WHEN x.sign = -1 THEN d.id END), SUM(x.sign * l.net_cents), SUM(x.sign * l.vat_cents)
		FROM `+periodDocs(ops)+` JOIN documents d ON d.id = x.id JOIN document_lines l ON l.document_id = d.id
		GROUP BY d.treatment, d.country, l.vat_class, l.vat_rate_bp ORDER BY d.treatment, d.country, l.vat_class, l.vat_rate_bp`,
		periodArgs(tenantID, from, to, args)...)
	if err != nil {
		return report.Table{}, fmt.Errorf("VAT summary: %w", err)
	}
	return report.Table{Title: fmt.Sprintf("VAT summary %s – %s (EUR)", from, to), Columns: []string{"treatment", "country", "classifier", "rate", "documents", "net", "vat", "gross", "cancelled"},
		Rows: append(rows, []string{"total", "", "", "", "", report.Cents(tn), report.Cents(tv), report.Cents(tn + tv), ""})}, nil
}

// OSS is the quarterly One-Stop-Shop return: per member state of consumption and rate, the
// taxable amount and VAT of distance sales to consumers, in each sales currency and in EUR at
// the ECB rate of the quarter's last day (the last one published on or before it).
//
// A sale of an earlier quarter cancelled in this one is a correction of that quarter's return:
// it is listed apart, naming the quarter it corrects, in EUR at that quarter's rate, and it is
// part of this return's total. A quarter's own rows never change once it is over.
func (s *DB) OSS(ctx context.Context, tenantID int64, quarter string) (report.Table, error) {
	first, last, err := report.Quarter(quarter)
	if err != nil {
		return report.Table{}, &InvalidError{err}
	}
	from, to := first.Format(time.DateOnly), last.Format(time.DateOnly)
	ops, opArgs := inOps()
	args := append([]any{from}, periodArgs(tenantID, from, to, opArgs)...)
	type line struct {
		country, cur, corrects string
		bp, net, vat           int64
	}
	sums := map[line]*line{}
	err = queryEach(ctx, s.db, func(sc scanner) error {
		var l line
		var orig string
		if err := sc.Scan(&l.country, &l.bp, &l.cur, &orig, &l.net, &l.vat); err != nil {
			return err
		}
		if orig != "" {
			l.corrects = report.QuarterOf(orig)
		}
		k := line{country: l.country, cur: l.cur, corrects: l.corrects, bp: l.bp}
		sum := sums[k]
		if sum == nil {
			sum = &line{country: l.country, cur: l.cur, corrects: l.corrects, bp: l.bp}
			sums[k] = sum
		}
		sum.net += l.net
		sum.vat += l.vat
		return nil
	}, `SELECT d.country, l.vat_rate_bp, d.currency, CASE WHEN d.doc_date < ? THEN d.doc_date ELSE '' END, SUM(x.sign * l.net_currency_cents), SUM(x.sign * l.vat_currency_cents)
		FROM `+periodDocs(ops)+` JOIN documents d ON d.id = x.id JOIN document_lines l ON l.document_id = d.id
		WHERE d.treatment = ?
		GROUP BY d.country, l.vat_rate_bp, d.currency, CASE WHEN d.doc_date < ? THEN d.doc_date ELSE '' END`,
		append(args, posting.OSS, from)...)
	if err != nil {
		return report.Table{}, fmt.Errorf("OSS report: %w", err)
	}
	var lines []line
	for _, l := range sums {
		if l.net != 0 || l.vat != 0 {
			lines = append(lines, *l)
		}
	}
	sort.Slice(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		if a.corrects != b.corrects {
			return a.corrects < b.corrects // this quarter ("") first, then corrections oldest first
		}
		if a.country != b.country {
			return a.country < b.country
		}
		if a.bp != b.bp {
			return a.bp < b.bp
		}
		return a.cur < b.cur
	})
	t := report.Table{Title: fmt.Sprintf("OSS return %s: distance sales by member state of consumption", strings.ToUpper(quarter)),
		Columns: []string{"country", "rate", "currency", "taxable", "vat", "ecb_rate", "taxable_eur", "vat_eur", "corrects"}}
	type key struct{ corrects, country, rate string }
	type agg struct{ net, vat decimal.Decimal }
	eur := map[key]*agg{}
	var keys []key
	totalVAT := decimal.Zero
	for _, l := range lines {
		day := to
		if l.corrects != "" {
			_, qlast, _ := report.Quarter(l.corrects)
			day = qlast.Format(time.DateOnly)
		}
		rate, err := s.fxRate(ctx, s.db, tenantID, l.cur, day)
		if err != nil {
			return t, err
		}
		if !rate.IsPositive() {
			return t, &InvalidError{fmt.Errorf("no ECB rate for %s on or before %s: import ECB rates", l.cur, day)}
		}
		netEUR := domain.FromCents(l.net).Div(rate).Round(2)
		vatEUR := domain.FromCents(l.vat).Div(rate).Round(2)
		r := domain.FromCents(l.bp).String()
		t.Rows = append(t.Rows, []string{l.country, r, l.cur, report.Cents(l.net), report.Cents(l.vat), rate.String(), netEUR.StringFixed(2), vatEUR.StringFixed(2), l.corrects})
		k := key{l.corrects, l.country, r}
		if eur[k] == nil {
			eur[k] = &agg{}
			keys = append(keys, k)
		}
		eur[k].net, eur[k].vat = eur[k].net.Add(netEUR), eur[k].vat.Add(vatEUR)
		totalVAT = totalVAT.Add(vatEUR)
	}
	for _, k := range keys {
		t.Rows = append(t.Rows, []string{k.country, k.rate, "EUR total", "", "", "", eur[k].net.StringFixed(2), eur[k].vat.StringFixed(2), k.corrects})
	}
	t.Rows = append(t.Rows, []string{"total", "", "", "", "", "", "", totalVAT.StringFixed(2), ""})
	return t, nil
}

// SalesJournal lists posted and cancelled sales documents dated in [from, to].
func (s *DB) SalesJournal(ctx context.Context, tenantID int64, from, to string) (report.Table, error) {
	ops, args := inOps()
	rows, err := queryAll(ctx, s.db, func(sc scanner) ([]string, error) {
		var code, vatCode, treat, country string
		d, err := scanDoc(sc, &code, &vatCode, &treat, &country)
		return []string{d.Date, d.Series, fmt.Sprint(d.Number), d.Op, d.Store, code, d.Customer, vatCode, treat, country,
			d.Net.StringFixed(2), d.VAT.StringFixed(2), d.Total.StringFixed(2), d.Currency, d.TotalCurrency.StringFixed(2), d.FXRate, d.Status, d.SourceKind + " " + d.SourceID}, err
	}, `SELECT `+docCols+`, COALESCE(c.code, ''), COALESCE(c.vat_code, ''), d.treatment, d.country FROM documents d
		LEFT JOIN stores s ON s.id = d.store_id LEFT JOIN customers c ON c.id = d.customer_id
		WHERE d.tenant_id = ? AND d.doc_date >= ? AND d.doc_date <= ? AND d.op_type IN `+ops+` ORDER BY d.doc_date, d.series, d.number`,
		append([]any{tenantID, from, to}, args...)...)
	if err != nil {
		return report.Table{}, fmt.Errorf("sales journal: %w", err)
	}
	return report.Table{Title: fmt.Sprintf("Sales journal %s – %s", from, to),
		Columns: []string{"date", "series", "number", "operation", "store", "customer_code", "customer", "customer_vat_code", "treatment", "country", "net_eur", "vat_eur", "total_eur", "currency", "total_in_currency", "fx_rate", "status", "source"},
		Rows:    rows}, nil
}

// DaySales is what one store or marketplace account sold on a day: posted sales documents,
// returns netted, with VAT, in EUR.
type DaySales struct {
	Docs  int
	Total decimal.Decimal
}

// SalesOn sums a day's sales per store (POS documents) and per marketplace account.
func (s *DB) SalesOn(ctx context.Context, tenantID int64, day string) (byStore, byAccount map[int64]DaySales, err error) {
	byStore, byAccount = map[int64]DaySales{}, map[int64]DaySales{}
	ops, args := inOps()
	err = queryEach(ctx, s.db, func(sc scanner) error {
		var storeID, total int64
		var kind, key string
		if err := sc.Scan(&storeID, &kind, &key, &total); err != nil {
			return err
		}
		target, id := byStore, storeID
		if kind == "order" {
			var ok bool
			if id, ok = orderDocAccount(key); !ok {
				return nil
			}
			target = byAccount
		}
		ds := target[id]
		ds.Docs++
		ds.Total = ds.Total.Add(domain.FromCents(total))
		target[id] = ds
		return nil
	}, `SELECT d.store_id, d.source_kind, d.idem_key, d.total_cents FROM documents d
		WHERE d.tenant_id = ? AND d.doc_date = ? AND d.status = 'posted' AND d.op_type IN `+ops, append([]any{tenantID, day}, args...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("sales on %s: %w", day, err)
	}
	return byStore, byAccount, nil
}

// OrderCounts counts a tenant's marketplace orders per account and state.
func (s *DB) OrderCounts(ctx context.Context, tenantID int64) (map[int64]map[string]int, error) {
	out := map[int64]map[string]int{}
	err := queryEach(ctx, s.db, func(sc scanner) error {
		var id int64
		var state string
		var n int
		if err := sc.Scan(&id, &state, &n); err != nil {
			return err
		}
		if out[id] == nil {
			out[id] = map[string]int{}
		}
		out[id][state] = n
		return nil
	}, `SELECT account_id, state, COUNT(*) FROM market_orders WHERE tenant_id = ? GROUP BY account_id, state`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("count orders: %w", err)
	}
	return out, nil
}
