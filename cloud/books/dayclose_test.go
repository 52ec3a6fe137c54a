package books_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
	"tiltas/shared/domain"
	"tiltas/shared/protocol"
)

func docList(t *testing.T, s *db.DB, tenant int64) []string {
	docs, err := s.Documents(context.Background(), db.DocQuery{TenantID: tenant})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range docs {
		out = append(out, fmt.Sprintf("%s%d %s", d.Series, d.Number, d.Total.StringFixed(2)))
	}
	return out
}

func TestDayCloseBothModes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		fx := fixture.PostingReceipts(t)
		for _, mode := range []string{"dayclose", "receipt"} {
			t.Run(mode, func(t *testing.T) {
				who := fixture.Tenant(t, s, "Shop "+mode, "S1")
				set, _ := s.POSSettings(ctx, who.TenantID)
				set.Mode, set.AutoWriteOff = mode, false
				if err := s.SetPOSSettings(ctx, who.TenantID, set); err != nil {
					t.Fatal(err)
				}
				z := fixture.PostingDayClose(t)
				// The Z arrives before its SF: the day sheets wait for every receipt of the session.
				fixture.Ingest(t, s, who, "s", fx["101"])
				fixture.IngestZ(t, s, who, "s", z)
				res, err := books.New(s).PostPending(ctx, 100)
				if err != nil {
					t.Fatal(err)
				}
				if mode == "dayclose" && res.Deferred != 1 {
					t.Fatalf("a Z missing a receipt must wait: %+v", res)
				}
				fixture.Ingest(t, s, who, "s", fx["103"])
				if _, err := books.New(s).PostPending(ctx, 100); err != nil {
					t.Fatal(err)
				}
				got := fmt.Sprint(docList(t, s, who.TenantID))
				want := map[string]string{
					"dayclose": "[SF1 25.41 DKZ1 11.98 DKZ2 1.59 DKZ3 3.88]", // the SF on its own, then the Z less it
					"receipt":  "[KVT1 17.45 SF1 25.41]",                     // each receipt; the Z is only reconciled
				}[mode]
				if got != want {
					t.Fatalf("documents %s, want %s", got, want)
				}
				b := fixture.Balances(t, s, who.TenantID)
				if b["2721"] != "17.45" || b["2712"] != "25.41" || b["4492"] != "-5.78" || b["5009"] != "0.02" {
					t.Fatalf("both modes book the same day the same way; got %v", b)
				}
				rec, err := s.Reconcile(ctx, who.TenantID, "S1", "", "")
				if err != nil || len(rec) != 1 || !rec[0].OK {
					t.Fatalf("reconciliation of a matching Z: %+v %v", rec, err)
				}
			})
		}
		// A Z that disagrees with its receipts is flagged with the amounts.
		who := fixture.Tenant(t, s, "Shop mismatch", "S1")
		z := fixture.PostingDayClose(t)
		z.SourceID, z.ReceiptsCount = "10", 2
		z.VAT[2].Gross, z.VAT[2].VAT, z.Total = fixture.D("30.29"), fixture.D("5.25"), fixture.D("43.86") // 21%: 1.00 more than the receipts
		z.VAT[2].Net = z.VAT[2].Gross.Sub(z.VAT[2].VAT)
		z.Payments[1].Amount = fixture.D("18.45")
		r1, r3 := fx["101"], fx["103"]
		r1.SessionID, r3.SessionID = "10", "10"
		fixture.Ingest(t, s, who, "s", r1, r3)
		fixture.IngestZ(t, s, who, "s", z)
		// Closed 23:59 UTC on 2 November: 3 November in Vilnius, the shops' day.
		rec, err := s.Reconcile(ctx, who.TenantID, "", "2026-11-03", "2026-11-03")
		if err != nil || len(rec) != 1 || rec[0].OK {
			t.Fatalf("a mismatching Z passed: %+v %v", rec, err)
		}
		diffs := fmt.Sprint(rec[0].Differences)
		if want := "[{VAT 21% 30.29 29.29 1} {payment CASH 18.45 17.45 1}]"; diffs != want {
			t.Fatalf("differences %s, want %s", diffs, want)
		}
	})
}

