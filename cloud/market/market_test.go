package market_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/cloud/market"
	"tiltas/cloud/market/amazon"
	"tiltas/cloud/market/amazonfake"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
	"tiltas/shared/domain"
)

var d = decimal.RequireFromString

type mkt struct{ id, country, currency string }

var markets = []mkt{{"A1PA6795UKMFR9", "DE", "EUR"}, {"A1805IZSGTT6HS", "NL", "EUR"}, {"A13V1IB3VIYZZH", "FR", "EUR"}, {"A1C3SOZRARQ6R3", "PL", "PLN"}, {"A2NODRKZP88ZB9", "SE", "SEK"}}

// Independent expectations: the standard rates and ECB rates the test itself knows.
var rates = map[string]string{"DE": "19", "NL": "21", "FR": "20", "PL": "23", "SE": "25", "LT": "21", "CZ": "21"}

// The book: the one card with a reduced rate at home (9 %) and the VAT category "books", and
// the reduced rates for books the test imports (its own table, not a claim about the law).
const book = "SKU-19"

var bookRates = map[string]string{"DE": "7", "NL": "9", "FR": "5.5", "PL": "5", "SE": "6", "CZ": "10"}

const bookRatesCSV = "country;category;rate\nDE;books;7\nNL;books;9\nFR;books;5.5\nPL;books;5\nSE;books;6\nCZ;books;10\n"

// orderLine is a line as expectVAT sees it.
type orderLine struct {
	sku   string // "" for shipping, services and whole-order discounts
	gross decimal.Decimal
}

// expectVAT is an independent computation of an order's VAT in EUR: the card's rate at home,
// the book rate abroad for the book, 0 % intra-EU and for export; lines without a card take
// the goods' rate, apportioned by value across several, else the standard rate.
func expectVAT(treatment, dest, currency string, lines []orderLine) decimal.Decimal {
	goodsRate := func(sku string) string {
		switch treatment {
		case "intra", "export":
			return "0"
		case "domestic":
			if sku == book {
				return "9"
			}
			return rates["LT"]
		}
		if sku == book {
			return bookRates[dest]
		}
		return rates[dest]
	}
	standard := map[string]string{"intra": "0", "export": "0", "domestic": rates["LT"], "oss": rates[dest]}[treatment]
	// The value of carded lines per rate: what lines without a card are apportioned by.
	value := map[string]decimal.Decimal{}
	var order []string
	for _, l := range lines {
		if l.sku != "" {
			r := goodsRate(l.sku)
			if _, seen := value[r]; !seen {
				order = append(order, r)
			}
			value[r] = value[r].Add(l.gross)
		}
	}
	sort.Slice(order, func(i, j int) bool { return d(order[i]).LessThan(d(order[j])) })
	total := decimal.Zero
	for _, r := range order {
		total = total.Add(value[r])
	}
	vatOf := func(gross decimal.Decimal, rate string) decimal.Decimal {
		return domain.LineVAT(gross, d(rate)).Div(d(fx[currency])).Round(2)
	}
	vat := decimal.Zero
	for _, l := range lines {
		switch {
		case l.sku != "":
			vat = vat.Add(vatOf(l.gross, goodsRate(l.sku)))
		case len(order) == 1:
			vat = vat.Add(vatOf(l.gross, order[0]))
		case len(order) == 0 || !total.IsPositive():
			vat = vat.Add(vatOf(l.gross, standard))
		default: // apportioned by value, the last rate taking what rounding leaves
			left := l.gross
			for k, r := range order {
				part := left
				if k < len(order)-1 {
					part = l.gross.Mul(value[r]).Div(total).Round(2)
					left = left.Sub(part)
				}
				vat = vat.Add(vatOf(part, r))
			}
		}
	}
	return vat
}

var fx = map[string]string{"EUR": "1", "PLN": "4.30", "SEK": "11.20"}

const ecb = "Date,USD,PLN,SEK\n2026-11-09,1.0800,4.3000,11.2000\n2026-11-02,1.0700,4.3100,11.2500\n"

type expectation struct {
	currency  string
	vat       decimal.Decimal // EUR
	warehouse string
	qty       map[string]int // SKU → quantity leaving stock
}

// unreadableAmazon is the order generate gives an amount that is not a number.
const unreadableAmazon = 4

