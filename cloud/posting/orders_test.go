package posting

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func market(fx string) MarketSettings {
	d := decimal.RequireFromString
	return MarketSettings{Home: "LT", Clearing: "2413", OSSVAT: "4493", FX: d(fx),
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
