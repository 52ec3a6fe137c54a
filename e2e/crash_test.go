package e2e

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"tiltas/cloud/db"
	"tiltas/internal/dbtest"
	"tiltas/possim"
)

// The agent is SIGKILLed at random moments 20 times while the registers keep selling, and the
// cloud is SIGKILLed and restarted in between: the cloud ends with exactly what the POS has, on
// the reference schema and on uniCenta.
func TestKillAgentAndCloud(t *testing.T) {
	for _, run := range runs() {
		t.Run(run.name, func(t *testing.T) {
			e := newEnvOn(t, run.kind, run.pos)
			cloud := e.cloudProc()
			ctx, stopSelling := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.sell(ctx, possim.Options{Registers: 3, Rate: 300, DayEvery: 150, Seed: 7})
			}()
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
			for i := 1; i <= 20; i++ {
				agent := e.agentProc()
				time.Sleep(time.Duration(100+rng.IntN(700)) * time.Millisecond)
				kill(agent)
				if i%5 == 0 {
					kill(cloud)
					time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
					cloud = e.cloudProc()
				}
			}
			stopSelling()
			wg.Wait()
			// Close the day on every register so the Z reports are part of what must match.
			e.sell(context.Background(), possim.Options{Registers: 3, Receipts: 3, CloseDay: true, Seed: 8})
			e.agentProc()
			got := e.waitEqual(2 * time.Minute)
			if len(got.receipts) < 500 {
				t.Fatalf("only %d receipts were sold during the test; the test did not exercise much", len(got.receipts))
			}
			st, err := db.Open(context.Background(), e.cloudURL, dbtest.Options())
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if rj, _ := st.Rejected(context.Background(), e.who.TenantID, 0, 0); len(rj) != 0 {
				t.Fatalf("crashes made the cloud reject items: %+v", rj[0])
			}
			t.Logf("%s: %d receipts and %d day closes equal after 20 agent and 4 cloud kills", run.name, len(got.receipts), len(got.dayCloses))
		})
	}
}