// generate fills the fake with n orders and returns what booking each must give.
func generate(fake *amazonfake.Server, n int) map[string]*expectation {
	rng := rand.New(rand.NewPCG(11, 12))
	out := map[string]*expectation{}
	base := time.Date(2026, 11, 10, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		m := markets[i%len(markets)]
		id := fmt.Sprintf("%03d-%07d-%07d", 300+i%700, i, 1000000+i)
		o := amazon.Order{AmazonOrderId: id, PurchaseDate: base.Add(time.Duration(i) * time.Minute).Format(time.RFC3339),
			LastUpdateDate: base.Add(time.Duration(i)*time.Minute + time.Hour).Format(time.RFC3339), OrderStatus: "Shipped", MarketplaceId: m.id,
			FulfillmentChannel: "MFN", ShippingAddress: &amazon.Address{CountryCode: m.country},
			BuyerInfo: &amazon.BuyerInfo{BuyerEmail: fmt.Sprintf("buyer%d@example.com", i%300), BuyerName: "Buyer"}}
		if i%2 == 0 {
			o.FulfillmentChannel = "AFN"
		}
		treatment, dest := "oss", m.country
		switch {
		case i%17 == 0: // a business in another member state with a VAT number: 0 %
			o.IsBusinessOrder = true
			o.ShippingAddress.CountryCode = "AT"
			o.BuyerInfo.BuyerTaxInfo = &amazon.BuyerTaxInfo{CompanyLegalName: "Firma GmbH", TaxClassifications: []amazon.TaxClassification{{Name: "VATNumber", Value: fmt.Sprintf("ATU%08d", i)}}}
			treatment, dest = "intra", "AT"
		case i%23 == 0: // shipped home to Lithuania: domestic 21 %
			o.ShippingAddress.CountryCode = "LT"
			treatment, dest = "domestic", "LT"
		case i%29 == 0: // outside the EU: export 0 %
			o.ShippingAddress.CountryCode = "NO"
			treatment, dest = "export", "NO"
		}
		switch {
		case i%31 == 0:
			o.OrderStatus = "Unshipped" // not booked (post status is Shipped)
		case i%37 == 0:
			o.OrderStatus = "Canceled" // never booked
		}
		e := &expectation{currency: m.currency, vat: decimal.Zero, warehouse: "MAIN", qty: map[string]int{}}
		if o.FulfillmentChannel == "AFN" {
			e.warehouse = "AMZ-" + m.country
		}
		var items []amazon.OrderItem
		total := decimal.Zero
		var lines []orderLine
		for k := 0; k < 1+rng.IntN(3); k++ {
			sku := fmt.Sprintf("SKU-%02d", rng.IntN(20))
			qty := 1 + rng.IntN(3)
			unit := decimal.New(int64(199+rng.IntN(9800)), -2)
			price := unit.Mul(decimal.NewFromInt(int64(qty)))
			it := amazon.OrderItem{ASIN: "B0" + sku, SellerSKU: sku, OrderItemId: fmt.Sprint(i, "-", k), Title: "Prekė " + sku, QuantityOrdered: qty,
				ItemPrice: &amazon.Money{CurrencyCode: m.currency, Amount: price.StringFixed(2)}, ItemTax: &amazon.Money{CurrencyCode: m.currency, Amount: "0.00"}}
			lines = append(lines, orderLine{sku, price})
			e.qty[sku] += qty
			total = total.Add(price)
			if o.FulfillmentChannel == "MFN" && k == 0 {
				ship := decimal.New(int64(299+rng.IntN(500)), -2)
				it.ShippingPrice = &amazon.Money{CurrencyCode: m.currency, Amount: ship.StringFixed(2)}
				lines = append(lines, orderLine{"", ship})
				total = total.Add(ship)
			}
			if k == 0 && i%11 == 0 { // gift wrapped: a charged service
				wrap := decimal.New(int64(199+rng.IntN(300)), -2)
				it.BuyerInfo = &amazon.ItemBuyerInfo{GiftWrapPrice: &amazon.Money{CurrencyCode: m.currency, Amount: wrap.StringFixed(2)}, GiftWrapLevel: "Classic"}
				it.IsGift = "true"
				lines = append(lines, orderLine{"", wrap})
				total = total.Add(wrap)
			}
			if k == 0 && i%43 == 0 { // cash on delivery, with part of the fee taken off
				it.CODFee = &amazon.Money{CurrencyCode: m.currency, Amount: "2.00"}
				it.CODFeeDiscount = &amazon.Money{CurrencyCode: m.currency, Amount: "0.50"}
				lines = append(lines, orderLine{"", d("2.00")}, orderLine{"", d("-0.50")})
				total = total.Add(d("1.50"))
			}
			if i == unreadableAmazon && k == 0 {
				it.ItemPrice.Amount = "12,50" // not a number: the order waits in Errors, the rest go on
			}
			if rng.IntN(5) == 0 {
				promo := decimal.New(int64(50+rng.IntN(300)), -2)
				it.PromotionDiscount = &amazon.Money{CurrencyCode: m.currency, Amount: "-" + promo.StringFixed(2)}
				lines = append(lines, orderLine{sku, promo.Neg()})
				total = total.Sub(promo)
			}
			items = append(items, it)
		}
		e.vat = expectVAT(treatment, dest, m.currency, lines)
		o.OrderTotal = &amazon.Money{CurrencyCode: m.currency, Amount: total.StringFixed(2)}
		fake.Put(o, items)
		if o.OrderStatus == "Shipped" && i != unreadableAmazon {
			out[id] = e
		}
	}
	return out
}

