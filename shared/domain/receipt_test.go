package domain

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestLineVAT(t *testing.T) {
	for _, tc := range []struct{ gross, rate, want string }{
		{"1.21", "21", "0.21"},
		{"10.00", "21", "1.74"}, // 1.7355 → 1.74
		{"1.09", "9", "0.09"},
		{"0.05", "21", "0.01"}, // 0.00868 → 0.01
		{"-10.00", "21", "-1.74"},
		{"5.00", "0", "0"},
		{"2.10", "5", "0.10"},
	} {
		if got := LineVAT(d(tc.gross), d(tc.rate)); !got.Equal(d(tc.want)) {
			t.Errorf("VAT in %s at %s%% = %s, want %s", tc.gross, tc.rate, got, tc.want)
		}
	}
}

func good() Receipt {
	return Receipt{SourceID: "1", Register: "R01", Number: "1", Type: Sale, ClosedAt: mustTime(),
		Lines: []Line{
			{No: 1, Barcode: "1", Quantity: d("2"), UnitPrice: d("1.99"), Discount: d("0.10"), VATRate: d("21"), Total: d("3.88"), VAT: d("0.67")},
			{No: 2, Barcode: "2", Quantity: d("0.455"), UnitPrice: d("3.49"), VATRate: d("9"), Total: d("1.59"), VAT: d("0.13")},
		},
		Payments: []Payment{{Code: "CASH", Amount: d("5.45")}}, Rounding: d("-0.02"), Total: d("5.45"), VAT: d("0.80")}
}

func TestValidate(t *testing.T) {
	if err := (&Receipt{}).Validate(); err == nil {
		t.Fatal("empty receipt accepted")
	}
	g := good()
	if err := g.Validate(); err != nil {
		t.Fatalf("good receipt refused: %v", err)
	}
	for _, tc := range []struct {
		name string
		mod  func(*Receipt)
		want string
	}{
		{"type", func(r *Receipt) { r.Type = "gift" }, `type "gift"`},
		{"line total", func(r *Receipt) { r.Lines[0].Total = d("3.89") }, "line 1 (1): total 3.89 is not quantity × price − discount = 3.88"},
		{"line VAT", func(r *Receipt) { r.Lines[1].VAT = d("0.14") }, "VAT 0.14 should be 0.13 at 9%"},
		{"sum", func(r *Receipt) { r.Total = d("5.50"); r.Payments[0].Amount = d("5.50") }, "total 5.5 is not the sum of lines"},
		{"payments", func(r *Receipt) { r.Payments[0].Amount = d("5.40") }, "payments 5.4 do not add up to the total 5.45"},
		{"negative qty on sale", func(r *Receipt) { r.Lines[0].Quantity = d("-2") }, "must be positive on a sale"},
		{"positive qty on return", func(r *Receipt) { r.Type = Return }, "must be negative on a return"},
		{"negative price", func(r *Receipt) { r.Lines[0].UnitPrice = d("-1.99") }, "unit price -1.99 is negative"},
		{"rate", func(r *Receipt) { r.Lines[0].VATRate = d("121") }, "VAT rate 121% is out of range"},
		{"SF without buyer", func(r *Receipt) { r.Type = Invoice }, "invoice (SF) has no buyer code"},
		{"sub-cent", func(r *Receipt) { r.Payments = append(r.Payments, Payment{Code: "CARD", Amount: d("0.001")}) }, "more than 2 decimals"},
		{"no payment code", func(r *Receipt) { r.Payments[0].Code = "" }, "no payment code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := good()
			r.Lines = append([]Line(nil), r.Lines...)
			r.Payments = append([]Payment(nil), r.Payments...)
			tc.mod(&r)
			err := r.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want %q, got %v", tc.want, err)
			}
		})
	}
}

func TestCents(t *testing.T) {
	if c, err := Cents(d("-12.30")); err != nil || c != -1230 {
		t.Fatal(c, err)
	}
	if _, err := Cents(d("0.005")); err == nil {
		t.Fatal("sub-cent amount accepted")
	}
	if !FromCents(1230).Equal(d("12.3")) {
		t.Fatal("FromCents")
	}
}

func mustTime() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) }

func TestCardValidate(t *testing.T) {
	ok := Card{Barcode: "4770001", Name: "Duona", Unit: "vnt.", PriceNet: d("1.00"), PriceGross: d("1.21"), VATRate: d("21"), Active: true}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	fromGross := ok
	// Entered with VAT: 0.99 holds 0.17 VAT (0.99 × 21/121 = 0.1718), so net is 0.82, not 0.83.
	fromGross.PriceNet, fromGross.PriceGross = d("0.83"), d("0.99")
	if err := fromGross.Validate(); err == nil {
		t.Fatal("0.83/0.99 at 21% accepted")
	}
	fromGross.PriceNet = d("0.82")
	if err := fromGross.Validate(); err != nil {
		t.Fatalf("net from gross refused: %v", err)
	}
	for _, tc := range []struct {
		name string
		mod  func(*Card)
		want string
	}{
		{"long name", func(c *Card) { c.Name = strings.Repeat("ž", 81) }, "name is 81 characters"},
		{"80 is fine", func(c *Card) { c.Name = strings.Repeat("ž", 80) }, ""},
		{"no name", func(c *Card) { c.Name = "" }, "name is empty"},
		{"no barcode", func(c *Card) { c.Barcode = "" }, "barcode is empty"},
		{"odd barcode", func(c *Card) { c.Barcode = "12 34" }, "without spaces"},
		{"unknown rate", func(c *Card) { c.VATRate = d("19") }, "VAT rate 19% is not one of"},
		{"prices disagree", func(c *Card) { c.PriceGross = d("1.22") }, "does not match price without VAT 1.00 at 21% (expected 1.21)"},
		{"sub-cent", func(c *Card) { c.PriceNet = d("1.001") }, "more than 2 decimals"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.mod(&c)
			err := c.Validate()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("want %q, got %v", tc.want, err)
			}
		})
	}
}

