package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"tiltas/cloud/db"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
	"tiltas/shared/domain"
	"tiltas/shared/protocol"
)

// eachStore runs a test against SQLite and against MariaDB (dbtest.Each).
func eachStore(t *testing.T, fn func(t *testing.T, s *db.DB, url string)) { dbtest.Each(t, fn) }

// clockOf is the clock of a database that eachStore opened.
func clockOf(s *db.DB) *dbtest.Clock { return dbtest.ClockOf(s) }

func item(seq uint64, v any, id string) protocol.Item {
	kind := protocol.KindReceipt
	if _, ok := v.(domain.DayClose); ok {
		kind = protocol.KindDayClose
	}
	b, _ := json.Marshal(v)
	return protocol.Item{Seq: seq, Kind: kind, SourceID: id, Data: b}
}

func batch(items ...protocol.Item) *protocol.Batch {
	return &protocol.Batch{FirstSeq: items[0].Seq, LastSeq: items[len(items)-1].Seq, Items: items}
}

func TestPageLimit(t *testing.T) {
	for in, want := range map[int]int{-1: db.PageDefault, 0: db.PageDefault, 1: 1, db.PageDefault + 1: db.PageDefault + 1, db.PageMax: db.PageMax, db.PageMax + 1: db.PageMax} {
		if got := db.PageLimit(in); got != want {
			t.Errorf("PageLimit(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestMigrationsAndSchemaGuard(t *testing.T) {
	eachStore(t, func(t *testing.T, s *db.DB, url string) {
		ctx := context.Background()
		again, err := db.Open(ctx, url, dbtest.Options()) // migrating a migrated database is a no-op
		if err != nil {
			t.Fatal(err)
		}
		again.Close()
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (999, true)`); err != nil {
			t.Fatal(err)
		}
		_, err = db.Open(ctx, url, dbtest.Options())
		if err == nil || !strings.Contains(err.Error(), "version 999") || !strings.Contains(err.Error(), "newer tiltas-cloud") {
			t.Fatalf("a newer schema must be refused with a clear message, got %v", err)
		}
	})
}

func TestTokensAreHashedAndBound(t *testing.T) {
	eachStore(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		a, _ := s.CreateTenant(ctx, "A")
		b, _ := s.CreateTenant(ctx, "B")
		tokA, err := s.EnrollAgent(ctx, a.ID, "VLN1", "Vilnius")
		if err != nil {
			t.Fatal(err)
		}
		tokB, _ := s.EnrollAgent(ctx, b.ID, "VLN1", "")
		var n int
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM agent_tokens WHERE token_hash = ? OR token_hash = ?`, tokA, tokB).Scan(&n); err != nil || n != 0 {
			t.Fatalf("tokens must be stored only as hashes (found %d plain, err %v)", n, err)
		}
		whoA, err := s.AuthAgent(ctx, tokA)
		if err != nil || whoA.TenantID != a.ID || whoA.StoreCode != "VLN1" {
			t.Fatalf("token A resolved to %+v, %v", whoA, err)
		}
		whoB, _ := s.AuthAgent(ctx, tokB)
		if whoB.TenantID != b.ID || whoB.StoreID == whoA.StoreID {
			t.Fatalf("same store code in two tenants must be two stores: %+v %+v", whoA, whoB)
		}
		if _, err := s.AuthAgent(ctx, tokA+"x"); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("a wrong token must be refused, got %v", err)
		}
		if _, err := s.CreateTenant(ctx, "A"); err == nil {
			t.Fatal("duplicate tenant name accepted")
		}
		api, _ := s.CreateAPIToken(ctx, b.ID, "test")
		if tn, err := s.AuthAPI(ctx, api); err != nil || tn != b.ID {
			t.Fatalf("API token: %d %v", tn, err)
		}
	})
}

func TestIngestIsIdempotentAndRejectsPerItem(t *testing.T) {
	eachStore(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		who := fixture.Tenant(t, s, "Shop", "S1")
		bad := fixture.Receipt("3", "10.00")
		bad.Total = fixture.D("11.00") // does not add up
		zc := domain.DayClose{SourceID: "z1", Register: "R01", ZNumber: "1", ClosedAt: time.Now().UTC(), ReceiptsCount: 2, Total: fixture.D("15.50"),
			VAT: []domain.VATTotal{{Rate: fixture.D("21"), Net: fixture.D("12.81"), VAT: fixture.D("2.69"), Gross: fixture.D("15.50")}}, Payments: []domain.Payment{{Code: "CARD", Amount: fixture.D("15.50")}}}
		b1 := batch(item(1, fixture.Receipt("1", "5.50"), "1"), item(2, fixture.Receipt("2", "10.00"), "2"), item(3, bad, "3"),
			protocol.Item{Seq: 4, Kind: protocol.KindReceipt, SourceID: "4", Data: json.RawMessage(`{"raw":"x"}`), DecodeError: "line 1: quantity is NULL"},
			item(5, zc, "z1"), protocol.Item{Seq: 6, Kind: "coupon", SourceID: "c", Data: json.RawMessage(`{}`)})
		ack, err := s.IngestBatch(ctx, who, "stream-a", b1)
		if err != nil {
			t.Fatal(err)
		}
		codes := map[uint64]string{}
		for _, r := range ack.Rejected {
			codes[r.Seq] = r.Code
			if r.Message == "" {
				t.Errorf("rejection %d has no message", r.Seq)
			}
		}
		want := map[uint64]string{3: protocol.CodeInvalid, 4: protocol.CodeMalformed, 6: protocol.CodeUnknown}
		if fmt.Sprint(codes) != fmt.Sprint(want) {
			t.Fatalf("rejected %v, want %v (%+v)", codes, want, ack.Rejected)
		}
		if acked, _ := s.StreamAcked(ctx, who.StoreID, "stream-a"); acked != 6 {
			t.Fatalf("acked %d, want 6", acked)
		}
		// The same batch again (a lost ack) changes nothing.
		if ack, err := s.IngestBatch(ctx, who, "stream-a", b1); err != nil || len(ack.Rejected) != 0 {
			t.Fatalf("replay: %+v %v", ack, err)
		}
		// A new stream (a new outbox file) resends the same receipts: no-op; one changed: conflict.
		changed := fixture.Receipt("2", "12.00")
		ack, err = s.IngestBatch(ctx, who, "stream-b", batch(item(1, fixture.Receipt("1", "5.50"), "1"), item(2, changed, "2"), item(3, fixture.Receipt("7", "1.00"), "7")))
		if err != nil {
			t.Fatal(err)
		}
		if len(ack.Rejected) != 1 || ack.Rejected[0].Code != protocol.CodeConflict || !strings.Contains(ack.Rejected[0].Message, "different content") {
			t.Fatalf("want one conflict, got %+v", ack.Rejected)
		}
		n, cents, err := s.ReceiptTotals(ctx, who.TenantID, who.StoreID)
		if err != nil || n != 3 || cents != 550+1000+100 {
			t.Fatalf("held %d receipts %d cents (%v), want 3 and 1650", n, cents, err)
		}
		got, _ := s.Receipts(ctx, db.Query{TenantID: who.TenantID})
		if len(got) != 3 || !got[1].Total.Equal(fixture.D("10")) || len(got[1].Lines) != 1 {
			t.Fatalf("receipts kept the first content: %+v", got)
		}
		zs, _ := s.DayCloses(ctx, db.Query{TenantID: who.TenantID})
		if len(zs) != 1 || !zs[0].Total.Equal(fixture.D("15.5")) {
			t.Fatalf("day closes: %+v", zs)
		}
		rej, _ := s.Rejected(ctx, who.TenantID, 0, 0)
		if len(rej) != 4 {
			t.Fatalf("want 4 recorded rejections, got %d", len(rej))
		}
		// A gap is refused and says where to resume.
		_, err = s.IngestBatch(ctx, who, "stream-b", batch(item(9, fixture.Receipt("9", "1.00"), "9")))
		var gap *db.GapError
		if !errors.As(err, &gap) || gap.Acked != 3 {
			t.Fatalf("want a gap error at 3, got %v", err)
		}
		// A batch that overlaps what is held stores only the new part.
		ack, err = s.IngestBatch(ctx, who, "stream-b", batch(item(3, fixture.Receipt("7", "1.00"), "7"), item(4, fixture.Receipt("8", "2.00"), "8")))
		if err != nil || len(ack.Rejected) != 0 {
			t.Fatal(ack, err)
		}
		if n, _, _ := s.ReceiptTotals(ctx, who.TenantID, who.StoreID); n != 4 {
			t.Fatalf("held %d, want 4", n)
		}
	})
}

