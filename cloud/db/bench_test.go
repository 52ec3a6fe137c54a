package db_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/shopspring/decimal"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
	"tiltas/shared/domain"
	"tiltas/shared/protocol"
)

// BenchmarkIngestBatch stores batches of 250 new receipts: one transaction each, with
// validation, dedupe lookup and the stream's position.
func BenchmarkIngestBatch(b *testing.B) {
	for _, kind := range dbtest.Kinds {
		b.Run(kind, func(b *testing.B) {
			s := dbtest.Open(b, kind, dbtest.Options())
			ctx := context.Background()
			who := fixture.Tenant(b, s, "B", "S")
			const per = 250
			seq := uint64(0)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				items := make([]protocol.Item, per)
				for j := range items {
					seq++
					id := fmt.Sprint(seq)
					items[j] = item(seq, fixture.Receipt(id, "12.34"), id)
				}
				if _, err := s.IngestBatch(ctx, who, "s", batch(items...)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*per)/b.Elapsed().Seconds(), "receipts/s")
		})
	}
}

// BenchmarkPostReceipt books held receipts: a sale document, its entry, and a write-off at
// weighted-average cost, one transaction each.
func BenchmarkPostReceipt(b *testing.B) {
	for _, kind := range dbtest.Kinds {
		b.Run(kind, func(b *testing.B) {
			s := dbtest.Open(b, kind, dbtest.Options())
			ctx := context.Background()
			who := fixture.Tenant(b, s, "B", "S")
			base := fixtureReceipts(b)["101"]
			if _, err := books.New(s).StockIn(ctx, who.TenantID, "", "2026-11-01", "bench", []books.StockInLine{
				{Barcode: "4770001", Qty: decimal.NewFromInt(int64(10 * (b.N + 1))), UnitCost: fixture.D("1.00")},
				{Barcode: "4770002", Qty: decimal.NewFromInt(int64(10 * (b.N + 1))), UnitCost: fixture.D("2.00")},
				{Barcode: "9780003", Qty: decimal.NewFromInt(int64(10 * (b.N + 1))), UnitCost: fixture.D("8.00")},
			}); err != nil {
				b.Fatal(err)
			}
			var rs []domain.Receipt
			for i := 0; i < b.N; i++ {
				r := base
				r.SourceID = fmt.Sprint("b", i)
				rs = append(rs, r)
			}
			for start := 0; start < len(rs); start += 500 {
				ingestMany(b, s, who, rs[start:min(start+500, len(rs))])
			}
			b.ResetTimer()
			res, err := books.New(s).PostPending(ctx, b.N)
			if err != nil || res.Posted != b.N {
				b.Fatalf("%+v %v", res, err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "receipts/s")
		})
	}
}

// ingestMany stores receipts in one batch.
func ingestMany(t testing.TB, s *db.DB, who db.AgentIdentity, rs []domain.Receipt) {
	acked, _ := s.StreamAcked(context.Background(), who.StoreID, "bench")
	var items []protocol.Item
	for i, r := range rs {
		items = append(items, item(acked+uint64(i)+1, r, r.SourceID))
	}
	if _, err := s.IngestBatch(context.Background(), who, "bench", batch(items...)); err != nil {
		t.Fatal(err)
	}
}
