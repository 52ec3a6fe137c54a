package market_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/cloud/market/amazon"
	"tiltas/cloud/market/amazonfake"
	"tiltas/cloud/posting"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
)

// BenchmarkMapAndPostOrders maps SP-API orders and books them (a sales document and a write-off
// each), API pacing excluded: the orders are already fetched.
func BenchmarkMapAndPostOrders(b *testing.B) {
	for _, kind := range dbtest.Kinds {
		b.Run(kind, func(b *testing.B) {
			ctx := context.Background()
			st := dbtest.Open(b, kind, dbtest.Options())
			tn, _ := st.CreateTenant(ctx, "Seller")
			fixture.ECB(b, st, tn.ID, ecb)
			seedCatalogue(b, st, tn.ID, "1000000", "MAIN", "AMZ-DE", "AMZ-NL", "AMZ-FR", "AMZ-PL", "AMZ-SE")
			fake := &amazonfake.Server{}
			generate(fake, b.N)
			raw := fakeOrders(fake)
			id, _ := st.CreateMarketAccount(ctx, tn.ID, "amazon", "Amazon", []byte(`{}`), time.Hour)
			acct := db.MarketAccount{ID: id, TenantID: tn.ID, Kind: "amazon", Name: "Amazon"}
			b.ResetTimer()
			var orders []posting.Order
			for _, r := range raw {
				orders = append(orders, amazon.Read(r.o, r.items))
			}
			if _, err := st.SaveOrders(ctx, acct, orders); err != nil {
				b.Fatal(err)
			}
			res, err := books.New(st).PostOrders(ctx, acct, posting.OrderRules{PostStatuses: map[string]bool{"Shipped": true}, CancelStatuses: map[string]bool{"Canceled": true}})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(res.Posted)/b.Elapsed().Seconds(), "orders/s")
		})
	}
}

type rawOrder struct {
	o     amazon.Order
	items []amazon.OrderItem
}

// fakeOrders are the fake's orders as the client reads what the fake answers.
func fakeOrders(f *amazonfake.Server) []rawOrder {
	var out []rawOrder
	f.Each(func(od json.RawMessage, ids []json.RawMessage) {
		var r rawOrder
		if err := json.Unmarshal(od, &r.o); err != nil {
			panic(err)
		}
		for _, b := range ids {
			var it amazon.OrderItem
			if err := json.Unmarshal(b, &it); err != nil {
				panic(err)
			}
			r.items = append(r.items, it)
		}
		out = append(out, r)
	})
	return out
}
