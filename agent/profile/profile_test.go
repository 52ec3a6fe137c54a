package profile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func reference(t *testing.T) string {
	t.Helper()
	b, err := shipped.ReadFile("reference.toml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReferenceLoads(t *testing.T) {
	p, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "reference" || p.Source != "shipped reference" {
		t.Fatalf("loaded %q from %q", p.Name, p.Source)
	}
	if len(p.Reads()) != 10 {
		t.Fatalf("%d reads, want 10", len(p.Reads()))
	}
	for _, q := range p.Reads() {
		if q.Key == "" || len(q.Cols) != len(q.Columns) {
			t.Fatalf("%s: %d of %d columns checked", q.Key, len(q.Cols), len(q.Columns))
		}
	}
	if got := p.Receipts.Lines.Type("quantity"); got != Decimal {
		t.Fatalf("receipts.lines quantity is %q", got)
	}
	if _, ok := p.Cards.Upsert[0].Batchable(3); !ok {
		t.Fatal("the reference upsert is not batchable")
	}
	if !reflect.DeepEqual(Shipped(), []string{"reference", "unicenta"}) {
		t.Fatalf("shipped %v", Shipped())
	}
	// The same profile loads from a file.
	path := filepath.Join(t.TempDir(), "mine.toml")
	if err := os.WriteFile(path, []byte(reference(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	if p, err := Load(path); err != nil || p.Source != path {
		t.Fatalf("from a file: %v", err)
	}
}

func TestRefusals(t *testing.T) {
	ref := reference(t)
	cut := func(from, to string) string { // removes the text from `from` up to (not including) `to`
		i, j := strings.Index(ref, from), strings.Index(ref, to)
		if i < 0 || j < i {
			t.Fatalf("cut %q..%q not found", from, to)
		}
		return ref[:i] + ref[j:]
	}
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"unknown key", strings.Replace(ref, `returns = "negative"`, `returns = "negative"`+"\nrounding = \"up\"", 1),
			[]string{"conversions.rounding: unknown key"}},
		{"unknown key in a query", strings.Replace(ref, `params = ["ids"]`, `params = ["ids"]`+"\nlimit = 5", 1),
			[]string{"receipts.rows.limit: unknown key"}},
		{"not implemented value", strings.Replace(ref, `returns = "negative"`, `returns = "positive"`, 1),
			[]string{"conversions.returns", "not implemented"}},
		{"unknown conversion value", strings.Replace(ref, `prices = "vat_inclusive"`, `prices = "net"`, 1),
			[]string{`conversions.prices: "net": use "vat_exclusive" (net prices, VAT added per line) or "vat_inclusive" (prices include VAT)`}},
		{"net prices with line totals", strings.Replace(ref, `prices = "vat_inclusive"`, `prices = "vat_exclusive"`, 1),
			[]string{`receipts.lines.columns: line_total: with conversions.prices = "vat_exclusive" the agent computes it`}},
		{"VAT per rate without taxes", strings.Replace(ref, `prices = "vat_inclusive"`, `prices = "vat_inclusive"`+"\nvat = \"per_rate\"", 1),
			[]string{"receipts.taxes: missing"}},
		{"computed totals with stored ones", strings.Replace(ref, `totals = "stored"`, `totals = "computed"`, 1),
			[]string{`day_closes.vat_totals: given, but day_closes.totals is "computed"`, "day_closes.receipts: missing"}},
		{"a tax rate that is no rate", ref + "\n[conversions.tax_rates]\n\"001\" = \"twenty\"\n", // appended: inside [cards.upsert] it would be another key
			[]string{`conversions.tax_rates.001: "twenty": give the rate in percent`}},
		{"missing query", cut("[receipts.lines]", "[receipts.payments]"),
			[]string{"receipts.lines.sql: missing"}},
		{"non-SELECT read", strings.Replace(ref, "SELECT receipt_id, line_no, barcode", "DELETE receipt_id, line_no, barcode", 1),
			[]string{"receipts.lines.sql: a read must be a SELECT, not DELETE"}},
		{"a locking read", strings.Replace(ref, `LIMIT 1000"`, `LIMIT 1000 FOR  UPDATE"`, 1),
			[]string{"receipts.closed_without_time.sql: a read must not lock or write: remove FOR UPDATE"}},
		{"two statements", strings.Replace(ref, `LIMIT 1000"`, `LIMIT 1000; DROP TABLE receipts"`, 1),
			[]string{"receipts.closed_without_time.sql: one statement only"}},
		{"a SELECT write", strings.Replace(ref, "INSERT INTO items", "SELECT * FROM items", 1),
			[]string{"cards.upsert[0].sql: a write here must be INSERT or UPDATE or REPLACE, not SELECT"}},
		{"unknown column type", strings.Replace(ref, `"quantity decimal"`, `"quantity money"`, 1),
			[]string{`receipts.lines.columns[5]: quantity has unknown type "money"`}},
		{"untyped column", strings.Replace(ref, `"quantity decimal"`, `"quantity"`, 1),
			[]string{`receipts.lines.columns[5]: "quantity": write "name type"`, "receipts.lines.columns: quantity is missing"}},
		{"money as a string", strings.Replace(ref, `"amount decimal"]`, `"amount string"]`, 1),
			[]string{"receipts.payments.columns[3]: amount cannot be string: declare it as decimal"}},
		{"unknown column", strings.Replace(ref, `"cashier string"`, `"clerk string"`, 1),
			[]string{"receipts.rows.columns[7]: clerk is not a column Tiltas reads here"}},
		{"params do not match the ? marks", strings.Replace(ref, `params = ["after_time", "after_time", "after_id", "page_size"]`, `params = ["after_time", "after_id", "page_size"]`, 1),
			[]string{"receipts.scan.params: the SQL has 4 ? marks but 3 params are declared"}},
		{"unknown parameter", strings.Replace(ref, `"group", "service"`, `"group", "stock"`, 1),
			[]string{`cards.upsert[0].params[7]: "stock" is not a parameter here`}},
		{"no upsert", cut("[[cards.upsert]]", "# A deactivated card"),
			[]string{"cards.upsert: missing"}},
		{"not TOML", "name = ", []string{"profile test:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.text), "test")
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}

// The shipped unicenta profile loads with the conversions uniCenta needs, and maps both card
// payment names, 4.5's ccard and older versions' magcard (issue 15.2).
func TestUnicentaLoads(t *testing.T) {
	p, err := Load("unicenta")
	if err != nil {
		t.Fatal(err)
	}
	c := p.Conversions
	if c.Prices != VATExclusive || c.Amounts != Doubles || c.Rates != Fraction || c.VAT != PerRate || p.DayCloses.Totals != Computed {
		t.Fatalf("conversions %+v, totals %s", c, p.DayCloses.Totals)
	}
	if p.Receipts.Taxes == nil || p.DayCloses.Receipts == nil || p.DayCloses.VATTotals != nil {
		t.Fatal("the unicenta profile reads taxes and session receipts, and no stored Z totals")
	}
	for pos, want := range map[string]string{"cash": "CASH", "cashrefund": "CASH", "ccard": "CARD", "ccardrefund": "CARD", "magcard": "CARD",
		"magcardrefund": "CARD", "cheque": "CHEQUE", "voucherin": "VOUCHER", "debt": "DEBT", "free": "FREE"} {
		if got, ok := c.PaymentCode(pos); !ok || got != want {
			t.Errorf("payment %s → %q %v, want %s", pos, got, ok, want)
		}
	}
	if _, ok := c.PaymentCode("paperin"); ok {
		t.Error("an unmapped uniCenta payment name is accepted: it must reject its receipt")
	}
	for text, want := range map[string]string{"0.21": "21", "0.07": "7", "0.09": "9", "0": "0"} {
		if r, ok := c.TaxRate(text); !ok || r.String() != want {
			t.Errorf("rate %s → %s %v, want %s", text, r, ok, want)
		}
	}
	// Doubles are read through their shortest text and money is rounded half away from zero.
	for text, want := range map[string]string{"0.34710743801652894": "0.35", "2.4999999999999996": "2.5", "-0.17355371900826447": "-0.17",
		"1.005": "1.01", "-1.005": "-1.01", "4.5": "4.5", "1.2345678901234567e+02": "123.46"} {
		if got, err := c.Money(text); err != nil || got.String() != want {
			t.Errorf("money %s → %s %v, want %s", text, got, err, want)
		}
	}
	if got, _ := c.Number("0.8264462809917356000"); got.String() != "0.8264462809917356" {
		t.Errorf("a net price read as %s", got)
	}
}

func TestNotShipped(t *testing.T) {
	if _, err := Load("raso"); err == nil || !strings.Contains(err.Error(), "use one of reference") {
		t.Fatalf("got %v", err)
	}
}

func TestSQLHelpers(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		verb string
		n    int
		many bool
	}{
		{"  select a from t where b = '?' and c = ?", "SELECT", 1, false},
		{"/* note; ? */ (SELECT 1) -- ?\n", "SELECT", 0, false},
		{"UPDATE t SET a = 'x;y' WHERE id = ?;", "UPDATE", 1, false},
		{"SELECT 1; DELETE FROM t", "SELECT", 0, true},
		{"# comment ?\nINSERT INTO t VALUES (?, \"it's\")", "INSERT", 1, false},
	} {
		if v, n, m := Verb(tc.sql), Placeholders(tc.sql), Multiple(tc.sql); v != tc.verb || n != tc.n || m != tc.many {
			t.Errorf("%q: %s %d %v, want %s %d %v", tc.sql, v, n, m, tc.verb, tc.n, tc.many)
		}
	}
	sqlText, args, err := Bind("SELECT a FROM t WHERE x = '?' AND id IN (?) AND y > ?", []string{"ids", "after_id"},
		map[string]any{"ids": []string{"1", "2", "3"}, "after_id": int64(-1)})
	if err != nil || sqlText != "SELECT a FROM t WHERE x = '?' AND id IN (?,?,?) AND y > ?" || len(args) != 4 || args[3] != int64(-1) {
		t.Fatalf("Bind: %q %v %v", sqlText, args, err)
	}
	s := Statement{SQL: "INSERT INTO t (a, b) VALUES (?, ?) ON DUPLICATE KEY UPDATE b = VALUES(b)", Params: []string{"barcode", "name"}}
	if got, ok := s.Batchable(2); !ok || got != "INSERT INTO t (a, b) VALUES (?, ?),(?, ?) ON DUPLICATE KEY UPDATE b = VALUES(b)" {
		t.Fatalf("Batchable: %q %v", got, ok)
	}
	s = Statement{SQL: "INSERT INTO t (a, b) VALUES (UUID(), ?)", Params: []string{"name"}}
	if _, ok := s.Batchable(2); ok {
		t.Fatal("a tuple with more than ? marks is batchable")
	}
}

func TestCompatible(t *testing.T) {
	for _, tc := range []struct {
		typ, db string
		ok      bool
	}{
		{Decimal, "DECIMAL", true}, {Decimal, "INT", true}, {Decimal, "VARCHAR", true}, {Decimal, "DOUBLE", false}, {Decimal, "DATETIME", false},
		{Int, "UNSIGNED BIGINT", true}, {Int, "VARCHAR", false}, {Int, "DECIMAL", false},
		{Time, "DATETIME", true}, {Time, "TIMESTAMP", true}, {Time, "VARCHAR", false},
		{Bool, "TINYINT", true}, {Bool, "BIT", true}, {Bool, "CHAR", false},
		{String, "VARCHAR", true}, {String, "ENUM", true}, {String, "BIGINT", true}, {String, "FLOAT", false},
		{Decimal, "NULL", true},
	} {
		if err := Compatible(tc.typ, tc.db, false); (err == nil) != tc.ok {
			t.Errorf("%s from %s: %v", tc.typ, tc.db, err)
		}
	}
}
