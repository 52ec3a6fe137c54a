package e2e

import (
	"context"
	"testing"
	"time"

	"tiltas/possim"
)

var kinds = []string{"sqlite", "mysql"}

// run is one POS schema against one cloud store.
type run struct{ name, pos, kind string }

// runs are the POS schemas × the cloud stores the pipeline tests run on.
func runs() []run {
	var out []run
	for _, pos := range poses {
		for _, kind := range kinds {
			out = append(out, run{pos + "/" + kind, pos, kind})
		}
	}
	return out
}

// 5,000 receipts from the simulator arrive exactly once, equal to the POS to the cent, from
// the reference schema and from uniCenta (through the shipped profiles), into either cloud store.
func TestFiveThousandReceipts(t *testing.T) {
	for _, run := range runs() {
		t.Run(run.name, func(t *testing.T) { fiveThousand(t, run.kind, run.pos) })
	}
}

func fiveThousand(t *testing.T, kind, pos string) {
	e := newEnvOn(t, kind, pos)
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
	t.Logf("%s on %s: 5000 receipts, %d day closes, total %s", pos, kind, len(got.dayCloses), st.Total.StringFixed(2))
}
