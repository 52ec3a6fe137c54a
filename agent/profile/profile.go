// Package profile describes how one POS database schema maps onto Tiltas's receipts, lines,
// payments, day closes and product cards: a TOML file with the SQL of every read and write, the
// parameters each takes (in the order of its ? marks) and the named, typed columns each returns.
// A profile is decoded strictly and checked whole at load; every error names the key and the fix.
//
// Shipped profiles are embedded (reference, Tiltas's own schema, is the default); any other is a
// file. The format, with reference.toml as the worked example:
//
//	name, description
//	[conversions]       prices = "vat_inclusive" | "vat_exclusive"; amounts = "decimal" | "double";
//	                    rates = "percent" | "fraction"; vat = "per_line" | "per_rate"; returns = "negative";
//	                    payment_codes = {POS code = Tiltas code}; tax_rates = {POS tax id = rate}
//	[receipts.scan]     keyset page of closed receipts: params after_time, after_id, page_size; columns id, closed_at
//	[receipts.closed_without_time]  optional: ids marked closed that have no closing time
//	[receipts.rows] [receipts.lines] [receipts.payments]   full rows by id: params ids (one ? becomes one per id)
//	[receipts.taxes]    with vat = "per_rate": the VAT per rate the POS recorded for each receipt
//	[day_closes]        totals = "stored" | "computed"; scan, closed_without_time, rows as above;
//	                    stored: vat_totals, payment_totals; computed: receipts (the session's receipt ids)
//	[[cards.upsert]]    statements run for each card (INSERT/UPDATE); params are card fields
//	[[cards.deactivate]] optional: run instead of the upsert for a deactivated card (UPDATE/DELETE)
//
// How "closed" is told is the scan's WHERE; many conversions (a type code to sale/return, a tax
// id joined to its rate) are best written in the SQL itself. The conversions the SQL cannot do
// well are keys of [conversions] and [day_closes]:
//   - prices = "vat_exclusive": unit prices (and discounts) are net; the agent computes each
//     line's gross total, round(quantity × price × (1 + rate) − discount × (1 + rate)), and its VAT.
//   - amounts = "double": money and quantities are DOUBLE. Each value is read through its
//     shortest decimal text (the digits that round-trip, 0.1 not 0.1000000000000000055); money
//     is then rounded to the cent half away from zero; quantities, prices and rates are kept.
//   - rates = "fraction": the POS keeps 0.21 for 21 %.
//   - vat = "per_rate": the receipt's VAT is what [receipts.taxes] returns per rate (the POS is
//     the authority); lines are checked against it within their rounding.
//   - tax_rates: a POS tax id, returned in the lines' vat_rate column, mapped to its rate.
//   - day_closes.totals = "computed": the POS keeps no Z totals; the agent computes them from the
//     session's receipts as it ships them, and marks the day close computed.
//   - receipt total, vat_total and rounding, and a line's line_total and vat_amount, may be left
//     out: the total is the lines' (or taxes') sum, the VAT the lines' (or taxes').
//
// Designed but not implemented yet (refused at load, naming the key): returns = "positive" (a
// return stored with positive amounts and a type).
// Column types are string, int, decimal, time and bool; ids may be int or string (UUIDs).
package profile

import (
	"embed"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/shopspring/decimal"
)

//go:embed *.toml
var shipped embed.FS

// Default is the profile used when pos.profile is not set.
const Default = "reference"

// Column types.
const (
	String  = "string"
	Int     = "int"
	Decimal = "decimal"
	Time    = "time"
	Bool    = "bool"
)

var types = []string{String, Int, Decimal, Time, Bool}

// Profile is one POS schema's mapping.
type Profile struct {
	Name        string      `toml:"name"`
	Description string      `toml:"description"`
	Conversions Conversions `toml:"conversions"`
	Receipts    struct {
		Scan              Query  `toml:"scan"`
		ClosedWithoutTime *Query `toml:"closed_without_time"`
		Rows              Query  `toml:"rows"`
		Lines             Query  `toml:"lines"`
		Payments          Query  `toml:"payments"`
		Taxes             *Query `toml:"taxes"`
	} `toml:"receipts"`
	DayCloses struct {
		Totals            string `toml:"totals"`
		Scan              Query  `toml:"scan"`
		ClosedWithoutTime *Query `toml:"closed_without_time"`
		Rows              Query  `toml:"rows"`
		VATTotals         *Query `toml:"vat_totals"`
		PaymentTotals     *Query `toml:"payment_totals"`
		Receipts          *Query `toml:"receipts"`
	} `toml:"day_closes"`
	Cards struct {
		Upsert     []Statement `toml:"upsert"`
		Deactivate []Statement `toml:"deactivate"`
	} `toml:"cards"`

	// Source is where the profile came from: "shipped reference" or a file path.
	Source string `toml:"-"`
}