// perRate is a receipt as uniCenta records it: VAT per rate (taxlines), computed once on the
// rate's unrounded base. Two lines at 21 % with a net price of 0.830578… (1.005 gross): each
// line rounds to 1.01 with VAT 0.18, so the lines say 2.02 and 0.36, while the POS's tax is
// base 1.661157… → 1.66 and VAT 0.348843… → 0.35, gross 2.01. The taxes are the authority
// (Council Directive 2006/112/EC, Art. 226: "(8) the taxable amount per rate or exemption ...
// (10) the VAT amount payable"); the lines may differ by the rounding of their cents.
func perRate() Receipt {
	return Receipt{SourceID: "u1", Register: "R01", Number: "7", Type: Sale, ClosedAt: mustTime(),
		Lines: []Line{
			{No: 1, Barcode: "A", Quantity: d("1"), UnitPrice: d("1.005"), VATRate: d("21"), Total: d("1.01"), VAT: d("0.18")},
			{No: 2, Barcode: "B", Quantity: d("1"), UnitPrice: d("1.005"), VATRate: d("21"), Total: d("1.01"), VAT: d("0.18")},
			{No: 3, Barcode: "C", Quantity: d("1"), UnitPrice: d("2.18"), VATRate: d("9"), Total: d("2.18"), VAT: d("0.18")},
		},
		Taxes: []VATTotal{
			{Rate: d("21"), Net: d("1.66"), VAT: d("0.35"), Gross: d("2.01")},
			{Rate: d("9"), Net: d("2.00"), VAT: d("0.18"), Gross: d("2.18")},
		},
		Payments: []Payment{{Code: "CASH", Amount: d("4.19")}}, Total: d("4.19"), VAT: d("0.53")}
}

func TestValidatePerRate(t *testing.T) {
	g := perRate()
	if err := g.Validate(); err != nil {
		t.Fatalf("receipt whose lines are a cent off their tax, within rounding, refused: %v", err)
	}
	for _, tc := range []struct {
		name string
		mod  func(*Receipt)
		want string
	}{
		{"VAT not the taxes'", func(r *Receipt) { r.VAT = d("0.54") }, "VAT 0.54 is not the sum of the taxes' VAT 0.53"},
		{"total not the taxes'", func(r *Receipt) { r.Total = d("4.20"); r.Payments[0].Amount = d("4.20") }, "total 4.2 is not the taxes' gross 4.19 plus rounding 0: difference 0.01"},
		{"tax off more than rounding", func(r *Receipt) {
			r.Taxes[0] = VATTotal{Rate: d("21"), Net: d("1.63"), VAT: d("0.35"), Gross: d("1.98")}
			r.Total, r.Payments[0].Amount = d("4.16"), d("4.16")
		}, "tax at 21%: its lines' total 2.02 differs from its gross 1.98 by 0.04, more than the rounding of 2 lines allows (0.02)"},
		{"tax VAT off", func(r *Receipt) {
			r.Taxes[1] = VATTotal{Rate: d("9"), Net: d("1.98"), VAT: d("0.20"), Gross: d("2.18")}
			r.VAT = d("0.55")
		}, "tax at 9%: its lines' VAT 0.18 differs from the VAT the POS recorded, 0.2, by -0.02, more than the rounding of 1 lines allows (0.01)"},
		{"rate without tax", func(r *Receipt) {
			r.Taxes = r.Taxes[:1]
			r.Total, r.Payments[0].Amount, r.VAT = d("2.01"), d("2.01"), d("0.35")
		}, "lines at 2 VAT rates but taxes for 1"},
		{"tax without line", func(r *Receipt) {
			r.Taxes = append(r.Taxes, VATTotal{Rate: d("5"), Net: d("1"), VAT: d("0.05"), Gross: d("1.05")})
		}, "tax at 5% has no line at that rate"},
		{"net+VAT", func(r *Receipt) { r.Taxes[1].Net = d("2.01") }, "tax at 9%: net 2.01 + VAT 0.18 is not gross 2.18"},
		{"twice", func(r *Receipt) { r.Taxes[1].Rate = d("21") }, "tax at 21% is given twice"},
		{"payments", func(r *Receipt) { r.Payments[0].Amount = d("4.18") }, "payments 4.18 do not add up to the total 4.19: difference -0.01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := perRate()
			r.Taxes = append([]VATTotal(nil), r.Taxes...)
			r.Payments = append([]Payment(nil), r.Payments...)
			tc.mod(&r)
			err := r.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want %q, got %v", tc.want, err)
			}
		})
	}
}
