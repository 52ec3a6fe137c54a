package posting

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func market(fx string) MarketSettings {
	d := decimal.RequireFromString
	return MarketSettings{Home: "LT", OSSVAT: "4493", FX: d(fx),
		Rates:   map[string]decimal.Decimal{"LT": d("21"), "DE": d("19"), "PL": d("23"), "FR": d("20"), "NL": d("21"), "SE": d("25")},
		Classes: map[string]string{OSS: "OSS", IntraEU: "PVM13", Export: "PVM12"}}
}

func line(kind, sku, qty, price string) OrderLine {
	return OrderLine{Kind: kind, SKU: sku, Name: sku, Qty: decimal.RequireFromString(qty), UnitGross: decimal.RequireFromString(price)}
}

// Hand-computed orders, one per VAT treatment.
func TestOrderDocs(t *testing.T) {
	at := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		o     Order
		fx    string
		treat string
		exp   expect
		cur   string
	}{
		{
			// 2 × 59.50 = 119.00 at 19 %: VAT 19.00, net 100.00. Shipping 4.99: VAT 0.80, net 4.19.
			// Promotion −10.00: VAT −1.60, net −8.40. Net 95.79, VAT 18.20, total 113.99.
			name: "DE consumer, OSS at 19 %, shipping and a promotion",
			o: Order{Market: "amazon", ID: "1", PurchasedAt: at, Currency: "EUR", ShipTo: "DE", Lines: []OrderLine{
				line(LineGoods, "SKU1", "2", "59.50"), line(LineShipping, "", "1", "4.99"), line(LinePromotion, "SKU1", "-1", "10.00")}},
			fx: "1", treat: OSS, cur: "113.99",
			exp: expect{Net: "95.79", VAT: "18.20", Total: "113.99", Balances: map[string]string{"2413": "113.99", "5000": "-91.60", "5001": "-4.19", "4493": "-18.20"}},
		},
		{
			// 123.00 PLN at 23 %: VAT 23.00, net 100.00 PLN; at 4.3 PLN/EUR: net 23.26, VAT 5.35.
			name: "PL consumer in PLN, OSS at 23 %",
			o:    Order{Market: "allegro", ID: "2", PurchasedAt: at, Currency: "PLN", ShipTo: "PL", Lines: []OrderLine{line(LineGoods, "SKU2", "1", "123.00")}},
			fx:   "4.3", treat: OSS, cur: "123.00",
			exp: expect{Net: "23.26", VAT: "5.35", Total: "28.61", Balances: map[string]string{"2413": "28.61", "5000": "-23.26", "4493": "-5.35"}},
		},
		{
			name: "FR business with a VAT number: 0 % intra-EU",
			o: Order{Market: "amazon", ID: "3", PurchasedAt: at, Currency: "EUR", ShipTo: "FR", B2B: true, Buyer: OrderBuyer{VATNumber: "FR12345678901"},
				Lines: []OrderLine{line(LineGoods, "SKU3", "1", "50.00")}},
			fx: "1", treat: IntraEU, cur: "50.00",
			exp: expect{Net: "50.00", VAT: "0", Total: "50.00", Balances: map[string]string{"2413": "50.00", "5000": "-50.00"}},
		},
		{
			name: "FR business without a valid VAT number: OSS at 20 %",
			o: Order{Market: "amazon", ID: "4", PurchasedAt: at, Currency: "EUR", ShipTo: "FR", B2B: true, Buyer: OrderBuyer{VATNumber: "DE123"},
				Lines: []OrderLine{line(LineGoods, "SKU3", "1", "60.00")}},
			fx: "1", treat: OSS, cur: "60.00",
			exp: expect{Net: "50.00", VAT: "10.00", Total: "60.00", Balances: map[string]string{"2413": "60.00", "5000": "-50.00", "4493": "-10.00"}},
		},
		{
			name: "a PL business buying for delivery to CZ: still 0 % intra-EU",
			o: Order{Market: "allegro", ID: "7", PurchasedAt: at, Currency: "EUR", ShipTo: "CZ", B2B: true, Buyer: OrderBuyer{VATNumber: "PL5212345678"},
				Lines: []OrderLine{line(LineGoods, "SKU3", "1", "40.00")}},
			fx: "1", treat: IntraEU, cur: "40.00",
			exp: expect{Net: "40.00", VAT: "0", Total: "40.00", Balances: map[string]string{"2413": "40.00", "5000": "-40.00"}},
		},
		{
			name: "an LT business is not intra-EU for an LT seller: OSS at the destination",
			o: Order{Market: "amazon", ID: "8", PurchasedAt: at, Currency: "EUR", ShipTo: "DE", B2B: true, Buyer: OrderBuyer{VATNumber: "LT100009876543"},
				Lines: []OrderLine{line(LineGoods, "SKU3", "1", "11.90")}},
			fx: "1", treat: OSS, cur: "11.90",
			exp: expect{Net: "10.00", VAT: "1.90", Total: "11.90", Balances: map[string]string{"2413": "11.90", "5000": "-10.00", "4493": "-1.90"}},
		},
		{
			name: "Norway: 0 % export",
			o:    Order{Market: "amazon", ID: "5", PurchasedAt: at, Currency: "SEK", ShipTo: "NO", Lines: []OrderLine{line(LineGoods, "SKU4", "3", "100.00")}},
			fx:   "11.2", treat: Export, cur: "300.00", // 300 SEK / 11.2 = 26.7857 → 26.79
			exp: expect{Net: "26.79", VAT: "0", Total: "26.79", Balances: map[string]string{"2413": "26.79", "5000": "-26.79"}},
		},
		{
			name: "home: LT at 21 % to 4492",
			o:    Order{Market: "allegro", ID: "6", PurchasedAt: at, Currency: "EUR", ShipTo: "LT", Lines: []OrderLine{line(LineGoods, "SKU5", "1", "12.10")}},
			fx:   "1", treat: Domestic, cur: "12.10",
			exp: expect{Net: "10.00", VAT: "2.10", Total: "12.10", Balances: map[string]string{"2413": "12.10", "5000": "-10.00", "4492": "-2.10"}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := OrderDoc(&c.o, LT(), market(c.fx), nil)
			if err != nil {
				t.Fatal(err)
			}
			if d.Treatment != c.treat {
				t.Fatalf("treatment %s, want %s", d.Treatment, c.treat)
			}
			if !d.TotalCurrency.Equal(decimal.RequireFromString(c.cur)) {
				t.Fatalf("total in %s: %s, want %s", c.o.Currency, d.TotalCurrency, c.cur)
			}
			checkDoc(t, d.Doc, c.exp)
		})
	}
	if _, err := OrderDoc(&Order{ID: "x", ShipTo: "IT", Currency: "EUR", PurchasedAt: at, Lines: []OrderLine{line(LineGoods, "S", "1", "1")}}, LT(), market("1"), nil); err == nil {
		t.Fatal("a country without a VAT rate was booked")
	}
}

