package books_test

import (
	"context"
	"fmt"
	"testing"
	"tiltas/cloud/books"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
	"tiltas/shared/domain"

	"github.com/shopspring/decimal"
)

// BenchmarkPostReceipt books held receipts: a sale document, its entry, and a write-off at
// weighted-average cost, one transaction each.
func BenchmarkPostReceipt(b *testing.B) {
	for _, kind := range dbtest.Kinds {
		b.Run(kind, func(b *testing.B) {
			s := dbtest.Open(b, kind, dbtest.Options())
			ctx := context.Background()
			who := fixture.Tenant(b, s, "B", "S")
			base := fixture.PostingReceipts(b)["101"]
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
				fixture.IngestOneBatch(b, s, who, "bench", rs[start:min(start+500, len(rs))]...)
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
