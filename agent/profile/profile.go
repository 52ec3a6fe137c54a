// Package profile describes how one POS database schema maps onto Tiltas's receipts, lines,
// payments, day closes and product cards: a TOML file with the SQL of every read and write, the
// parameters each takes (in the order of its ? marks) and the named, typed columns each returns.
// A profile is decoded strictly and checked whole at load; every error names the key and the fix.
//
// Shipped profiles are embedded (reference, Tiltas's own schema, is the default); any other is a
// file. The format, with reference.toml as the worked example:
//
//	name, description
//	[conversions]       prices = "vat_inclusive"; returns = "negative"; payment_codes = {POS code = Tiltas code}
//	[receipts.scan]     keyset page of closed receipts: params after_time, after_id, page_size; columns id, closed_at
//	[receipts.closed_without_time]  optional: ids marked closed that have no closing time
//	[receipts.rows] [receipts.lines] [receipts.payments]   full rows by id: params ids (one ? becomes one per id)
//	[day_closes]        totals = "stored"; scan, closed_without_time, rows, vat_totals, payment_totals as above
//	[[cards.upsert]]    statements run for each card (INSERT/UPDATE); params are card fields
//	[[cards.deactivate]] optional: run instead of the upsert for a deactivated card (UPDATE/DELETE)
//
// How "closed" is told is the scan's WHERE; many conversions (a type code to sale/return, a tax
// id joined to its rate) are best written in the SQL itself. The conversions the SQL cannot do
// well are keys of [conversions] and [day_closes].
//
// Designed but not implemented yet (each is refused at load, naming the key, until it is):
// prices = "vat_exclusive" (net prices, VAT added per line), returns = "positive" (a return
// stored with positive amounts and a type), day_closes.totals = "computed" (a POS without
// stored Z totals: computed from its receipts and marked computed), conversions.tax_rates (a
// POS tax id to a rate), conversions.amounts = "double" (money kept as DOUBLE, converted through
// its shortest decimal text and rounded to cents), and a receipt without receipt-level VAT.
// Column types are string, int, decimal, time and bool; ids may be int or string (UUIDs).
package profile

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
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
	} `toml:"receipts"`
	DayCloses struct {
		Totals            string `toml:"totals"`
		Scan              Query  `toml:"scan"`
		ClosedWithoutTime *Query `toml:"closed_without_time"`
		Rows              Query  `toml:"rows"`
		VATTotals         Query  `toml:"vat_totals"`
		PaymentTotals     Query  `toml:"payment_totals"`
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
	Prices       string            `toml:"prices"`        // vat_inclusive
	Returns      string            `toml:"returns"`       // negative
	PaymentCodes map[string]string `toml:"payment_codes"` // POS code → Tiltas code; empty: as the POS has them
}

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

// planned are keys of the format that are designed but not implemented yet.
var planned = map[string]string{
	"conversions.tax_rates": "a POS tax id mapped to a rate",
	"conversions.amounts":   "money kept as DOUBLE",
}

// Parse decodes and checks a profile. source names it in errors.
func Parse(b []byte, source string) (*Profile, error) {
	p := &Profile{Source: source}
	md, err := toml.Decode(string(b), p)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", source, err)
	}
	var errs []string
	said := map[string]bool{}
	for _, k := range md.Undecoded() {
		key := k.String()
		if base, what, ok := plannedKey(key); ok {
			if !said[base] {
				errs = append(errs, fmt.Sprintf("%s: %s is not implemented in this version: remove the key", base, what))
			}
			said[base] = true
			continue
		}
		errs = append(errs, key+": unknown key: check the spelling against the reference profile (agent/profile/reference.toml)")
	}
	errs = append(errs, p.check()...)
	if len(errs) > 0 {
		return nil, fmt.Errorf("profile %s: %s", source, strings.Join(errs, "; "))
	}
	return p, nil
}

