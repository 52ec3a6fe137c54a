package posting

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/shared/domain"
)

// LT is the sample chart's settings, as a new tenant gets them.
func LT() Settings {
	vilnius, _ := time.LoadLocation("Europe/Vilnius")
	return Settings{Mode: "receipt", AutoWriteOff: true, ReturnsToStock: true, Warehouse: "MAIN", Zone: vilnius,
		Accounts: Accounts{Services: "5001", VAT: "4492", Rounding: "5009"},
		Ops: map[string]OpType{OpSale: {"KVT", "2410", "5000"}, OpInvoice: {"SF", "2410", "5000"}, OpReturn: {"GRZ", "5090", "2410"},
			OpDaySheet: {"DKZ", "2410", "5000"}, OpWriteOff: {"NUR", "6000", "2040"}, OpStockIn: {"PAJ", "2040", "4430"},
			OpMarket: {"MKT", "2413", "5000"}, OpMarketInvoice: {"MSF", "2413", "5000"}},
		Payments:    map[string]string{"CASH": "2721", "CARD": "2712", "VOUCHER": "4480"},
		Classifiers: map[string]string{"21": "PVM1", "9": "PVM2", "5": "PVM3", "12": "PVM58", "0": "PVM5"}}
}

type expect struct {
	Op, Date, Net, VAT, Total, Rate string
	Lines                           []struct{ Net, VAT, Class string }
	Balances                        map[string]string
}

func checkDoc(t *testing.T, d Doc, e expect) {
	t.Helper()
	eq := func(what string, got decimal.Decimal, want string) {
		if want != "" && !got.Equal(decimal.RequireFromString(want)) {
			t.Errorf("%s = %s, want %s", what, got, want)
		}
	}
	if e.Op != "" && d.Op != e.Op {
		t.Errorf("op %s, want %s", d.Op, e.Op)
	}
	if e.Date != "" && d.Date != e.Date {
		t.Errorf("date %s, want %s", d.Date, e.Date)
	}
	eq("net", d.Net, e.Net)
	eq("VAT", d.VAT, e.VAT)
	eq("total", d.Total, e.Total)
	for i, l := range e.Lines {
		eq("line net", d.Lines[i].Net, l.Net)
		eq("line VAT", d.Lines[i].VAT, l.VAT)
		if d.Lines[i].Class != l.Class {
			t.Errorf("line %d class %s, want %s", i+1, d.Lines[i].Class, l.Class)
		}
	}
	got := d.Entry.Balances()
	for acct, want := range e.Balances {
		eq("balance of "+acct, got[acct], want)
	}
	for acct, b := range got {
		if _, listed := e.Balances[acct]; !listed && !b.IsZero() {
			t.Errorf("account %s moved by %s, which the example does not expect", acct, b)
		}
	}
	sum := decimal.Zero
	for _, b := range got {
		sum = sum.Add(b)
	}
	if !sum.IsZero() {
		t.Errorf("entry does not balance: %s", sum)
	}
}

func loadReceipts(t *testing.T) []struct {
	Name    string
	Receipt domain.Receipt
	Expect  expect
} {
	var cases []struct {
		Name    string
		Receipt domain.Receipt
		Expect  expect
	}
	b, err := os.ReadFile("../../testdata/posting/receipts.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

func TestWorkedExamples(t *testing.T) {
	services := func(bc string) bool { return bc == "SRV-WRAP" }
	for _, c := range loadReceipts(t) {
		t.Run(c.Name, func(t *testing.T) {
			if err := c.Receipt.Validate(); err != nil {
				t.Fatalf("the example itself is not a valid receipt: %v", err)
			}
			d, err := Receipt(&c.Receipt, LT(), services)
			if err != nil {
				t.Fatal(err)
			}
			checkDoc(t, d, c.Expect)
		})
	}
}

func TestWorkedDayClose(t *testing.T) {
	var c struct {
		DayClose domain.DayClose
		Invoices []string
		Expect   []expect
	}
	b, err := os.ReadFile("../../testdata/posting/dayclose.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if err := c.DayClose.Validate(); err != nil {
		t.Fatalf("the example Z is invalid: %v", err)
	}
	var invoices []domain.Receipt
	for _, rc := range loadReceipts(t) {
		for _, id := range c.Invoices {
			if rc.Receipt.SourceID == id {
				invoices = append(invoices, rc.Receipt)
			}
		}
	}
	docs, err := DaySheets(&c.DayClose, invoices, LT())
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != len(c.Expect) {
		t.Fatalf("%d day sheets, want %d", len(docs), len(c.Expect))
	}
	for i, e := range c.Expect {
		t.Run("VAT "+e.Rate, func(t *testing.T) {
			if !docs[i].Lines[0].Rate.Equal(decimal.RequireFromString(e.Rate)) {
				t.Fatalf("doc %d is for %s%%", i, docs[i].Lines[0].Rate)
			}
			checkDoc(t, docs[i], e)
		})
	}
}

func TestRefusals(t *testing.T) {
	c := loadReceipts(t)[0].Receipt
	s := LT()
	delete(s.Payments, "CASH")
	if _, err := Receipt(&c, s, nil); err == nil || err.Error() != `payment code "CASH" has no account: map it in the POS settings (e.g. CASH → 2721)` {
		t.Fatalf("unmapped payment: %v", err)
	}
	s = LT()
	delete(s.Classifiers, "5")
	if _, err := Receipt(&c, s, nil); err == nil {
		t.Fatal("a rate without a classifier was posted")
	}
}

func TestWriteOffValue(t *testing.T) {
	d := decimal.RequireFromString
	for _, c := range []struct{ qty, bq, bv, want string }{
		{"1", "3", "10.00", "3.33"},
		{"2", "3", "10.00", "6.67"},
		{"3", "3", "10.00", "10.00"}, // all of it: no cent left behind
		{"0.455", "2", "7.00", "1.59"},
	} {
		if got := WriteOffValue(d(c.qty), d(c.bq), d(c.bv)); !got.Equal(d(c.want)) {
			t.Errorf("%s of %s worth %s = %s, want %s", c.qty, c.bq, c.bv, got, c.want)
		}
	}
}