// seedCatalogue gives the tenant cards SKU-00..SKU-19 and qty of each in every warehouse at 2.50.
func seedCatalogue(t testing.TB, st *db.DB, tenantID int64, qty string, warehouses ...string) {
	t.Helper()
	ctx := context.Background()
	var cards []domain.Card
	var stock []books.StockInLine
	for i := 0; i < 20; i++ {
		sku := fmt.Sprintf("SKU-%02d", i)
		c := domain.Card{Barcode: sku, Name: "Prekė " + sku, Unit: "vnt.", PriceNet: d("10.00"), PriceGross: d("12.10"), VATRate: d("21"), Active: true}
		if sku == book {
			c.Name, c.PriceGross, c.VATRate, c.VATCategory = "Knyga", d("10.90"), d("9"), "books"
		}
		cards = append(cards, c)
		stock = append(stock, books.StockInLine{Barcode: sku, Qty: d(qty), UnitCost: d("2.50")})
	}
	if _, err := st.ImportCards(ctx, tenantID, cards); err != nil {
		t.Fatal(err)
	}
	fixture.ReducedRates(t, st, tenantID, bookRatesCSV)
	for _, wh := range warehouses {
		if err := st.CreateWarehouse(ctx, tenantID, wh, wh); err != nil {
			t.Fatal(err)
		}
		if _, err := books.New(st).StockIn(ctx, tenantID, wh, "2026-11-01", "open-"+wh, stock); err != nil {
			t.Fatal(err)
		}
	}
}