// Conversions are what the agent does to the values the queries return.
type Conversions struct {
	Prices       string            `toml:"prices"`        // vat_inclusive (default), vat_exclusive
	Amounts      string            `toml:"amounts"`       // decimal (default), double
	Rates        string            `toml:"rates"`         // percent (default), fraction
	VAT          string            `toml:"vat"`           // per_line (default), per_rate
	Returns      string            `toml:"returns"`       // negative
	PaymentCodes map[string]string `toml:"payment_codes"` // POS code → Tiltas code; empty: as the POS has them
	TaxRates     map[string]string `toml:"tax_rates"`     // POS tax id → rate in percent; empty: vat_rate is the rate

	taxRates map[string]decimal.Decimal
}

// Conversion values.
const (
	VATInclusive = "vat_inclusive"
	VATExclusive = "vat_exclusive"
	Doubles      = "double"
	Fraction     = "fraction"
	PerRate      = "per_rate"
	Computed     = "computed"
)

// Query is one read: a SELECT with its parameters and result columns.
type Query struct {
	SQL     string   `toml:"sql"`
	Params  []string `toml:"params"`
	Columns []string `toml:"columns"` // "name type", in result order

	Key  string   `toml:"-"` // e.g. receipts.lines
	Cols []Column `toml:"-"`
}

// Column is one declared result column.
type Column struct {
	Name, Type string
}

// Statement is one write.
type Statement struct {
	SQL    string   `toml:"sql"`
	Params []string `toml:"params"`

	Key string `toml:"-"` // e.g. cards.upsert[0]
}

// Index is the position of the named column, or -1 when the query does not return it.
func (q *Query) Index(name string) int {
	for i, c := range q.Cols {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Type is the declared type of the named column ("" when it is not returned).
func (q *Query) Type(name string) string {
	if i := q.Index(name); i >= 0 {
		return q.Cols[i].Type
	}
	return ""
}

// Shipped lists the embedded profiles' names.
func Shipped() []string {
	ents, _ := shipped.ReadDir(".")
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".toml"))
	}
	sort.Strings(out)
	return out
}

