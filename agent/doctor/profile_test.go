package doctor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"tiltas/agent/profile"
	"tiltas/internal/testdb"
	"tiltas/possim"
)

// Doctor runs each of the profile's queries against a real POS database, and a query that
// names a table or column the database lacks fails naming the query's key.
func TestProfileAgainstTheDatabase(t *testing.T) {
	ctx := context.Background()
	dsn := testdb.New(t)
	db, err := possim.OpenDB(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := possim.Run(ctx, db, possim.Options{Registers: 1, Receipts: 12, Seed: 5}, nil); err != nil {
		t.Fatal(err)
	}
	cfg, _ := mysql.ParseDSN(dsn)
	ref, _ := profile.Text(profile.Default)
	for _, tc := range []struct {
		name, from, to string
		check          string   // the check's name
		want           []string // in the failing check's detail and fix; none: it passes
	}{
		{"reference", "", "", "pos read", nil},
		{"reference writes", "", "", "pos write", nil},
		{"a missing table", "FROM receipt_lines", "FROM receipt_line", "pos read",
			[]string{"receipts.lines: Table", "receipt_line' doesn't exist", "correct receipts.lines.sql in the profile"}},
		{"a missing column", "s.z_number", "s.z_no", "pos read",
			[]string{"day_closes.rows: Unknown column 's.z_no'", "correct day_closes.rows.sql"}},
		{"columns that differ from those declared", "SELECT id, closed_at FROM receipts", "SELECT closed_at, id FROM receipts", "pos read",
			[]string{"receipts.scan: the result columns differ", "returns (closed_at, id)"}},
		{"money as DOUBLE", "r.total, r.vat_total", "r.total + 0e0 AS total, r.vat_total", "pos read",
			[]string{"receipts.rows.columns: total decimal: it is DOUBLE, which cannot carry money to the cent", "correct receipts.rows.sql or receipts.rows.columns"}},
		{"a time that is text", "r.opened_at,", "CAST(r.opened_at AS CHAR) AS opened_at,", "pos read",
			[]string{"receipts.rows.columns: opened_at time: it is VARCHAR, which cannot be read as time"}},
		{"a missing table in a write", "INSERT INTO items", "INSERT INTO item", "pos write",
			[]string{"cards.upsert[0]: Table", "correct cards.upsert[0].sql"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := profile.Parse([]byte(strings.Replace(string(ref), tc.from, tc.to, 1)), "test.toml")
			if err != nil {
				t.Fatal(err)
			}
			var got []Check
			if tc.check == "pos read" {
				got = reads(ctx, db, p, cfg)
			} else {
				got = writes(ctx, db, p, cfg)
			}
			if len(got) != 1 || got[0].Name != tc.check {
				t.Fatalf("checks: %v", got)
			}
			c := got[0]
			if tc.want == nil {
				if c.Level != OK {
					t.Fatalf("%v", c)
				}
				return
			}
			if c.Level != Fail {
				t.Fatalf("passed: %v", c)
			}
			for _, w := range tc.want {
				if !strings.Contains(c.Detail+" fix: "+c.Fix, w) {
					t.Errorf("%q missing from:\n%v", w, c)
				}
			}
		})
	}
}

// A profile that does not load is the config's failure, naming the profile's key.
func TestBadProfileFailsTheConfig(t *testing.T) {
	dir := t.TempDir()
	ref, _ := profile.Text(profile.Default)
	bad := strings.Replace(string(ref), "SELECT receipt_id, line_no, payment_code", "UPDATE receipt_id, line_no, payment_code", 1)
	if err := os.WriteFile(filepath.Join(dir, "mine.toml"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "agent.toml")
	body := "store = \"VLN1\"\ncloud = \"http://127.0.0.1:1\"\ntoken = \"tag_x\"\n[pos]\ndsn = \"u:p@tcp(127.0.0.1:3306)/pos\"\nprofile = \"mine.toml\"\n"
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	got := Run(context.Background(), conf)
	if len(got) != 1 || got[0].Level != Fail || got[0].Name != "config" ||
		!strings.Contains(got[0].Detail, "pos.profile = \"mine.toml\"") || !strings.Contains(got[0].Detail, "receipts.payments.sql: a read must be a SELECT, not UPDATE") {
		t.Fatalf("%v", got)
	}
}

// The shipped unicenta profile passes doctor on a uniCenta 4.5 database (its DOUBLE amounts
// are declared with conversions.amounts = "double"), and the same profile without that
// conversion fails naming the column and the fix.
func TestUnicentaProfileAgainstTheDatabase(t *testing.T) {
	ctx := context.Background()
	dsn := testdb.New(t)
	db, err := possim.OpenDB(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := possim.Run(ctx, db, possim.Options{Profile: possim.ProfileUnicenta, Registers: 1, Receipts: 12, CloseDay: true, Seed: 5}, nil); err != nil {
		t.Fatal(err)
	}
	cfg, _ := mysql.ParseDSN(dsn)
	text, _ := profile.Text("unicenta")
	p, err := profile.Parse(text, "shipped unicenta")
	if err != nil {
		t.Fatal(err)
	}
	if got := reads(ctx, db, p, cfg); len(got) != 1 || got[0].Level != OK || !strings.Contains(got[0].Detail, "5 closed receipts and 1 day closes read in full") {
		t.Fatalf("reads: %v", got)
	}
	if got := writes(ctx, db, p, cfg); len(got) != 1 || got[0].Level != OK || !strings.Contains(got[0].Detail, "products, products_cat") {
		t.Fatalf("writes: %v", got)
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM products WHERE code = 'tiltas-doctor-probe'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the probe card stayed in products (%d, %v)", n, err)
	}
	decimals, err := profile.Parse([]byte(strings.Replace(string(text), "\namounts = \"double\"", "\namounts = \"decimal\"", 1)), "test.toml")
	if err != nil {
		t.Fatal(err)
	}
	got := reads(ctx, db, decimals, cfg)
	if len(got) == 0 || got[0].Level != Fail || !strings.Contains(got[0].Detail, "quantity decimal: it is DOUBLE, which cannot carry money to the cent") ||
		!strings.Contains(got[0].Detail, `set conversions.amounts = "double"`) {
		t.Fatalf("reads without the doubles conversion: %v", got)
	}
}

// run refuses to start only on a profile that does not fit; a slow or lost POS is retried.
func TestTransientReadFailures(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{context.DeadlineExceeded, true},
		{fmt.Errorf("receipts.scan: %w", &mysql.MySQLError{Number: 1205, Message: "Lock wait timeout exceeded"}), true},
		{&mysql.MySQLError{Number: 2013, Message: "Lost connection"}, true},
		{mysql.ErrInvalidConn, true},
		{&mysql.MySQLError{Number: 1146, Message: "Table 'pos.receipt_line' doesn't exist"}, false},
		{&mysql.MySQLError{Number: 1054, Message: "Unknown column"}, false},
		{&typeError{"total decimal: it is DOUBLE"}, false},
		{fmt.Errorf("receipts.scan: %w", profile.ErrColumns), false},
	} {
		if got := transient(tc.err); got != tc.want {
			t.Errorf("%v: transient %v, want %v", tc.err, got, tc.want)
		}
	}
}
