package e2e

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tiltas/cloud/db"
	"tiltas/internal/dbtest"
	"tiltas/possim"
	"tiltas/shared/domain"
)

// Receipts arrive while the cloud does not post; then the cloud, posting, is SIGKILLed again
// and again while registers keep selling. In the end every receipt is booked exactly once:
// one document per receipt, gapless series, a zero trial balance, and the payment accounts
// hold what the POS took, to the cent.
func TestPostingSurvivesCloudKills(t *testing.T) {
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t, kind)
			cloud := e.proc("tiltas-cloud", "serve", "--listen", e.addr, "--db", e.cloudURL, "--secrets-key", filepath.Join(e.dir, "secrets.key"), "--post=false")
			e.waitHealthy()
			e.agentProc()
			e.sell(context.Background(), possim.Options{Registers: 2, Receipts: 400, DayEvery: 150, Seed: 21})
			e.waitEqual(time.Minute) // ingested, nothing booked: a crash between ingest and posting
			kill(cloud)

			ctx, stop := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.sell(ctx, possim.Options{Registers: 2, Rate: 200, DayEvery: 150, Seed: 22})
			}()
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 5))
			for i := 0; i < 6; i++ {
				cloud = e.cloudProc()
				time.Sleep(time.Duration(200+rng.IntN(800)) * time.Millisecond)
				kill(cloud)
			}
			stop()
			wg.Wait()
			e.cloudProc()
			got := e.waitEqual(2 * time.Minute)

			docs, paid := e.checkBooks(got)
			t.Logf("%s: %d receipts booked once each after 7 cloud kills; takings %d cents", kind, docs, paid)
		})
	}
}

// checkBooks waits until everything the cloud holds is posted, then checks the books: one
// document per receipt, gapless series, no refusals, a zero trial balance, and payment
// accounts holding what the POS took, to the cent. It returns the receipt documents and the
// takings in cents.
func (e *env) checkBooks(got snapshot) (docs int, paid int64) {
	e.t.Helper()
	st, err := db.Open(context.Background(), e.cloudURL, dbtest.Options())
	if err != nil {
		e.t.Fatal(err)
	}
	defer st.Close()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var pending int
		if err := st.DB().QueryRow(`SELECT COUNT(*) FROM receipts WHERE post_state = 0`).Scan(&pending); err != nil {
			e.t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%d receipts still unposted", pending)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var distinct int
	if err := st.DB().QueryRow(`SELECT COUNT(*), COUNT(DISTINCT source_id) FROM documents WHERE source_kind = 'receipt'`).Scan(&docs, &distinct); err != nil {
		e.t.Fatal(err)
	}
	if docs != len(got.receipts) || distinct != docs {
		e.t.Fatalf("%d receipts but %d receipt documents (%d distinct)", len(got.receipts), docs, distinct)
	}
	rows, err := st.DB().Query(`SELECT series, COUNT(*), MAX(number) FROM documents GROUP BY series`)
	if err != nil {
		e.t.Fatal(err)
	}
	for rows.Next() {
		var series string
		var n, maxN int
		rows.Scan(&series, &n, &maxN)
		if n != maxN {
			e.t.Fatalf("series %s: %d documents numbered up to %d", series, n, maxN)
		}
	}
	rows.Close()
	if f, _ := st.PostingFailures(context.Background(), e.who.TenantID); len(f) != 0 {
		e.t.Fatalf("posting refused: %+v", f)
	}
	tb, err := st.TrialBalance(context.Background(), e.who.TenantID, "")
	if err != nil {
		e.t.Fatal(err)
	}
	sum := int64(0)
	for _, a := range tb {
		c, _ := domain.Cents(a.Balance)
		sum += c
		if a.Account == "2721" || a.Account == "2712" || a.Account == "4480" {
			paid += c
		}
	}
	if sum != 0 {
		e.t.Fatalf("trial balance sums to %d cents", sum)
	}
	if paid != got.cents {
		e.t.Fatalf("payment accounts hold %d cents, the POS took %d", paid, got.cents)
	}
	return docs, paid
}
