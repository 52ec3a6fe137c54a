package market_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/cloud/market"
	"tiltas/cloud/market/allegro"
	"tiltas/cloud/market/allegrofake"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
)

func allegroForm(i int, rng *rand.Rand, status string) (allegro.CheckoutForm, decimal.Decimal) {
	f := allegro.CheckoutForm{ID: fmt.Sprintf("a%07d-0000-11ef-8000-%012d", i, i), Status: status,
		Buyer: allegro.Buyer{ID: fmt.Sprint(9000 + i%200), Login: fmt.Sprintf("kupujacy_%d", i%200), Email: fmt.Sprintf("k%d@allegromail.pl", i%200), FirstName: "Jan", LastName: "Kowalski"}}
	f.Summary.TotalToPay.Currency = "PLN"
	country, treatment := "PL", "oss"
	if i%19 == 0 {
		country = "CZ" // a consumer abroad: OSS at the Czech rate
	}
	if i%13 == 0 {
		// A Polish company asks for an invoice. 0 % intra-EU for a Lithuanian seller only when
		// Allegro verified its EU VAT number (VAT_EU_VERIFIED, the number in ids as VAT_EU, the
		// NIP hyphenated as in the spec's example); unverified, or declared no VAT payer
		// (NON_ACTIVE), it is taxed as a consumer.
		nip := fmt.Sprintf("52%08d", i)
		c := &allegro.Company{Name: "Firma Sp. z o.o.", VATPayerStatus: "ACTIVE",
			IDs: []allegro.CompanyID{{Type: "PL_NIP", Value: nip[:3] + "-" + nip[3:6] + "-" + nip[6:8] + "-" + nip[8:]}, {Type: "VAT_EU", Value: "PL" + nip}}}
		features := []string{"VAT_EU_VERIFIED"}
		treatment = "intra"
		switch {
		case i%26 == 0:
			features, c.IDs = []string{"VAT_EU_UNVERIFIED"}, c.IDs[:1]
			treatment = "oss"
		case i%39 == 0:
			c.VATPayerStatus = "NON_ACTIVE"
			treatment = "oss"
		}
		f.Invoice = &allegro.InvoiceInfo{Required: true, Features: features, Address: &allegro.Address{CountryCode: "PL", Company: c}}
	}
	var lines []orderLine
	for k := 0; k < 1+rng.IntN(3); k++ {
		sku := fmt.Sprintf("SKU-%02d", rng.IntN(20))
		qty := 1 + rng.IntN(2)
		price := decimal.New(int64(999+rng.IntN(40000)), -2)
		li := allegro.LineItem{ID: fmt.Sprint(i, k), Quantity: qty, Price: allegro.Money{Amount: price.StringFixed(2), Currency: "PLN"},
			OriginalPrice: allegro.Money{Amount: price.StringFixed(2), Currency: "PLN"}, BoughtAt: "2026-11-10T09:00:00.000Z"}
		if i%7 == 0 && k == 0 { // a coupon: in the line's price, below its original price
			li.OriginalPrice.Amount = price.Add(decimal.New(int64(100+rng.IntN(400)), -2)).StringFixed(2)
			li.Discounts = []struct {
				Type string `json:"type"`
			}{{"COUPON"}}
		}
		li.Offer.ID, li.Offer.Name = fmt.Sprint(77000+k), "Oferta "+sku
		li.Offer.External = &struct {
			ID string `json:"id"`
		}{ID: sku}
		f.LineItems = append(f.LineItems, li)
		lines = append(lines, orderLine{sku, price.Mul(decimal.NewFromInt(int64(qty)))})
	}
	cost := decimal.New(int64(899+rng.IntN(1000)), -2)
	f.Delivery = &struct {
		Address *allegro.DeliveryAddress `json:"address,omitempty"`
		Method  *struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"method,omitempty"`
		Cost *allegro.Money `json:"cost,omitempty"`
	}{Address: &allegro.DeliveryAddress{City: "Warszawa", CountryCode: country}, Cost: &allegro.Money{Amount: cost.StringFixed(2), Currency: "PLN"}}
	lines = append(lines, orderLine{"", cost})
	toPay := cost
	for _, li := range f.LineItems {
		toPay = toPay.Add(d(li.Price.Amount).Mul(decimal.NewFromInt(int64(li.Quantity))))
	}
	if i%17 == 0 { // carrying in, a charged additional service on the first item
		svc := decimal.New(int64(999+rng.IntN(2000)), -2)
		f.LineItems[0].SelectedAdditionalServices = []allegro.AdditionalService{{DefinitionID: "CARRY_IN", Name: "Wniesienie", Price: allegro.Money{Amount: svc.StringFixed(2), Currency: "PLN"}, Quantity: 1}}
		toPay = toPay.Add(svc)
		lines = append(lines, orderLine{"", svc})
	}
	f.Summary.TotalToPay.Amount = toPay.StringFixed(2)
	return f, expectVAT(treatment, country, "PLN", lines)
}

// unreadableAllegro is the form whose total to pay is not its items and delivery.
const unreadableAllegro = 3

func TestFiveHundredAllegroOrders(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			st := dbtest.Open(t, kind, dbtest.Options())
			tn, _ := st.CreateTenant(ctx, "Seller")
			fixture.ECB(t, st, tn.ID, ecb)
			seedCatalogue(t, st, tn.ID, "10000", "MAIN")
			fake := &allegrofake.Server{ClientID: "client", ClientSecret: "secret", RefreshToken: "first-refresh", Throttle: 0.04, ServerError: 0.03, Garbage: 0.02}
			base := fake.Start()
			defer fake.Close()
			rng := rand.New(rand.NewPCG(5, 6))
			want := map[string]decimal.Decimal{}
			start := time.Now().Add(-2 * time.Hour)
			put := func(from, to int) {
				for i := from; i < to; i++ {
					status := "READY_FOR_PROCESSING"
					switch {
					case i%11 == 0:
						status = "FILLED_IN" // not paid yet: not booked
					case i%41 == 0:
						status = "CANCELLED"
					}
					f, vat := allegroForm(i, rng, status)
					if i == unreadableAllegro {
						f.Summary.TotalToPay.Amount = d(f.Summary.TotalToPay.Amount).Add(d("10")).StringFixed(2)
					}
					f.Payment = &struct {
						ID         string         `json:"id"`
						Type       string         `json:"type"`
						FinishedAt string         `json:"finishedAt,omitempty"`
						PaidAmount *allegro.Money `json:"paidAmount,omitempty"`
					}{ID: "p" + f.ID, Type: "ONLINE", FinishedAt: "2026-11-10T09:00:00.000Z"}
					fake.Put(f, status, start.Add(time.Duration(i)*time.Second))
					if status == "READY_FOR_PROCESSING" && i != unreadableAllegro {
						want[f.ID] = vat
					}
				}
			}
			put(0, 300)
			cfg, _ := json.Marshal(allegro.AccountConfig{Config: allegro.Config{APIURL: base, AuthURL: base, ClientID: "client", ClientSecret: "secret", RefreshToken: "first-refresh"}})
			if _, err := st.CreateMarketAccount(ctx, tn.ID, "allegro", "Allegro", cfg, 15*time.Minute); err != nil {
				t.Fatal(err)
			}
			sched := &market.Scheduler{Store: st, Books: books.New(st), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			account := func() db.MarketAccount {
				as, _ := st.MarketAccounts(ctx, tn.ID)
				return as[0]
			}
			pull := func(what string) {
				t.Helper()
				if err := sched.Pull(ctx, account()); err != nil {
					t.Fatal(err)
				}
				if a := account(); a.LastError != "" {
					t.Fatalf("%s: %s", what, a.LastError)
				}
			}
			pull("first pull: no saved event, checkout forms by updatedAt")
			if c := account().Cursor; !strings.HasPrefix(c, fmt.Sprintf("%016d|", 300)) {
				t.Fatalf("cursor after the first pull %q: want the latest event", c)
			}
			put(300, 450)
			go func() { time.Sleep(50 * time.Millisecond); fake.ExpireTokens() }()
			pull("second pull: from the journal, tokens expiring")
			if fake.Calls["/order/checkout-forms"] == 0 || fake.Calls["/order/events"] == 0 {
				t.Fatalf("calls %v: want both the listing and the journal used", fake.Calls)
			}
			// The saved event leaves the journal: the next pull falls back to checkout forms.
			put(450, 500)
			fake.Forget(time.Now().Add(time.Hour))
			pull("third pull: the saved event is gone")
			pull("a repeated pull")
			// The access token is kept with the account for its life: the refresh token rotated at
			// the first pull and when the tokens expired, not at every pull.
			if fake.Rotations != 2 {
				t.Fatalf("refresh token rotated %d times in 4 pulls, want 2 (the first, and after the tokens expired)", fake.Rotations)
			}

			docs, _ := st.Documents(ctx, db.DocQuery{TenantID: tn.ID, Limit: 5000})
			seen := map[string]bool{}
			invoices := 0
			for _, doc := range docs {
				if doc.Op != "market" && doc.Op != "market_invoice" {
					continue
				}
				if doc.Op == "market_invoice" {
					invoices++
				}
				id := strings.TrimPrefix(doc.SourceID, "Allegro:")
				v, ok := want[id]
				if !ok || seen[id] {
					t.Fatalf("document for %s: unexpected or twice", id)
				}
				seen[id] = true
				if !doc.VAT.Equal(v) {
					t.Fatalf("order %s: VAT %s EUR, independently %s", id, doc.VAT, v)
				}
			}
			if len(seen) != len(want) || invoices == 0 {
				t.Fatalf("%d of %d orders booked, %d invoices", len(seen), len(want), invoices)
			}
			// The form whose total is not its items waits in Errors, saying so.
			errs, _ := st.MarketOrders(ctx, tn.ID, db.OrderErrors, 0)
			if len(errs) != 1 || !strings.Contains(errs[0].Reason, "but its items, additional services and delivery come to") {
				t.Fatalf("orders in Errors: %+v", errs)
			}
			// A buyer cancels after booking: reversed on the next pull.
			var id string
			for k := range want {
				id = k
				break
			}
			f, _ := allegroForm(0, rng, "CANCELLED")
			f.ID = id
			fake.Put(f, "BUYER_CANCELLED", time.Now())
			pull("cancellation")
			orders, _ := st.MarketOrders(ctx, tn.ID, db.OrderCancelled, 0)
			found := false
			for _, o := range orders {
				found = found || o.OrderID == id
			}
			if !found {
				t.Fatalf("order %s cancelled after booking is not in Cancelled", id)
			}
			t.Logf("%s: %d Allegro orders booked once (%d with invoices); calls %v; %d token rotations", kind, len(seen), invoices, fake.Calls, fake.Rotations)
		})
	}
}