func TestTenantIsolation(t *testing.T) {
	eachStore(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		a := fixture.Tenant(t, s, "A", "S1")
		b := fixture.Tenant(t, s, "B", "S1")
		if _, err := s.IngestBatch(ctx, a, "s", batch(item(1, fixture.Receipt("1", "5.00"), "1"))); err != nil {
			t.Fatal(err)
		}
		if _, err := s.IngestBatch(ctx, b, "s", batch(item(1, fixture.Receipt("1", "7.00"), "1"))); err != nil {
			t.Fatal(err)
		}
		for _, who := range []db.AgentIdentity{a, b} {
			rs, _ := s.Receipts(ctx, db.Query{TenantID: who.TenantID})
			if len(rs) != 1 {
				t.Fatalf("tenant %d sees %d receipts", who.TenantID, len(rs))
			}
			if rs2, _ := s.Receipts(ctx, db.Query{TenantID: who.TenantID, StoreID: map[int64]int64{a.TenantID: b.StoreID, b.TenantID: a.StoreID}[who.TenantID]}); len(rs2) != 0 {
				t.Fatalf("tenant %d sees another tenant's store", who.TenantID)
			}
		}
	})
}

func TestConcurrentBatchesOneStream(t *testing.T) {
	eachStore(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		who := fixture.Tenant(t, s, "Shop", "S1")
		// Two connections of one agent racing the same batches: the database must end with each once.
		var wg sync.WaitGroup
		for w := 0; w < 2; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := uint64(1); i <= 40; i++ {
					id := fmt.Sprint(i)
					_, _ = s.IngestBatch(ctx, who, "s", batch(item(i, fixture.Receipt(id, "1.00"), id)))
				}
			}()
		}
		wg.Wait()
		// Whatever raced, resending everything settles it.
		for i := uint64(1); i <= 40; i++ {
			id := fmt.Sprint(i)
			if _, err := s.IngestBatch(ctx, who, "s", batch(item(i, fixture.Receipt(id, "1.00"), id))); err != nil {
				var gap *db.GapError
				if !errors.As(err, &gap) {
					t.Fatal(err)
				}
			}
		}
		n, cents, _ := s.ReceiptTotals(ctx, who.TenantID, who.StoreID)
		if n != 40 || cents != 4000 {
			t.Fatalf("held %d receipts, %d cents; want 40 and 4000", n, cents)
		}
	})
}

