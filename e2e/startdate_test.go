package e2e

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"tiltas/cloud/agentlink"
	"tiltas/cloud/db"
	"tiltas/internal/dbtest"
	"tiltas/possim"
)

// An agent with pos.start_date ships only what closed from that day on, and the cloud shows
// the date with the store's status.
func TestStartDateKeepsHistoryInThePOS(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.cloudInProcess()
	e.sell(context.Background(), possim.Options{Registers: 1, Receipts: 60, Seed: 7})
	if _, err := e.pos.Exec(`UPDATE receipts SET closed_at = '2025-06-01 10:00:00' WHERE id <= 20`); err != nil {
		t.Fatal(err)
	}
	conf, err := os.ReadFile(e.agentConf)
	if err != nil {
		t.Fatal(err)
	}
	withStart := strings.Replace(string(conf), `poll_interval = "200ms"`, "poll_interval = \"200ms\"\nstart_date = \"2026-01-01\"", 1)
	if err := os.WriteFile(e.agentConf, []byte(withStart), 0o600); err != nil {
		t.Fatal(err)
	}
	e.agentProc()

	st, err := db.Open(context.Background(), e.cloudURL, dbtest.Options())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ref := db.StoreRef{ID: e.who.StoreID, TenantID: e.who.TenantID, Code: e.who.StoreCode}
	var ss db.StoreStatus
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if ss, err = st.StoreStatus(context.Background(), ref); err == nil && ss.Receipts >= 40 {
			break
		}
	}
	time.Sleep(time.Second) // a few more polls: nothing older follows
	if ss, err = st.StoreStatus(context.Background(), ref); err != nil || ss.Receipts != 40 || ss.StartDate != "2026-01-01" {
		t.Fatalf("store status %+v %v: want the 40 receipts closed from 2026-01-01 on and start date 2026-01-01", ss, err)
	}
	got := e.cloudSnapshot()
	for id := range got.receipts {
		if n, _ := strconv.Atoi(id); n <= 20 {
			t.Errorf("receipt %s closed in 2025 reached the cloud", id)
		}
	}
}

// The store's start date set in the cloud reaches a new agent in its welcome, before it reads
// the POS: without history the older receipts stay in the POS; with history they are shipped
// and held as history, never booked. The agent's status says where its start date comes from.
func TestStartDateFromTheCloud(t *testing.T) {
	for _, history := range []bool{false, true} {
		t.Run(map[bool]string{false: "older stay in the POS", true: "older kept as history"}[history], func(t *testing.T) {
			e := newEnv(t, "sqlite")
			e.sell(context.Background(), possim.Options{Registers: 1, Receipts: 60, Seed: 7})
			if _, err := e.pos.Exec(`UPDATE receipts SET closed_at = '2025-06-01 10:00:00' WHERE id <= 20`); err != nil {
				t.Fatal(err)
			}
			st, err := db.Open(context.Background(), e.cloudURL, dbtest.Options())
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if err := st.SetStoreStart(context.Background(), e.who.TenantID, e.who.StoreCode, "2026-01-01", history); err != nil {
				t.Fatal(err)
			}
			e.cloudProc() // posts too
			e.agentProc()
			want := 40
			if history {
				want = 60
			}
			var rs []db.ReceiptRecord
			for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				rs, _ = st.Receipts(context.Background(), db.Query{TenantID: e.who.TenantID, Limit: 100})
				settled := len(rs) >= want
				for _, r := range rs {
					settled = settled && r.Posting != "pending"
				}
				if settled {
					break
				}
			}
			time.Sleep(time.Second) // a few more polls: nothing else follows
			rs, _ = st.Receipts(context.Background(), db.Query{TenantID: e.who.TenantID, Limit: 100})
			states := map[string]int{}
			for _, r := range rs {
				n, _ := strconv.Atoi(r.SourceID)
				old := n <= 20
				switch {
				case old && r.Posting != "history", !old && r.Posting != "booked":
					t.Errorf("receipt %s closed %s is %q", r.SourceID, r.ClosedAt.Format(time.DateOnly), r.Posting)
				}
				states[r.Posting]++
			}
			if len(rs) != want {
				t.Fatalf("the cloud holds %d receipts (%v), want %d", len(rs), states, want)
			}
			var b []byte
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				if b, _ = os.ReadFile(e.dir + "/data/status.json"); strings.Contains(string(b), `"start_source": "cloud"`) {
					break // the status file is written every 2 s
				}
			}
			if !strings.Contains(string(b), `"start_date": "2026-01-01"`) || !strings.Contains(string(b), `"start_source": "cloud"`) {
				t.Fatalf("the agent's status does not show the cloud's start date:\n%s", b)
			}
			out, _ := agentCmd(t, e, e.agentConf, "status")
			if !strings.Contains(out, "set in the cloud for this store") {
				t.Fatalf("status does not say where the start date comes from:\n%s", out)
			}
			t.Logf("%v", states)
		})
	}
}

// A start date set in the cloud while the agent is connected reaches it in a new welcome, within
// seconds and without a reconnect; cleared again, the agent goes back to its pos.start_date.
func TestStartDateChangedWhileConnected(t *testing.T) {
	defer func(was time.Duration) { agentlink.StartEvery = was }(agentlink.StartEvery)
	agentlink.StartEvery = 200 * time.Millisecond
	e := newEnv(t, "sqlite")
	e.cloudInProcess()
	e.agentProc()
	status := func() string {
		b, _ := os.ReadFile(e.dir + "/data/status.json")
		return string(b)
	}
	waitStatus := func(what string, ok func(string) bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !ok(status()); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("waited for %s; status:\n%s", what, status())
			}
		}
	}
	waitStatus("the agent to connect", func(s string) bool { return strings.Contains(s, `"connected": true`) })
	st, err := db.Open(context.Background(), e.cloudURL, dbtest.Options())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetStoreStart(context.Background(), e.who.TenantID, e.who.StoreCode, "2026-03-01", false); err != nil {
		t.Fatal(err)
	}
	waitStatus("the cloud's start date", func(s string) bool {
		return strings.Contains(s, `"start_date": "2026-03-01"`) && strings.Contains(s, `"start_source": "cloud"`)
	})
	if err := st.SetStoreStart(context.Background(), e.who.TenantID, e.who.StoreCode, "", false); err != nil {
		t.Fatal(err)
	}
	waitStatus("the agent's own start date again", func(s string) bool { return strings.Contains(s, `"start_source": "agent.toml"`) })
	if b, err := os.ReadFile(e.dir + "/data/start.json"); err != nil || !strings.Contains(string(b), `"source":"agent.toml"`) {
		t.Fatalf("start.json: %s %v", b, err)
	}
}
