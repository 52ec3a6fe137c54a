package e2e

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

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