// A path with characters that mean something in a URI still opens that very file.
func TestSQLitePathWithURICharacters(t *testing.T) {
	dir := t.TempDir() + "/odd #1 ?x %20"
	s, err := db.Open(context.Background(), "sqlite:"+dir+"/cloud.db", dbtest.Options())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(dir + "/cloud.db"); err != nil {
		t.Fatalf("the database is not where it was asked to be: %v", err)
	}
}

// Revoked tokens stop working at once; revoking reaches only the tenant's own tokens.
func TestRevokeTokens(t *testing.T) {
	eachStore(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		a := fixture.Tenant(t, s, "Revoke A", "S1")
		b := fixture.Tenant(t, s, "Revoke B", "S1")
		tok2, _ := s.EnrollAgent(ctx, a.TenantID, "S2", "")
		if _, err := s.RevokeAgentTokens(ctx, b.TenantID, "S2"); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("B revoking A's store S2: %v", err)
		}
		n, err := s.RevokeAgentTokens(ctx, a.TenantID, "S2")
		if err != nil || n != 1 {
			t.Fatalf("revoke: %d %v", n, err)
		}
		if _, err := s.AuthAgent(ctx, tok2); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("a revoked agent token still authenticates: %v", err)
		}
		if n, _ := s.RevokeAgentTokens(ctx, a.TenantID, "S2"); n != 0 {
			t.Fatalf("revoked again: %d", n)
		}
		again, _ := s.EnrollAgent(ctx, a.TenantID, "S2", "")
		if who, err := s.AuthAgent(ctx, again); err != nil || who.StoreCode != "S2" {
			t.Fatalf("a new token after revoking: %+v %v", who, err)
		}

		api1, _ := s.CreateAPIToken(ctx, a.TenantID, "export")
		api2, _ := s.CreateAPIToken(ctx, a.TenantID, "bi")
		ts, err := s.APITokens(ctx, a.TenantID)
		if err != nil || len(ts) != 2 || ts[0].Name != "bi" || ts[0].Revoked != nil {
			t.Fatalf("API tokens %+v %v", ts, err)
		}
		if err := s.RevokeAPIToken(ctx, b.TenantID, ts[1].ID); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("B revoking A's API token: %v", err)
		}
		if err := s.RevokeAPIToken(ctx, a.TenantID, ts[1].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AuthAPI(ctx, api1); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("a revoked API token still authenticates: %v", err)
		}
		if tn, err := s.AuthAPI(ctx, api2); err != nil || tn != a.TenantID {
			t.Fatalf("the other API token stopped: %v", err)
		}
		var inv *db.InvalidError
		if err := s.RevokeAPIToken(ctx, a.TenantID, ts[1].ID); !errors.As(err, &inv) {
			t.Fatalf("revoking twice: %v", err)
		}
		if ts, _ := s.APITokens(ctx, a.TenantID); ts[1].Revoked == nil {
			t.Fatal("the revoked token is not listed as revoked")
		}
	})
}