func TestThousandAmazonOrders(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			st := dbtest.Open(t, kind, dbtest.Options())
			tn, _ := st.CreateTenant(ctx, "Seller")
			fixture.ECB(t, st, tn.ID, ecb)
			seedCatalogue(t, st, tn.ID, "10000", "MAIN", "AMZ-DE", "AMZ-NL", "AMZ-FR", "AMZ-PL", "AMZ-SE")

			// Amazon's usage plans, scaled up so the test does not take half an hour; the client
			// follows what x-amzn-RateLimit-Limit says, as with a raised plan in production.
			fake := &amazonfake.Server{ClientID: "amzn1.application-oa2-client.x", ClientSecret: "secret", RefreshToken: "Atzr|refresh",
				Plans:    map[string]amazonfake.Plan{"getOrders": {Rate: 20, Burst: 20}, "getOrderItems": {Rate: 400, Burst: 30}},
				Throttle: 0.04, ServerError: 0.03, Garbage: 0.02}
			base := fake.Start()
			defer fake.Close()
			want := generate(fake, 1000)
			var mids []string
			for _, m := range markets {
				mids = append(mids, m.id)
			}
			cfg, _ := json.Marshal(amazon.AccountConfig{Config: amazon.Config{Endpoint: base, TokenURL: base + "/auth/o2/token",
				ClientID: fake.ClientID, ClientSecret: fake.ClientSecret, RefreshToken: fake.RefreshToken, MarketplaceIDs: mids}})
			if _, err := st.CreateMarketAccount(ctx, tn.ID, "amazon", "Amazon EU", cfg, 15*time.Minute); err != nil {
				t.Fatal(err)
			}
			sched := &market.Scheduler{Store: st, Books: books.New(st), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			account := func() db.MarketAccount {
				as, _ := st.MarketAccounts(ctx, tn.ID)
				return as[0]
			}
			// A pull cut short (the cloud stopping mid-pull) leaves nothing half done.
			cut, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
			_ = sched.Pull(cut, account())
			cancel()
			// Tokens expire during the next pull; then pull twice more.
			go func() { time.Sleep(100 * time.Millisecond); fake.ExpireTokens() }()
			for i := 0; i < 3; i++ {
				if err := sched.Pull(ctx, account()); err != nil {
					t.Fatal(err)
				}
				if a := account(); a.LastError != "" {
					t.Fatalf("pull %d failed: %s", i, a.LastError)
				}
			}
			// Check: every Shipped order booked once, VAT to the cent, stock from the right warehouse.
			docs, err := st.Documents(ctx, db.DocQuery{TenantID: tn.ID, Op: "market", Limit: 5000})
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != len(want) {
				t.Fatalf("%d documents for %d shipped orders", len(docs), len(want))
			}
			seen := map[string]bool{}
			for _, doc := range docs {
				id := strings.TrimPrefix(doc.SourceID, "Amazon EU:")
				e, ok := want[id]
				if !ok || seen[id] {
					t.Fatalf("document %d for order %s: unexpected or twice", doc.ID, id)
				}
				seen[id] = true
				if !doc.VAT.Equal(e.vat) {
					t.Fatalf("order %s: VAT %s EUR, independently %s", id, doc.VAT, e.vat)
				}
				if want := e.currency; doc.Currency != want || !d(doc.FXRate).Equal(d(fx[want])) {
					t.Fatalf("order %s: booked in %s at %s, want %s at %s", id, doc.Currency, doc.FXRate, want, fx[want])
				}
			}
			wantOut := map[string]decimal.Decimal{}
			for _, e := range want {
				for _, q := range e.qty {
					wantOut[e.warehouse] = wantOut[e.warehouse].Add(decimal.NewFromInt(int64(q)))
				}
			}
			bal, _ := st.StockBalances(ctx, tn.ID, "")
			left := map[string]decimal.Decimal{}
			for _, b := range bal {
				left[b.Warehouse] = left[b.Warehouse].Add(b.Qty)
			}
			for wh, out := range wantOut {
				if got := d("200000").Sub(left[wh]); !got.Equal(out) {
					t.Errorf("warehouse %s: %s left stock, want %s", wh, got, out)
				}
			}
			if un, _ := st.Unresolved(ctx, tn.ID, 0, true); len(un) != 0 {
				t.Fatalf("%d unresolved lines with stock everywhere", len(un))
			}
			// The order with an amount that is not a number waits in Errors, saying which.
			errs, _ := st.MarketOrders(ctx, tn.ID, db.OrderErrors, 0)
			if len(errs) != 1 || !strings.Contains(errs[0].Reason, `amount "12,50" is not a number`) || errs[0].Fix == "" {
				t.Fatalf("orders in Errors: %+v", errs)
			}
			// Cancelled after booking: the next pull reverses exactly those.
			var cancelled []string
			for id := range want {
				if len(cancelled) == 5 {
					break
				}
				cancelled = append(cancelled, id)
			}
			fakeCancel(fake, cancelled)
			if err := sched.Pull(ctx, account()); err != nil {
				t.Fatal(err)
			}
			docs, _ = st.Documents(ctx, db.DocQuery{TenantID: tn.ID, Op: "market", Limit: 5000})
			nc := 0
			for _, doc := range docs {
				if doc.Status == "cancelled" {
					nc++
				}
			}
			if len(docs) != len(want) || nc != len(cancelled) {
				t.Fatalf("after cancellations: %d documents, %d cancelled; want %d and %d", len(docs), nc, len(want), len(cancelled))
			}
			tb, _ := st.TrialBalance(ctx, tn.ID, "")
			sum := decimal.Zero
			for _, a := range tb {
				sum = sum.Add(a.Balance)
			}
			if !sum.IsZero() {
				t.Fatalf("trial balance %s", sum)
			}
			t.Logf("%s: %d orders booked once; calls %v", kind, len(docs), fake.Calls)
		})
	}
}

func fakeCancel(f *amazonfake.Server, ids []string) {
	for _, id := range ids {
		f.Update(id, "Canceled")
	}
}
