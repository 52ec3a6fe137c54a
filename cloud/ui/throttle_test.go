package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"tiltas/cloud/db"
)

func TestLoginGuard(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	st, err := db.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "c.db"), db.Options{Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	g := &loginGuard{store: st}
	blocked := func(keys ...string) (time.Time, bool) {
		t.Helper()
		until, ok, err := g.blocked(ctx, keys...)
		if err != nil {
			t.Fatal(err)
		}
		return until, ok
	}
	fail := func(keys ...string) {
		t.Helper()
		if err := g.failed(ctx, keys...); err != nil {
			t.Fatal(err)
		}
	}
	acct, addr := "email:a@x.lt", "addr:10.0.0.1"
	for i := 1; i < maxPerAccount; i++ {
		fail(acct, addr)
		if _, ok := blocked(acct, addr); ok {
			t.Fatalf("blocked after %d failures", i)
		}
	}
	fail(acct, addr)
	until, ok := blocked(acct, addr)
	if !ok || !until.Equal(now.Add(lockFor)) {
		t.Fatalf("after %d failures: blocked %v until %s", maxPerAccount, ok, until)
	}
	if _, ok := blocked("email:b@x.lt", addr); ok {
		t.Fatal("another account from the same address is blocked before the address limit")
	}
	now = now.Add(lockFor - time.Second)
	if _, ok := blocked(acct); !ok {
		t.Fatal("unblocked before the lock ran out")
	}
	now = now.Add(time.Second)
	if _, ok := blocked(acct); ok {
		t.Fatal("still blocked once the lock ran out")
	}
	fail(acct) // a new run starts at one
	if _, ok := blocked(acct); ok {
		t.Fatal("one failure after a lock blocks again")
	}

	// One address guessing many accounts is stopped at the address limit.
	for i := range maxPerAddress {
		fail(fmt.Sprintf("email:%d@x.lt", i), "addr:10.0.0.2")
	}
	if _, ok := blocked("email:new@x.lt", "addr:10.0.0.2"); !ok {
		t.Fatal("an address past its limit is not blocked")
	}

	// A good sign-in clears the account's run.
	fail("email:c@x.lt")
	if err := g.succeeded(ctx, "email:c@x.lt"); err != nil {
		t.Fatal(err)
	}
	for range maxPerAccount - 1 {
		fail("email:c@x.lt")
	}
	if _, ok := blocked("email:c@x.lt"); ok {
		t.Fatal("failures before a good sign-in still count")
	}
}
