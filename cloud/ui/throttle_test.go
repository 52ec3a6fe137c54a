package ui

import (
	"fmt"
	"testing"
	"time"
)

func TestLoginGuard(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	g := newLoginGuard()
	g.now = func() time.Time { return now }
	acct, addr := "email:a@x.lt", "addr:10.0.0.1"
	for i := 1; i < maxPerAccount; i++ {
		g.failed(acct, addr)
		if _, ok := g.blocked(acct, addr); ok {
			t.Fatalf("blocked after %d failures", i)
		}
	}
	g.failed(acct, addr)
	until, ok := g.blocked(acct, addr)
	if !ok || !until.Equal(now.Add(lockFor)) {
		t.Fatalf("after %d failures: blocked %v until %s", maxPerAccount, ok, until)
	}
	if _, ok := g.blocked("email:b@x.lt", addr); ok {
		t.Fatal("another account from the same address is blocked before the address limit")
	}
	now = now.Add(lockFor - time.Second)
	if _, ok := g.blocked(acct); !ok {
		t.Fatal("unblocked before the lock ran out")
	}
	now = now.Add(time.Second)
	if _, ok := g.blocked(acct); ok {
		t.Fatal("still blocked once the lock ran out")
	}

	// One address guessing many accounts is stopped at the address limit.
	for i := range maxPerAddress {
		g.failed(fmt.Sprintf("email:%d@x.lt", i), "addr:10.0.0.2")
	}
	if _, ok := g.blocked("email:new@x.lt", "addr:10.0.0.2"); !ok {
		t.Fatal("an address past its limit is not blocked")
	}

	// A good sign-in clears the account's run.
	g.failed("email:c@x.lt")
	g.succeeded("email:c@x.lt")
	for range maxPerAccount - 1 {
		g.failed("email:c@x.lt")
	}
	if _, ok := g.blocked("email:c@x.lt"); ok {
		t.Fatal("failures before a good sign-in still count")
	}
}