// TestPOSModeSwitches: a store can have its own POS mode, and a cash session that straddles a
// mode change is booked exactly once, whichever way the mode changes and whenever.
func TestPOSModeSwitches(t *testing.T) {
	type step struct {
		mode   string   // the store's mode from this step on ("" keeps it)
		ingest []string // fixture receipts ("101", "103") or "Z"
	}
	cases := []struct {
		name   string
		tenant string // the tenant's mode
		steps  []step
		want   string
	}{
		{"store override to dayclose", "receipt", []step{{"dayclose", []string{"101", "103", "Z"}}},
			"[SF1 25.41 DKZ1 11.98 DKZ2 1.59 DKZ3 3.88]"},
		{"store override to receipt", "dayclose", []step{{"receipt", []string{"101", "103", "Z"}}},
			"[KVT1 17.45 SF1 25.41]"},
		// 101 is held for the day sheet, then the store books receipts: the Z books none, 101 is booked alone.
		{"dayclose to receipt before the Z", "receipt", []step{{"dayclose", []string{"101"}}, {"receipt", []string{"103", "Z"}}},
			"[SF1 25.41 KVT1 17.45]"},
		// 101 is booked alone, then the store wants day sheets: this session's Z books none, or 101 would count twice.
		{"receipt to dayclose before the Z", "dayclose", []step{{"receipt", []string{"101"}}, {"dayclose", []string{"103", "Z"}}},
			"[KVT1 17.45 SF1 25.41]"},
		// The Z came and booked day sheets; a late switch back changes nothing already booked.
		{"dayclose to receipt after the Z", "receipt", []step{{"dayclose", []string{"101", "103", "Z"}}, {"receipt", nil}},
			"[SF1 25.41 DKZ1 11.98 DKZ2 1.59 DKZ3 3.88]"},
		// The Z was only reconciled; receipts that arrive after a switch to dayclose are booked alone.
		{"receipt to dayclose after the Z", "receipt", []step{{"receipt", []string{"Z"}}, {"dayclose", []string{"101", "103"}}},
			"[KVT1 17.45 SF1 25.41]"},
	}
	dbtest.Each(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		fx := fixture.PostingReceipts(t)
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				who := fixture.Tenant(t, s, fmt.Sprintf("Shop switch %d", i), "S1")
				set, _ := s.POSSettings(ctx, who.TenantID)
				set.Mode, set.AutoWriteOff = c.tenant, false
				if err := s.SetPOSSettings(ctx, who.TenantID, set); err != nil {
					t.Fatal(err)
				}
				for _, st := range c.steps {
					if st.mode != "" {
						if err := s.SetStorePOSMode(ctx, who.TenantID, "S1", st.mode); err != nil {
							t.Fatal(err)
						}
					}
					for _, what := range st.ingest {
						if what == "Z" {
							fixture.IngestZ(t, s, who, "s", fixture.PostingDayClose(t))
						} else {
							fixture.Ingest(t, s, who, "s", fx[what])
						}
					}
					for range 3 { // a Z may send held receipts back to the queue for the next pass
						if _, err := books.New(s).PostPending(ctx, 100); err != nil {
							t.Fatal(err)
						}
					}
				}
				if got := fmt.Sprint(docList(t, s, who.TenantID)); got != c.want {
					t.Fatalf("documents %s, want %s", got, c.want)
				}
				b := fixture.Balances(t, s, who.TenantID)
				if b["2721"] != "17.45" || b["2712"] != "25.41" || b["4492"] != "-5.78" || b["5009"] != "0.02" {
					t.Fatalf("the day must be booked once, whatever the mode; got %v", b)
				}
			})
		}
		who := fixture.Tenant(t, s, "Shop modes", "S1")
		if err := s.SetStorePOSMode(ctx, who.TenantID, "S1", "weekly"); err == nil {
			t.Fatal("an unknown mode was taken")
		}
		if err := s.SetStorePOSMode(ctx, who.TenantID, "NOPE", "receipt"); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("a missing store: %v", err)
		}
		if err := s.SetStorePOSMode(ctx, who.TenantID, "S1", "dayclose"); err != nil {
			t.Fatal(err)
		}
		other := fixture.Tenant(t, s, "Shop modes other", "S1")
		for _, tc := range []struct {
			tenant int64
			want   string
		}{{who.TenantID, "dayclose"}, {other.TenantID, ""}} {
			st, err := s.StoreByCode(ctx, tc.tenant, "S1")
			if err != nil || st.POSMode != tc.want {
				t.Fatalf("tenant %d store S1 mode %q, want %q (%v)", tc.tenant, st.POSMode, tc.want, err)
			}
		}
		if err := s.SetStorePOSMode(ctx, who.TenantID, "S1", ""); err != nil {
			t.Fatal(err)
		}
		if st, _ := s.StoreByCode(ctx, who.TenantID, "S1"); st.POSMode != "" {
			t.Fatalf("back to the tenant's mode, got %q", st.POSMode)
		}
	})
}

// TestReconcileReadsEveryZ: a period with more Z reports than a page holds is reconciled whole,
// and Z reports of other days are left out.
func TestReconcileReadsEveryZ(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		who := fixture.Tenant(t, s, "Busy shop", "S1")
		const before, inside = 3, db.PageMax + 2
		// 22:30 UTC on 31 October is 00:30 on 1 November in Vilnius: the first Z of the period.
		// The ones before close two hours earlier, on 31 October there.
		start := time.Date(2026, 10, 31, 22, 30, 0, 0, time.UTC)
		var items []protocol.Item
		for i := range before + inside {
			at := start.Add(time.Duration(i-before) * time.Minute)
			if i < before {
				at = at.Add(-2 * time.Hour)
			}
			z := domain.DayClose{SourceID: fmt.Sprint(i + 1), Register: "R01", ZNumber: fmt.Sprint(i + 1), OpenedAt: at.Add(-time.Hour), ClosedAt: at}
			b, _ := json.Marshal(z)
			items = append(items, protocol.Item{Seq: uint64(i + 1), Kind: protocol.KindDayClose, SourceID: z.SourceID, Data: b})
		}
		if ack, err := s.IngestBatch(ctx, who, "s", &protocol.Batch{FirstSeq: 1, LastSeq: uint64(len(items)), Items: items}); err != nil || len(ack.Rejected) > 0 {
			t.Fatalf("ingest: %v %+v", err, ack)
		}
		for _, c := range []struct {
			from, to string
			want     int
		}{{"2026-11-01", "2026-11-30", inside}, {"", "", before + inside}, {"", "2026-10-31", before}} {
			rec, err := s.Reconcile(ctx, who.TenantID, "S1", c.from, c.to)
			if err != nil || len(rec) != c.want {
				t.Fatalf("%s – %s: %d Z reports reconciled (%v), want %d", c.from, c.to, len(rec), err, c.want)
			}
			for _, r := range rec {
				if !r.OK || (c.from != "" && r.Date < c.from) || (c.to != "" && r.Date > c.to) {
					t.Fatalf("%s – %s: %+v", c.from, c.to, r)
				}
			}
		}
	})
}
