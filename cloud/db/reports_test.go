package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/cloud/posting"
	"tiltas/cloud/report"
	"tiltas/internal/fixture"
)

func order(id, country, currency, gross string) posting.Order {
	return posting.Order{Market: "amazon", ID: id, Status: "Shipped", PurchasedAt: time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC), Currency: currency, ShipTo: country,
		Buyer: posting.OrderBuyer{Key: id + "@example.com"}, Lines: []posting.OrderLine{{Kind: posting.LineShipping, Name: "Paslauga", Qty: fixture.D("1"), UnitGross: fixture.D(gross)}}}
}

func TestReports(t *testing.T) {
	eachStore(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		who := fixture.Tenant(t, s, "Shop", "S1")
		// Booked at the day's rate (4.30 on 9 November); OSS converts at 31 December's (4.25).
		fixture.ECB(t, s, who.TenantID, "Date,PLN\n2026-11-09,4.3000\n2026-12-31,4.2500\n")
		set, _ := s.POSSettings(ctx, who.TenantID)
		set.AutoWriteOff = false
		s.SetPOSSettings(ctx, who.TenantID, set)
		fixture.Ingest(t, s, who, "s", fixture.PostingReceipts(t)["101"])
		if _, err := books.New(s).PostPending(ctx, 10); err != nil {
			t.Fatal(err)
		}
		id, _ := s.CreateMarketAccount(ctx, who.TenantID, "amazon", "A", []byte(`{}`), time.Hour)
		acct := db.MarketAccount{ID: id, TenantID: who.TenantID, Kind: "amazon", Name: "A"}
		rules := posting.OrderRules{PostStatuses: map[string]bool{"Shipped": true}, CancelStatuses: map[string]bool{"Canceled": true}}
		orders := []posting.Order{order("de1", "DE", "EUR", "119.00"), order("pl1", "PL", "PLN", "123.00"), order("pl2", "PL", "PLN", "246.00"), order("de2", "DE", "EUR", "59.50"),
			order("pl3", "PL", "PLN", "123.00")}
		clockOf(s).Set(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC))
		defer clockOf(s).Reset()
		s.SaveOrders(ctx, acct, orders)
		if res, err := books.New(s).PostOrders(ctx, acct, rules); err != nil || res.Posted != 5 {
			t.Fatalf("%+v %v", res, err)
		}
		orders[3].Status = "Canceled" // de2 is cancelled in the quarter it was sold: it nets out there
		s.SaveOrders(ctx, acct, orders)
		books.New(s).PostOrders(ctx, acct, rules)

		rowsOf := func(what string, f func() (report.Table, error)) string {
			t.Helper()
			tb, err := f()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			return fmt.Sprint(tb.Rows)
		}
		q4 := func() (report.Table, error) { return s.OSS(ctx, who.TenantID, "2026Q4") }
		nov := func() (report.Table, error) { return s.VATSummary(ctx, who.TenantID, "2026-11-01", "2026-11-30") }
		// DE: 119.00 at 19 % = 100.00 + 19.00. PL: 492.00 PLN at 23 % = 400.00 + 92.00 PLN;
		// at 4.25: 94.12 and 21.65 EUR. VAT due 40.65.
		wantQ4 := "[[DE 19 EUR 100.00 19.00 1 100.00 19.00 ] [PL 23 PLN 400.00 92.00 4.25 94.12 21.65 ] [DE 19 EUR total    100.00 19.00 ] [PL 23 EUR total    94.12 21.65 ] [total       40.65 ]]"
		if got := rowsOf("OSS", q4); got != wantQ4 {
			t.Fatalf("OSS\n got %s\nwant %s", got, wantQ4)
		}
		// The receipt (domestic, per classifier) and the OSS sales at the day's rate (4.30):
		// PL 123 → 23.26 + 5.35 (twice), 246 → 46.51 + 10.70. DE: two issued, one cancelled.
		wantNov := "[[domestic LT PVM1 21 1 3.21 0.67 3.88 0] [domestic LT PVM2 9 1 1.46 0.13 1.59 0] [domestic LT PVM3 5 1 11.43 0.57 12.00 0] " +
			"[oss DE OSS 19 2 100.00 19.00 119.00 1] [oss PL OSS 23 3 93.03 21.40 114.43 0] [total     209.13 41.77 250.90 ]]"
		if got := rowsOf("VAT summary", nov); got != wantNov {
			t.Fatalf("VAT summary\n got %s\nwant %s", got, wantNov)
		}

		// pl3 is cancelled in January, after the Q4 return: Q4 and November stay as reported, and
		// the cancellation corrects Q4 in the Q1 return (at Q4's rate) and counts in January.
		clockOf(s).Set(time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC))
		orders[4].Status = "Canceled"
		s.SaveOrders(ctx, acct, orders)
		books.New(s).PostOrders(ctx, acct, rules)
		if got := rowsOf("OSS after", q4); got != wantQ4 {
			t.Fatalf("Q4 changed after it was over\n got %s\nwant %s", got, wantQ4)
		}
		if got := rowsOf("VAT summary after", nov); got != wantNov {
			t.Fatalf("November changed after it was over\n got %s\nwant %s", got, wantNov)
		}
		wantQ1 := "[[PL 23 PLN -100.00 -23.00 4.25 -23.53 -5.41 2026Q4] [PL 23 EUR total    -23.53 -5.41 2026Q4] [total       -5.41 ]]"
		if got := rowsOf("OSS Q1", func() (report.Table, error) { return s.OSS(ctx, who.TenantID, "2027Q1") }); got != wantQ1 {
			t.Fatalf("OSS 2027Q1\n got %s\nwant %s", got, wantQ1)
		}
		wantJan := "[[oss PL OSS 23 0 -23.26 -5.35 -28.61 1] [total     -23.26 -5.35 -28.61 ]]"
		if got := rowsOf("VAT summary Jan", func() (report.Table, error) { return s.VATSummary(ctx, who.TenantID, "2027-01-01", "2027-01-31") }); got != wantJan {
			t.Fatalf("VAT summary January\n got %s\nwant %s", got, wantJan)
		}
		// The VAT summary agrees with the journal: the OSS VAT account moved by as much in each period.
		for _, p := range []struct{ from, to, want string }{{"2026-11-01", "2026-11-30", "40.40"}, {"2027-01-01", "2027-01-31", "-5.35"}} {
			es, err := s.Journal(ctx, who.TenantID, p.from, p.to, 0, db.PageMax)
			if err != nil {
				t.Fatal(err)
			}
			due := decimal.Zero
			for _, e := range es {
				for _, m := range e.Moves {
					if m.Credit == "4493" {
						due = due.Add(m.Amount)
					}
					if m.Debit == "4493" {
						due = due.Sub(m.Amount)
					}
				}
			}
			if due.StringFixed(2) != p.want {
				t.Errorf("OSS VAT credited %s – %s: %s, want %s as the VAT summary says", p.from, p.to, due.StringFixed(2), p.want)
			}
		}
		sj, err := s.SalesJournal(ctx, who.TenantID, "2026-11-01", "2026-11-30")
		if err != nil {
			t.Fatal(err)
		}
		if len(sj.Rows) != 6 {
			t.Fatalf("sales journal has %d rows, want the receipt and 5 orders: %v", len(sj.Rows), sj.Rows)
		}
		statuses := map[string]int{}
		for _, r := range sj.Rows {
			statuses[r[16]]++
		}
		if statuses["posted"] != 4 || statuses["cancelled"] != 2 {
			t.Fatalf("sales journal statuses %v", statuses)
		}
		// The overview's day: per store and per marketplace account, posted sales only.
		all, _ := s.Documents(ctx, db.DocQuery{TenantID: who.TenantID, Limit: 100})
		wantStore, wantAcct := map[string]db.DaySales{}, db.DaySales{}
		for _, doc := range all {
			if doc.Status != "posted" || doc.Op == "writeoff" {
				continue
			}
			if doc.SourceKind == "order" {
				if doc.Date == "2026-11-10" {
					wantAcct.Docs++
					wantAcct.Total = wantAcct.Total.Add(doc.Total)
				}
				continue
			}
			ds := wantStore[doc.Date]
			ds.Docs++
			ds.Total = ds.Total.Add(doc.Total)
			wantStore[doc.Date] = ds
		}
		if len(wantStore) != 1 {
			t.Fatalf("the receipt's document is not among the documents: %v", wantStore)
		}
		byStore, byAcct, err := s.SalesOn(ctx, who.TenantID, "2026-11-10")
		if err != nil {
			t.Fatal(err)
		}
		if got := byAcct[acct.ID]; got.Docs != 3 || !got.Total.Equal(wantAcct.Total) || len(byAcct) != 1 {
			t.Errorf("marketplace sales on 10 November: %+v, want 3 documents for %s", byAcct, wantAcct.Total)
		}
		if len(byStore) != 0 && wantStore["2026-11-10"].Docs == 0 {
			t.Errorf("store sales on a day without receipts: %+v", byStore)
		}
		for day, want := range wantStore {
			byStore, _, _ := s.SalesOn(ctx, who.TenantID, day)
			if got := byStore[who.StoreID]; got.Docs != want.Docs || !got.Total.Equal(want.Total) {
				t.Errorf("store sales on %s: %+v, want %+v", day, got, want)
			}
		}
		// Documents by marketplace account, or by store.
		other, _ := s.CreateMarketAccount(ctx, who.TenantID, "amazon", "A2", []byte(`{}`), time.Hour)
		s.SaveOrders(ctx, db.MarketAccount{ID: other, TenantID: who.TenantID, Kind: "amazon", Name: "A2"}, []posting.Order{order("x1", "DE", "EUR", "11.90")})
		books.New(s).PostOrders(ctx, db.MarketAccount{ID: other, TenantID: who.TenantID, Kind: "amazon", Name: "A2"}, rules)
		if err := s.UpdateMarketAccount(ctx, who.TenantID, acct.ID, "A renamed", []byte(`{}`), 0); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			q    db.DocQuery
			want int
			acct string
		}{
			{db.DocQuery{TenantID: who.TenantID, Account: "A2"}, 1, "A2"},
			{db.DocQuery{TenantID: who.TenantID, Account: "Nope"}, 0, ""},
			{db.DocQuery{TenantID: who.TenantID, Account: "A renamed"}, 5, "A"}, // renamed below: its documents stay its own
			{db.DocQuery{TenantID: who.TenantID, Store: "S1", Op: "sale"}, 1, ""},
		} {
			docs, err := s.Documents(ctx, tc.q)
			if err != nil || len(docs) != tc.want {
				t.Errorf("documents %+v: %d, want %d (%v)", tc.q, len(docs), tc.want, err)
			}
			for _, doc := range docs {
				if doc.Account != tc.acct {
					t.Errorf("document %d of %+v shows account %q", doc.ID, tc.q, doc.Account)
				}
			}
		}
		if fx, err := s.LatestFX(ctx, who.TenantID); err != nil || fmt.Sprint(fx) != "[{PLN 2026-12-31 4.25}]" {
			t.Errorf("newest exchange rates %v %v", fx, err)
		}
		if counts, err := s.OrderCounts(ctx, who.TenantID); err != nil || counts[acct.ID][db.OrderPosted] != 3 || counts[acct.ID][db.OrderCancelled] != 2 {
			t.Errorf("order counts %v %v", counts, err)
		}

		if _, err := s.OSS(ctx, who.TenantID, "2026Q5"); err == nil {
			t.Fatal("a fifth quarter was accepted")
		}

	})
}
