package outbox

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tiltas/shared/protocol"
)

// BenchmarkCapture appends 500 captured receipts per bbolt transaction (fsynced).
func BenchmarkCapture(b *testing.B) {
	o, err := Open(filepath.Join(b.TempDir(), "o.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	data := []byte(`{"receipt":"` + strings.Repeat("x", 880) + `"}`)
	n := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		items := make([]Captured, 500)
		for j := range items {
			n++
			items[j] = Captured{Kind: protocol.KindReceipt, SourceID: fmt.Sprint(n), ClosedAt: time.UnixMilli(int64(n)), Data: data}
		}
		if _, err := o.Capture(protocol.KindReceipt, items, time.UnixMilli(int64(n))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "items/s")
}