func TestValidVATNumber(t *testing.T) {
	for n, want := range map[string]bool{"DE123456789": true, "de 123 456 789": true, "FR12345678901": true, "EL123456789": true, "DE12": false, "XX123456789": false} {
		country := "DE"
		switch n {
		case "FR12345678901":
			country = "FR"
		case "EL123456789":
			country = "GR"
		}
		if got := ValidVATNumber(n, country); got != want {
			t.Errorf("%s for %s: %v, want %v", n, country, got, want)
		}
	}
}

// Rates from the product cards: the card's rate at home, the destination's rate for the card's
// VAT category abroad; lines without a card follow uniform goods, else the standard rate.
func TestOrderDocRatesByCard(t *testing.T) {
	at := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	d := decimal.RequireFromString
	cards := map[string]Item{"BOOK": {Rate: d("9"), Category: "books"}, "GADGET": {Rate: d("21")}, "REPAIR": {Rate: d("21"), Service: true}}
	items := func(sku string) (Item, bool) { it, ok := cards[sku]; return it, ok }
	m := market("1")
	m.Reduced = map[string]map[string]decimal.Decimal{"DE": {"books": d("7")}}
	type ln = struct{ Net, VAT, Class string }
	for _, c := range []struct {
		name string
		o    Order
		exp  expect
		err  string
	}{
		{
			// A book at 9 %: 2 × 10.90 = 21.80 → VAT 1.80, net 20.00. Shipping 3.27 follows it: VAT 0.27, net 3.00.
			name: "home: the card's reduced rate, shipping follows",
			o:    Order{ID: "1", PurchasedAt: at, Currency: "EUR", ShipTo: "LT", Lines: []OrderLine{line(LineGoods, "BOOK", "2", "10.90"), line(LineShipping, "", "1", "3.27")}},
			exp: expect{Net: "23.00", VAT: "2.07", Total: "25.07", Lines: []ln{{"20.00", "1.80", "PVM2"}, {"3.00", "0.27", "PVM2"}},
				Balances: map[string]string{"2413": "25.07", "5000": "-20.00", "5001": "-3.00", "4492": "-2.07"}},
		},
		{
			// Book 10.90 at 9 % (0.90), gadget 12.10 at 21 % (2.10). Mixed goods: shipping 2.42 is
			// apportioned by their value, 2.42 × 10.90 / 23.00 = 1.15 at 9 % (0.09) and 1.27 at 21 % (0.22).
			name: "home: mixed rates, shipping apportioned",
			o: Order{ID: "2", PurchasedAt: at, Currency: "EUR", ShipTo: "LT", Lines: []OrderLine{line(LineGoods, "BOOK", "1", "10.90"), line(LineGoods, "GADGET", "1", "12.10"),
				line(LineShipping, "", "1", "2.42")}},
			exp: expect{Net: "22.11", VAT: "3.31", Total: "25.42", Lines: []ln{{"10.00", "0.90", "PVM2"}, {"10.00", "2.10", "PVM1"}, {"1.06", "0.09", "PVM2"}, {"1.05", "0.22", "PVM1"}},
				Balances: map[string]string{"2413": "25.42", "5000": "-20.00", "5001": "-2.11", "4492": "-3.31"}},
		},
		{
			// DE books 7 %: 10.70 → 0.70; its promotion −1.07 → −0.07; shipping 5.35 follows → 0.35.
			name: "OSS: the destination's rate for the card's category",
			o: Order{ID: "3", PurchasedAt: at, Currency: "EUR", ShipTo: "DE", Lines: []OrderLine{line(LineGoods, "BOOK", "1", "10.70"), line(LinePromotion, "BOOK", "-1", "1.07"),
				line(LineShipping, "", "1", "5.35")}},
			exp: expect{Net: "14.00", VAT: "0.98", Total: "14.98", Lines: []ln{{"10.00", "0.70", "OSS"}, {"-1.00", "-0.07", "OSS"}, {"5.00", "0.35", "OSS"}},
				Balances: map[string]string{"2413": "14.98", "5000": "-9.00", "5001": "-5.00", "4493": "-0.98"}},
		},
		{
			// A service card: its revenue goes to 5001; a card without a category abroad: the standard 19 %.
			name: "OSS: a service card without a category at the standard rate",
			o:    Order{ID: "4", PurchasedAt: at, Currency: "EUR", ShipTo: "DE", Lines: []OrderLine{line(LineGoods, "REPAIR", "1", "11.90")}},
			exp:  expect{Net: "10.00", VAT: "1.90", Total: "11.90", Balances: map[string]string{"2413": "11.90", "5001": "-10.00", "4493": "-1.90"}},
		},
		{
			name: "OSS: no rate there for the category",
			o:    Order{ID: "5", PurchasedAt: at, Currency: "EUR", ShipTo: "FR", Lines: []OrderLine{line(LineGoods, "BOOK", "1", "10.55")}},
			err:  `no FR VAT rate for category "books" (SKU BOOK)`,
		},
		{
			name: "intra-EU: 0 % whatever the category",
			o: Order{ID: "6", PurchasedAt: at, Currency: "EUR", ShipTo: "FR", B2B: true, Buyer: OrderBuyer{VATNumber: "FR12345678901"},
				Lines: []OrderLine{line(LineGoods, "BOOK", "1", "10.00")}},
			exp: expect{Net: "10.00", VAT: "0", Total: "10.00", Balances: map[string]string{"2413": "10.00", "5000": "-10.00"}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc, err := OrderDoc(&c.o, LT(), m, items)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got %v, want an error saying %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkDoc(t, doc.Doc, c.exp)
		})
	}
}
