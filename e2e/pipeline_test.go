package e2e

import (
	"context"
	"testing"
	"time"

	"tiltas/possim"
)

var kinds = []string{"sqlite", "mysql"}

// 5,000 receipts from the simulator arrive exactly once, equal to the POS to the cent.
func TestFiveThousandReceipts(t *testing.T) {
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t, kind)
			e.cloudInProcess()
			e.agentProc()
			st := e.sell(context.Background(), possim.Options{Registers: 4, Receipts: 5000, CloseDay: true, DayEvery: 600, Seed: 42})
			got := e.waitEqual(2 * time.Minute)
			if len(got.receipts) != 5000 || st.Receipts != 5000 {
				t.Fatalf("cloud holds %d receipts, simulator wrote %d; want 5000", len(got.receipts), st.Receipts)
			}
			if len(got.dayCloses) < 4 {
				t.Fatalf("only %d day closes arrived", len(got.dayCloses))
			}
			t.Logf("%s: 5000 receipts, %d day closes, total %s", kind, len(got.dayCloses), st.Total.StringFixed(2))
		})
	}
}