// Load returns the shipped profile of that name, or reads the file at the path (a name with a
// slash, a backslash or a .toml suffix is a path).
func Load(nameOrPath string) (*Profile, error) {
	if nameOrPath == "" {
		nameOrPath = Default
	}
	if !strings.ContainsAny(nameOrPath, `/\`) && !strings.HasSuffix(nameOrPath, ".toml") {
		b, err := shipped.ReadFile(nameOrPath + ".toml")
		if err != nil {
			return nil, fmt.Errorf("profile %q is not shipped: use one of %s, or the path of a profile file", nameOrPath, strings.Join(Shipped(), ", "))
		}
		return Parse(b, "shipped "+nameOrPath)
	}
	b, err := os.ReadFile(nameOrPath)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", nameOrPath, err)
	}
	return Parse(b, nameOrPath)
}

// Parse decodes and checks a profile. source names it in errors.
func Parse(b []byte, source string) (*Profile, error) {
	p := &Profile{Source: source}
	md, err := toml.Decode(string(b), p)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", source, err)
	}
	var errs []string
	for _, k := range md.Undecoded() {
		errs = append(errs, k.String()+": unknown key: check the spelling against the reference profile (agent/profile/reference.toml)")
	}
	errs = append(errs, p.check()...)
	if len(errs) > 0 {
		return nil, fmt.Errorf("profile %s: %s", source, strings.Join(errs, "; "))
	}
	return p, nil
}

// field is a column Tiltas reads: the types it may be declared as and whether it is required.
type field struct {
	name     string
	types    []string
	required bool
}

func req(name string, types ...string) field { return field{name, types, true} }
func opt(name string, types ...string) field { return field{name, types, false} }

var (
	id        = []string{Int, String}
	scanCols  = []field{req("id", id...), req("closed_at", Time)}
	scanPars  = []string{"after_time", "after_id", "page_size"}
	brokeCols = []field{req("id", id...)}
	rowsPars  = []string{"ids"}

	receiptCols = []field{req("id", id...), req("register", String), req("session_id", id...), req("number", String, Int),
		req("type", String), req("opened_at", Time), req("closed_at", Time), opt("cashier", String),
		opt("buyer_code", String), opt("buyer_vat_code", String), opt("buyer_name", String), opt("buyer_address", String),
		opt("original_receipt_id", id...), opt("total", Decimal), opt("vat_total", Decimal), opt("rounding", Decimal)}
	lineCols = []field{req("receipt_id", id...), req("line_no", Int), req("barcode", String), opt("name", String), opt("unit", String),
		req("quantity", Decimal), req("unit_price", Decimal), opt("discount", Decimal), req("vat_rate", Decimal, String),
		opt("line_total", Decimal), opt("vat_amount", Decimal)}
	paymentCols = []field{req("receipt_id", id...), req("line_no", Int), req("payment_code", String), req("amount", Decimal)}
	taxCols     = []field{req("receipt_id", id...), req("vat_rate", Decimal, String), req("net", Decimal), req("vat", Decimal)}
	dayCols     = []field{req("id", id...), req("register", String), req("z_number", String, Int), req("opened_at", Time),
		req("closed_at", Time), opt("receipts_count", Int, Decimal), opt("total", Decimal), opt("rounding", Decimal)}
	vatTotalCols   = []field{req("session_id", id...), req("vat_rate", Decimal, String), req("net", Decimal), req("vat", Decimal), req("gross", Decimal)}
	payTotalCols   = []field{req("session_id", id...), req("payment_code", String), req("amount", Decimal)}
	dayReceiptCols = []field{req("session_id", id...), req("receipt_id", id...)}

	// CardParams are the card fields a card statement may take.
	CardParams = []string{"barcode", "name", "unit", "price_net", "price_gross", "vat_rate", "group", "service", "active"}
)

// Reads lists every read query, required first, as checked and as doctor runs them.
func (p *Profile) Reads() []*Query {
	out := []*Query{&p.Receipts.Scan}
	if p.Receipts.ClosedWithoutTime != nil {
		out = append(out, p.Receipts.ClosedWithoutTime)
	}
	out = append(out, &p.Receipts.Rows, &p.Receipts.Lines, &p.Receipts.Payments)
	if p.Receipts.Taxes != nil {
		out = append(out, p.Receipts.Taxes)
	}
	out = append(out, &p.DayCloses.Scan)
	if p.DayCloses.ClosedWithoutTime != nil {
		out = append(out, p.DayCloses.ClosedWithoutTime)
	}
	out = append(out, &p.DayCloses.Rows)
	for _, q := range []*Query{p.DayCloses.VATTotals, p.DayCloses.PaymentTotals, p.DayCloses.Receipts} {
		if q != nil {
			out = append(out, q)
		}
	}
	return out
}

func (p *Profile) check() []string {
	var errs []string
	add := func(key, format string, a ...any) { errs = append(errs, key+": "+fmt.Sprintf(format, a...)) }
	if p.Name == "" {
		add("name", `missing: name the profile, e.g. name = "raso-vilnius"`)
	}
	c := &p.Conversions
	choose := func(key string, v *string, def string, allowed map[string]string) {
		if *v == "" {
			*v = def
			return
		}
		if _, ok := allowed[*v]; ok {
			return
		}
		var opts []string
		for k, what := range allowed {
			opts = append(opts, fmt.Sprintf("%q (%s)", k, what))
		}
		sort.Strings(opts)
		add(key, "%q: use %s", *v, strings.Join(opts, " or "))
	}
	choose("conversions.prices", &c.Prices, VATInclusive, map[string]string{VATInclusive: "prices include VAT", VATExclusive: "net prices, VAT added per line"})
	choose("conversions.amounts", &c.Amounts, "decimal", map[string]string{"decimal": "DECIMAL or integer columns", Doubles: "DOUBLE, read through its shortest decimal text"})
	choose("conversions.rates", &c.Rates, "percent", map[string]string{"percent": "21 for 21 %", Fraction: "0.21 for 21 %"})
	choose("conversions.vat", &c.VAT, "per_line", map[string]string{"per_line": "the receipt's VAT is the sum of its lines' VAT", PerRate: "the POS records VAT per rate: give [receipts.taxes]"})
	switch c.Returns {
	case "":
		c.Returns = "negative"
	case "negative":
	case "positive":
		add("conversions.returns", `"positive" is not implemented in this version: negate the amounts of returns in the SQL, or use "negative"`)
	default:
		add("conversions.returns", `%q: use "negative" (returns stored with negative quantities, totals and payments)`, c.Returns)
	}
	for k, v := range c.PaymentCodes {
		if strings.TrimSpace(v) == "" {
			add("conversions.payment_codes."+k, `empty: give the Tiltas payment code, e.g. "CASH"`)
		}
	}
	c.taxRates = map[string]decimal.Decimal{}
	for k, v := range c.TaxRates {
		r, err := decimal.NewFromString(strings.TrimSpace(v))
		if err != nil || r.IsNegative() || r.GreaterThanOrEqual(decimal.NewFromInt(100)) {
			add("conversions.tax_rates."+k, `%q: give the rate in percent, e.g. "21"`, v)
			continue
		}
		c.taxRates[k] = r
	}
	computed := false
	switch p.DayCloses.Totals {
	case "":
		p.DayCloses.Totals = "stored"
	case "stored":
	case Computed:
		computed = true
	default:
		add("day_closes.totals", `%q: use "stored" (the POS keeps Z totals per VAT rate and payment code) or "computed" (computed from the session's receipts)`, p.DayCloses.Totals)
	}
	read := func(key string, q *Query, fields []field, params []string, required bool) {
		q.Key = key
		errs = append(errs, q.check(fields, params, required)...)
	}
	read("receipts.scan", &p.Receipts.Scan, scanCols, scanPars, true)
	if q := p.Receipts.ClosedWithoutTime; q != nil {
		read("receipts.closed_without_time", q, brokeCols, nil, false)
	}
	read("receipts.rows", &p.Receipts.Rows, receiptCols, rowsPars, true)
	read("receipts.lines", &p.Receipts.Lines, lineCols, rowsPars, true)
	read("receipts.payments", &p.Receipts.Payments, paymentCols, rowsPars, true)
	switch {
	case c.VAT == PerRate && p.Receipts.Taxes == nil:
		add("receipts.taxes", `missing: conversions.vat = "per_rate" reads the VAT per rate from [receipts.taxes] (receipt_id, vat_rate, net, vat)`)
	case c.VAT == PerRate:
		read("receipts.taxes", p.Receipts.Taxes, taxCols, rowsPars, true)
	case p.Receipts.Taxes != nil:
		add("receipts.taxes", `given, but conversions.vat is "per_line": set vat = "per_rate" to use it, or remove the table`)
	}
	if c.Prices == VATExclusive {
		for _, name := range []string{"line_total", "vat_amount"} {
			if p.Receipts.Lines.Index(name) >= 0 {
				add("receipts.lines.columns", `%s: with conversions.prices = "vat_exclusive" the agent computes it from the net price: remove it`, name)
			}
		}
	}
	read("day_closes.scan", &p.DayCloses.Scan, scanCols, scanPars, true)
	if q := p.DayCloses.ClosedWithoutTime; q != nil {
		read("day_closes.closed_without_time", q, brokeCols, nil, false)
	}
	read("day_closes.rows", &p.DayCloses.Rows, dayCols, rowsPars, true)
	zq := []struct {
		key    string
		q      **Query
		fields []field
		want   bool
	}{
		{"day_closes.vat_totals", &p.DayCloses.VATTotals, vatTotalCols, !computed},
		{"day_closes.payment_totals", &p.DayCloses.PaymentTotals, payTotalCols, !computed},
		{"day_closes.receipts", &p.DayCloses.Receipts, dayReceiptCols, computed},
	}
	for _, z := range zq {
		switch {
		case z.want && *z.q == nil:
			if computed {
				add(z.key, `missing: day_closes.totals = "computed" needs the ids of each session's receipts (session_id, receipt_id)`)
			} else {
				add(z.key+".sql", "missing: every profile with stored Z totals gives this query (see the reference profile)")
			}
		case z.want:
			read(z.key, *z.q, z.fields, rowsPars, true)
		case *z.q != nil && computed:
			add(z.key, `given, but day_closes.totals is "computed": the totals come from the receipts; remove the table`)
		case *z.q != nil:
			add(z.key, `given, but day_closes.totals is "stored": remove the table, or set totals = "computed"`)
		}
	}
	if !computed {
		for _, name := range []string{"receipts_count", "total"} {
			if p.DayCloses.Rows.Index(name) < 0 && len(p.DayCloses.Rows.Cols) > 0 {
				add("day_closes.rows.columns", `%s is missing: a POS with stored Z totals returns it (or set day_closes.totals = "computed")`, name)
			}
		}
	}
	if len(p.Cards.Upsert) == 0 {
		add("cards.upsert", "missing: give [[cards.upsert]] with the INSERT that writes a product card (see the reference profile)")
	}
	for i := range p.Cards.Upsert {
		s := &p.Cards.Upsert[i]
		s.Key = fmt.Sprintf("cards.upsert[%d]", i)
		errs = append(errs, s.check("INSERT", "UPDATE", "REPLACE")...)
	}
	for i := range p.Cards.Deactivate {
		s := &p.Cards.Deactivate[i]
		s.Key = fmt.Sprintf("cards.deactivate[%d]", i)
		errs = append(errs, s.check("UPDATE", "DELETE", "INSERT")...)
	}
	return errs
}

func (q *Query) check(fields []field, params []string, required bool) []string {
	var errs []string
	add := func(key, format string, a ...any) { errs = append(errs, key+": "+fmt.Sprintf(format, a...)) }
	if strings.TrimSpace(q.SQL) == "" {
		if required {
			add(q.Key+".sql", "missing: every profile gives this query (see the reference profile)")
		} else {
			add(q.Key+".sql", "empty: give the SELECT, or remove the table")
		}
		return errs
	}
	if v := Verb(q.SQL); v != "SELECT" {
		add(q.Key+".sql", "a read must be a SELECT, not %s", orNothing(v))
	} else if Multiple(q.SQL) {
		add(q.Key+".sql", "one statement only: remove the ; inside")
	} else if m := locking.FindString(code(q.SQL)); m != "" {
		add(q.Key+".sql", "a read must not lock or write: remove %s", strings.Join(strings.Fields(m), " "))
	}
	errs = append(errs, checkParams(q.Key, q.SQL, q.Params, params)...)
	known := map[string]field{}
	for _, f := range fields {
		known[f.name] = f
	}
	seen := map[string]bool{}
	q.Cols = nil
	if len(q.Columns) == 0 {
		add(q.Key+".columns", `missing: declare the result columns in order as "name type"`)
	}
	for i, c := range q.Columns {
		key := fmt.Sprintf("%s.columns[%d]", q.Key, i)
		parts := strings.Fields(c)
		if len(parts) != 2 {
			add(key, `%q: write "name type", e.g. "closed_at time"`, c)
			continue
		}
		name, typ := parts[0], parts[1]
		f, ok := known[name]
		if !ok {
			add(key, "%s is not a column Tiltas reads here: use one of %s (alias the SQL column: x AS name)", name, names(fields))
			continue
		}
		if !contains(types, typ) {
			add(key, "%s has unknown type %q: use one of %s", name, typ, strings.Join(types, ", "))
			continue
		}
		if !contains(f.types, typ) {
			add(key, "%s cannot be %s: declare it as %s", name, typ, strings.Join(f.types, " or "))
			continue
		}
		if seen[name] {
			add(key, "%s is declared twice", name)
			continue
		}
		seen[name] = true
		q.Cols = append(q.Cols, Column{name, typ})
	}
	for _, f := range fields {
		if f.required && !seen[f.name] && len(q.Columns) > 0 {
			add(q.Key+".columns", "%s is missing: the query must return it (%s)", f.name, strings.Join(f.types, " or "))
		}
	}
	return errs
}

// locking finds what would make a SELECT lock the POS's rows or write a file or variable.
var locking = regexp.MustCompile(`(?i)\bFOR\s+UPDATE\b|\bFOR\s+SHARE\b|\bLOCK\s+IN\s+SHARE\s+MODE\b|\bINTO\b`)

func (s *Statement) check(verbs ...string) []string {
	var errs []string
	if strings.TrimSpace(s.SQL) == "" {
		return []string{s.Key + ".sql: missing: give the statement"}
	}
	if v := Verb(s.SQL); !contains(verbs, v) {
		errs = append(errs, fmt.Sprintf("%s.sql: a write here must be %s, not %s", s.Key, strings.Join(verbs, " or "), orNothing(v)))
	} else if Multiple(s.SQL) {
		errs = append(errs, s.Key+".sql: one statement only: remove the ; inside, or give another [[...]] statement")
	}
	return append(errs, checkParams(s.Key, s.SQL, s.Params, CardParams)...)
}

// checkParams: each ? has one declared parameter, each from the allowed set; a query that
// takes a set of parameters must use each.
func checkParams(key, sqlText string, params, allowed []string) []string {
	var errs []string
	if n := Placeholders(sqlText); n != len(params) {
		errs = append(errs, fmt.Sprintf("%s.params: the SQL has %d ? marks but %d params are declared: name one parameter per ?, in order", key, n, len(params)))
	}
	for i, p := range params {
		if !contains(allowed, p) {
			want := "none: this query takes no parameters"
			if len(allowed) > 0 {
				want = "one of " + strings.Join(allowed, ", ")
			}
			errs = append(errs, fmt.Sprintf("%s.params[%d]: %q is not a parameter here: use %s", key, i, p, want))
		}
	}
	if !strings.HasPrefix(key, "cards.") {
		for _, a := range allowed {
			if !contains(params, a) {
				errs = append(errs, fmt.Sprintf("%s.params: %s is missing: the query must take it", key, a))
			}
		}
	}
	return errs
}

func names(fields []field) string {
	var out []string
	for _, f := range fields {
		out = append(out, f.name)
	}
	return strings.Join(out, ", ")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func orNothing(v string) string {
	if v == "" {
		return "nothing"
	}
	return v
}

// ErrColumns is returned when a query's result columns differ from those declared.
var ErrColumns = errors.New("the result columns differ from those declared")

// CheckResult compares the column names a query returned with those it declares.
func (q *Query) CheckResult(got []string) error {
	want := make([]string, len(q.Cols))
	for i, c := range q.Cols {
		want[i] = c.Name
	}
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = strings.EqualFold(got[i], want[i])
	}
	if ok {
		return nil
	}
	return fmt.Errorf("%s: %w: it returns (%s), columns declares (%s): alias the SQL columns (x AS name) or correct %s.columns",
		q.Key, ErrColumns, strings.Join(got, ", "), strings.Join(want, ", "), q.Key)
}

// Reference is the shipped reference profile.
func Reference() *Profile {
	p, err := Load(Default)
	if err != nil {
		panic(err) // the embedded file is checked by the tests
	}
	return p
}

// TaxRate is the rate in percent for what the POS returned in a vat_rate column: through
// conversions.tax_rates when given (false for a tax id it does not name), else the number
// itself, times 100 with rates = "fraction".
func (c *Conversions) TaxRate(v string) (decimal.Decimal, bool) {
	if len(c.taxRates) > 0 {
		r, ok := c.taxRates[v]
		return r, ok
	}
	r, err := c.Number(v)
	if err != nil {
		return decimal.Zero, false
	}
	if c.Rates == Fraction {
		r = r.Shift(2)
	}
	return r, true
}

// Number reads a decimal column's text: exactly, or with amounts = "double" through the
// shortest decimal text of the double it holds.
func (c *Conversions) Number(v string) (decimal.Decimal, error) {
	if c.Amounts != Doubles {
		return decimal.NewFromString(v)
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return decimal.Zero, fmt.Errorf("%q is not a number", v)
	}
	return decimal.NewFromFloat(f), nil
}

// Money reads a money column: Number, then with amounts = "double" rounded to the cent half
// away from zero (a DECIMAL column with more decimals is left for validation to refuse).
func (c *Conversions) Money(v string) (decimal.Decimal, error) {
	d, err := c.Number(v)
	if err == nil && c.Amounts == Doubles {
		d = d.Round(2)
	}
	return d, err
}

// PaymentCode is the Tiltas code for a POS payment code, and false when conversions.payment_codes
// is given and does not name it.
func (c *Conversions) PaymentCode(pos string) (string, bool) {
	if len(c.PaymentCodes) == 0 {
		return pos, true
	}
	v, ok := c.PaymentCodes[pos]
	return v, ok
}

// Text is a shipped profile's TOML, to start a profile of one's own from.
func Text(name string) ([]byte, error) { return shipped.ReadFile(name + ".toml") }
