package db_test

import (
	"context"
	"fmt"
	"testing"

	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
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