// Failed sign-ins are counted per key in the database, runs restart after the window, and old
// runs are pruned.
func TestLoginFailures(t *testing.T) {
	eachStore(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		clockOf(s).Set(now)
		defer clockOf(s).Reset()
		w := 15 * time.Minute
		for range 3 {
			if err := s.RecordLoginFailure(ctx, []string{"email:a@x.lt", "addr:1"}, w); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.LoginFailures(ctx, []string{"email:a@x.lt", "addr:1", "email:b@x.lt"}, w)
		if err != nil || got["email:a@x.lt"].N != 3 || got["addr:1"].N != 3 || len(got) != 2 || !got["addr:1"].Last.Equal(now) {
			t.Fatalf("counts %+v %v", got, err)
		}
		now = now.Add(w)
		clockOf(s).Set(now)
		if got, _ := s.LoginFailures(ctx, []string{"email:a@x.lt"}, w); len(got) != 0 {
			t.Fatalf("a run past the window still counts: %+v", got)
		}
		s.RecordLoginFailure(ctx, []string{"email:a@x.lt"}, w)
		if got, _ := s.LoginFailures(ctx, []string{"email:a@x.lt"}, w); got["email:a@x.lt"].N != 1 {
			t.Fatalf("a new run: %+v", got)
		}
		if err := s.ClearLoginFailures(ctx, "email:a@x.lt"); err != nil {
			t.Fatal(err)
		}
		now = now.Add(2 * w)
		clockOf(s).Set(now)
		s.RecordLoginFailure(ctx, []string{"email:z@x.lt"}, w) // prunes addr:1, long over
		var n int
		s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures`).Scan(&n)
		if n != 1 {
			t.Fatalf("%d runs kept, want only the fresh one", n)
		}
	})
}

// Users are listed per tenant; removing one ends their sessions and reaches only the tenant's.
func TestUsersListAndRemove(t *testing.T) {
	eachStore(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		a := fixture.Tenant(t, s, "Users A", "S1")
		b := fixture.Tenant(t, s, "Users B", "S1")
		for _, e := range []string{"one@a.lt", "two@a.lt"} {
			if err := s.CreateUser(ctx, a.TenantID, e, "", "long enough password", db.RoleViewer); err != nil {
				t.Fatal(err)
			}
		}
		s.CreateUser(ctx, b.TenantID, "three@b.lt", "", "long enough password", db.RoleAccountant)
		us, err := s.Users(ctx, a.TenantID)
		if err != nil || len(us) != 2 || us[0].Email != "one@a.lt" {
			t.Fatalf("A's users %+v %v", us, err)
		}
		tok, _, err := s.Login(ctx, "two@a.lt", "long enough password")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveUser(ctx, b.TenantID, us[1].ID); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("B removing A's user: %v", err)
		}
		if err := s.RemoveUser(ctx, a.TenantID, us[1].ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Session(ctx, tok); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("a removed user's session: %v", err)
		}
		if us, _ := s.Users(ctx, a.TenantID); len(us) != 1 {
			t.Fatalf("after removing: %+v", us)
		}
	})
}

// Saving what is already stored is not "not found": updates count the rows they match, on
// MySQL as on SQLite.
func TestUpdateToTheSameValues(t *testing.T) {
	eachStore(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		who := fixture.Tenant(t, s, "Same", "S1")
		ops, _ := s.OperationTypes(ctx, who.TenantID)
		id, _ := s.CreateMarketAccount(ctx, who.TenantID, "allegro", "Allegro", []byte(`{}`), time.Hour)
		acct, _ := s.MarketAccount(ctx, who.TenantID, id)
		for i := range 2 {
			for name, err := range map[string]error{
				"operation type": s.SaveOperationType(ctx, who.TenantID, ops[0]),
				"store mode":     s.SetStorePOSMode(ctx, who.TenantID, "S1", "dayclose"),
				"pause":          s.PauseMarketAccount(ctx, who.TenantID, id, true),
				"account":        s.UpdateMarketAccount(ctx, who.TenantID, id, acct.Name, acct.Config, time.Hour),
			} {
				if err != nil {
					t.Errorf("%s, saved the %d. time: %v", name, i+1, err)
				}
			}
		}
		for name, err := range map[string]error{
			"operation type": s.SaveOperationType(ctx, who.TenantID, db.OperationType{Code: "nope", Series: "X", Debit: ops[0].Debit, Credit: ops[0].Credit}),
			"store mode":     s.SetStorePOSMode(ctx, who.TenantID, "NOPE", "dayclose"),
			"pause":          s.PauseMarketAccount(ctx, who.TenantID, id+100, true),
			"account":        s.UpdateMarketAccount(ctx, who.TenantID, id+100, "X", acct.Config, 0),
		} {
			if !errors.Is(err, db.ErrNotFound) {
				t.Errorf("%s that does not exist: %v", name, err)
			}
		}
	})
}

// The agent's start date arrives in its hello, is kept with the store's status and replaced by
// the next hello; an older agent's hello without one means the whole history.
func TestAgentStartDate(t *testing.T) {
	eachStore(t, func(t *testing.T, s *db.DB, url string) {
		ctx := context.Background()
		tn, err := s.CreateTenant(ctx, "A")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.EnrollAgent(ctx, tn.ID, "VLN1", ""); err != nil {
			t.Fatal(err)
		}
		st, err := s.StoreByCode(ctx, tn.ID, "VLN1")
		if err != nil {
			t.Fatal(err)
		}
		hello := protocol.Hello{Magic: protocol.Magic, Version: protocol.Version, AgentID: "pos1", Store: "VLN1", Stream: "s1"}
		for _, tc := range []struct{ sent, want string }{{"2026-01-01", "2026-01-01"}, {"", ""}, {"2025-07-15", "2025-07-15"}} {
			hello.StartDate = tc.sent
			if err := s.AgentSeen(ctx, st.ID, &hello); err != nil {
				t.Fatal(err)
			}
			got, err := s.StoreStatus(ctx, st)
			if err != nil || got.StartDate != tc.want || got.AgentID != "pos1" {
				t.Fatalf("hello with start date %q: status %+v %v, want start date %q", tc.sent, got, err, tc.want)
			}
		}
		hello.StartDate = "2026-02-30"
		if err := s.AgentSeen(ctx, st.ID, &hello); err == nil || !strings.Contains(err.Error(), `start_date "2026-02-30"`) {
			t.Fatalf("a hello with a bad start date: %v", err)
		}
	})
}