func plannedKey(key string) (base, what string, ok bool) {
	for k, what := range planned {
		if key == k || strings.HasPrefix(key, k+".") {
			return k, what, true
		}
	}
	return "", "", false
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
		opt("original_receipt_id", id...), req("total", Decimal), req("vat_total", Decimal), opt("rounding", Decimal)}
	lineCols = []field{req("receipt_id", id...), req("line_no", Int), req("barcode", String), opt("name", String), opt("unit", String),
		req("quantity", Decimal), req("unit_price", Decimal), opt("discount", Decimal), req("vat_rate", Decimal),
		req("line_total", Decimal), req("vat_amount", Decimal)}
	paymentCols = []field{req("receipt_id", id...), req("line_no", Int), req("payment_code", String), req("amount", Decimal)}
	dayCols     = []field{req("id", id...), req("register", String), req("z_number", String, Int), req("opened_at", Time),
		req("closed_at", Time), req("receipts_count", Int, Decimal), req("total", Decimal), opt("rounding", Decimal)}
	vatTotalCols = []field{req("session_id", id...), req("vat_rate", Decimal), req("net", Decimal), req("vat", Decimal), req("gross", Decimal)}
	payTotalCols = []field{req("session_id", id...), req("payment_code", String), req("amount", Decimal)}

	// CardParams are the card fields a card statement may take.
	CardParams = []string{"barcode", "name", "unit", "price_net", "price_gross", "vat_rate", "group", "service", "active"}
)

// Reads lists every read query, required first, as checked and as doctor runs them.
func (p *Profile) Reads() []*Query {
	out := []*Query{&p.Receipts.Scan}
	if p.Receipts.ClosedWithoutTime != nil {
		out = append(out, p.Receipts.ClosedWithoutTime)
	}
	out = append(out, &p.Receipts.Rows, &p.Receipts.Lines, &p.Receipts.Payments, &p.DayCloses.Scan)
	if p.DayCloses.ClosedWithoutTime != nil {
		out = append(out, p.DayCloses.ClosedWithoutTime)
	}
	return append(out, &p.DayCloses.Rows, &p.DayCloses.VATTotals, &p.DayCloses.PaymentTotals)
}

func (p *Profile) check() []string {
	var errs []string
	add := func(key, format string, a ...any) { errs = append(errs, key+": "+fmt.Sprintf(format, a...)) }
	if p.Name == "" {
		add("name", `missing: name the profile, e.g. name = "raso-vilnius"`)
	}
	switch p.Conversions.Prices {
	case "":
		p.Conversions.Prices = "vat_inclusive"
	case "vat_inclusive":
	case "vat_exclusive":
		add("conversions.prices", `"vat_exclusive" (net prices) is not implemented in this version: convert in the SQL, or use "vat_inclusive"`)
	default:
		add("conversions.prices", `%q: use "vat_inclusive"`, p.Conversions.Prices)
	}
	switch p.Conversions.Returns {
	case "":
		p.Conversions.Returns = "negative"
	case "negative":
	case "positive":
		add("conversions.returns", `"positive" is not implemented in this version: negate the amounts of returns in the SQL, or use "negative"`)
	default:
		add("conversions.returns", `%q: use "negative" (returns stored with negative quantities, totals and payments)`, p.Conversions.Returns)
	}
	for k, v := range p.Conversions.PaymentCodes {
		if strings.TrimSpace(v) == "" {
			add("conversions.payment_codes."+k, `empty: give the Tiltas payment code, e.g. "CASH"`)
		}
	}
	switch p.DayCloses.Totals {
	case "":
		p.DayCloses.Totals = "stored"
	case "stored":
	case "computed":
		add("day_closes.totals", `"computed" (Z totals computed from receipts) is not implemented in this version: use "stored"`)
	default:
		add("day_closes.totals", `%q: use "stored"`, p.DayCloses.Totals)
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
	read("day_closes.scan", &p.DayCloses.Scan, scanCols, scanPars, true)
	if q := p.DayCloses.ClosedWithoutTime; q != nil {
		read("day_closes.closed_without_time", q, brokeCols, nil, false)
	}
	read("day_closes.rows", &p.DayCloses.Rows, dayCols, rowsPars, true)
	read("day_closes.vat_totals", &p.DayCloses.VATTotals, vatTotalCols, rowsPars, true)
	read("day_closes.payment_totals", &p.DayCloses.PaymentTotals, payTotalCols, rowsPars, true)
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
