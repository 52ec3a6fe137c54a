package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"tiltas/cloud/posting"
	"tiltas/cloud/store"
)

func order(id, country, currency, gross string) posting.Order {
	return posting.Order{Market: "amazon", ID: id, Status: "Shipped", PurchasedAt: time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC), Currency: currency, ShipTo: country,
		Buyer: posting.OrderBuyer{Key: id + "@example.com"}, Lines: []posting.OrderLine{{Kind: posting.LineShipping, Name: "Paslauga", Qty: d("1"), UnitGross: d(gross)}}}
}

func TestReports(t *testing.T) {
	eachStore(t, func(t *testing.T, s *store.Store, _ string) {
		ctx := context.Background()
		who := setup(t, s, "Shop", "S1")
		// Booked at the day's rate (4.30 on 9 November); OSS converts at 31 December's (4.25).
		if _, err := s.ImportECB(ctx, who.TenantID, strings.NewReader("Date,PLN\n2026-11-09,4.3000\n2026-12-31,4.2500\n")); err != nil {
			t.Fatal(err)
		}
		set, _ := s.POSSettings(ctx, who.TenantID)
		set.AutoWriteOff = false
		s.SetPOSSettings(ctx, who.TenantID, set)
		ingest(t, s, who, "s", fixtureReceipts(t)["101"])
		if _, err := s.PostPending(ctx, 10); err != nil {
			t.Fatal(err)
		}
		id, _ := s.CreateMarketAccount(ctx, who.TenantID, "amazon", "A", []byte(`{}`), time.Hour)
		acct := store.MarketAccount{ID: id, TenantID: who.TenantID, Kind: "amazon", Name: "A"}
		rules := store.MarketRules{PostStatuses: map[string]bool{"Shipped": true}, CancelStatuses: map[string]bool{"Canceled": true}}
		orders := []posting.Order{order("de1", "DE", "EUR", "119.00"), order("pl1", "PL", "PLN", "123.00"), order("pl2", "PL", "PLN", "246.00"), order("de2", "DE", "EUR", "59.50")}
		s.SaveOrders(ctx, acct, orders)
		if res, err := s.PostOrders(ctx, acct, rules); err != nil || res.Posted != 4 {
			t.Fatalf("%+v %v", res, err)
		}
		orders[3].Status = "Canceled" // de2 is cancelled after booking: out of every report
		s.SaveOrders(ctx, acct, orders)
		s.PostOrders(ctx, acct, rules)

		oss, err := s.OSS(ctx, who.TenantID, "2026Q4")
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(oss.Rows)
		// DE: 119.00 at 19 % = 100.00 + 19.00. PL: 369.00 PLN at 23 % = 300.00 + 69.00 PLN;
		// at 4.25: 70.59 and 16.24 EUR. VAT due 35.24.
		want := "[[DE 19 EUR 100.00 19.00 1 100.00 19.00] [PL 23 PLN 300.00 69.00 4.25 70.59 16.24] [DE 19 EUR total    100.00 19.00] [PL 23 EUR total    70.59 16.24] [total       35.24]]"
		if got != want {
			t.Fatalf("OSS\n got %s\nwant %s", got, want)
		}
		vs, err := s.VATSummary(ctx, who.TenantID, "2026-11-01", "2026-11-30")
		if err != nil {
			t.Fatal(err)
		}
		// The receipt (domestic, per classifier) and the OSS sales at the day's rate:
		// PL 123 → 23.26 + 5.35, 246 → 46.51 + 10.70.
		want = "[[domestic LT PVM1 21 1 3.21 0.67 3.88] [domestic LT PVM2 9 1 1.46 0.13 1.59] [domestic LT PVM3 5 1 11.43 0.57 12.00] " +
			"[oss DE OSS 19 1 100.00 19.00 119.00] [oss PL OSS 23 2 69.77 16.05 85.82] [total     185.87 36.42 222.29]]"
		if got := fmt.Sprint(vs.Rows); got != want {
			t.Fatalf("VAT summary\n got %s\nwant %s", got, want)
		}
		sj, err := s.SalesJournal(ctx, who.TenantID, "2026-11-01", "2026-11-30")
		if err != nil {
			t.Fatal(err)
		}
		if len(sj.Rows) != 5 {
			t.Fatalf("sales journal has %d rows, want the receipt and 4 orders: %v", len(sj.Rows), sj.Rows)
		}
		statuses := map[string]int{}
		for _, r := range sj.Rows {
			statuses[r[16]]++
		}
		if statuses["posted"] != 4 || statuses["cancelled"] != 1 {
			t.Fatalf("sales journal statuses %v", statuses)
		}
		if _, err := s.OSS(ctx, who.TenantID, "2026Q5"); err == nil {
			t.Fatal("a fifth quarter was accepted")
		}

	})
}
