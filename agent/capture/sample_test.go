package capture

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tiltas/agent/outbox"
	"tiltas/agent/profile"
	"tiltas/internal/testdb"
	"tiltas/possim"
	"tiltas/shared/domain"
	"tiltas/shared/protocol"
)

// Sample reads the first receipts and day closes oldest first, each exactly as capture ships
// it; a bad row is there, rejected with capture's reason; --from starts later.
func TestSample(t *testing.T) {
	ctx := context.Background()
	db, err := possim.OpenDB(ctx, testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := possim.Run(ctx, db, possim.Options{Registers: 2, Receipts: 40, CloseDay: true, DayEvery: 8, Seed: 4}, nil); err != nil {
		t.Fatal(err)
	}
	firstIDs := func(table string, n int, from time.Time) []string {
		rows, err := db.Query(`SELECT id FROM `+table+` WHERE status = 'closed' AND closed_at >= ? ORDER BY closed_at, id LIMIT ?`, from, n)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		return ids
	}
	want := firstIDs("receipts", 5, time.Time{})
	// The second receipt gets a line the agent rejects.
	if _, err := db.Exec(`UPDATE receipt_lines SET quantity = NULL WHERE receipt_id = ? AND line_no = 1`, want[1]); err != nil {
		t.Fatal(err)
	}

	s, err := Sample(ctx, db, profile.Reference(), SampleOptions{Receipts: 5, DayCloses: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := sourceIDs(s.Receipts); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("receipts %v, want the oldest %v", got, want)
	}
	if got, want := sourceIDs(s.DayCloses), firstIDs("cash_sessions", 3, time.Time{}); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("day closes %v, want the oldest %v", got, want)
	}
	for i, it := range s.Receipts {
		if i == 1 {
			if !strings.Contains(it.DecodeError, "receipt "+want[1]+": line 1 quantity is NULL") {
				t.Fatalf("the bad receipt: %q", it.DecodeError)
			}
			continue
		}
		var rc domain.Receipt
		if it.DecodeError != "" || json.Unmarshal(it.Data, &rc) != nil {
			t.Fatalf("receipt %s: %s", it.SourceID, it.DecodeError)
		}
		if len(rc.Lines) == 0 || len(rc.Payments) == 0 || rc.Validate() != nil {
			t.Fatalf("receipt %s: %d lines, %d payments, %v", it.SourceID, len(rc.Lines), len(rc.Payments), rc.Validate())
		}
	}

	// What capture ships for the same rows is byte for byte the same.
	ob, err := outbox.Open(filepath.Join(t.TempDir(), "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	if _, err := (&Reader{DB: db, Outbox: ob}).Once(ctx); err != nil {
		t.Fatal(err)
	}
	shipped, _ := ob.Pending(0, 1000)
	byKey := map[string]protocol.Item{}
	for _, it := range shipped {
		byKey[it.Kind+"/"+it.SourceID] = it
	}
	for _, it := range append(s.Receipts, s.DayCloses...) {
		sh, ok := byKey[it.Kind+"/"+it.SourceID]
		if !ok || !bytes.Equal(sh.Data, it.Data) || sh.DecodeError != it.DecodeError {
			t.Fatalf("%s %s: sampled\n%s %q\ncapture shipped\n%s %q", it.Kind, it.SourceID, it.Data, it.DecodeError, sh.Data, sh.DecodeError)
		}
	}

	// From a later time, the sample starts there.
	var from time.Time
	if err := db.QueryRow(`SELECT closed_at FROM receipts WHERE id = ?`, want[3]).Scan(&from); err != nil {
		t.Fatal(err)
	}
	later, err := Sample(ctx, db, profile.Reference(), SampleOptions{From: from, Receipts: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sourceIDs(later.Receipts), firstIDs("receipts", 2, from); strings.Join(got, ",") != strings.Join(want, ",") || len(later.DayCloses) != 0 {
		t.Fatalf("from %s: receipts %v, want %v; %d day closes", from, got, want, len(later.DayCloses))
	}

	// A receipt marked closed without a closing time is shown too, rejected.
	if _, err := db.Exec(`UPDATE receipts SET closed_at = NULL WHERE id = ?`, want[4]); err != nil {
		t.Fatal(err)
	}
	s, err = Sample(ctx, db, profile.Reference(), SampleOptions{Receipts: 5})
	if err != nil {
		t.Fatal(err)
	}
	last := s.Receipts[len(s.Receipts)-1]
	if len(s.Receipts) != 6 || last.SourceID != want[4] || !strings.Contains(last.DecodeError, "status is closed but closed_at is NULL") {
		t.Fatalf("%d receipts, last %s %q", len(s.Receipts), last.SourceID, last.DecodeError)
	}
}

func sourceIDs(items []outbox.Captured) []string {
	var ids []string
	for _, it := range items {
		ids = append(ids, it.SourceID)
	}
	return ids
}
