package ui

import (
	"context"
	"strings"
	"time"

	"tiltas/cloud/db"
)

// Sign-in throttling: after maxPerAccount failed sign-ins for one e-mail, or maxPerAddress from
// one address, each within lockFor of the one before, further sign-ins for it are refused until
// lockFor after the last failure. Refused tries check no password, so guessing learns nothing.
// The counts live in the database, so every cloud process behind a balancer shares them.
const (
	maxPerAccount = 5
	maxPerAddress = 30
	lockFor       = 15 * time.Minute
)

// FailedSignIns keeps the counts of failed sign-ins that throttling goes by.
type FailedSignIns interface {
	LoginFailures(ctx context.Context, keys []string, window time.Duration) (map[string]db.LoginFailure, error)
	RecordLoginFailure(ctx context.Context, keys []string, window time.Duration) error
	ClearLoginFailures(ctx context.Context, key string) error
}

type loginGuard struct{ store FailedSignIns }

func limitOf(key string) int {
	if strings.HasPrefix(key, "addr:") {
		return maxPerAddress
	}
	return maxPerAccount
}

// blocked says until when sign-ins for any of keys are refused, if they are.
func (g *loginGuard) blocked(ctx context.Context, keys ...string) (time.Time, bool, error) {
	runs, err := g.store.LoginFailures(ctx, keys, lockFor)
	if err != nil {
		return time.Time{}, false, err
	}
	var until time.Time
	for k, f := range runs {
		if f.N >= limitOf(k) && f.Last.Add(lockFor).After(until) {
			until = f.Last.Add(lockFor)
		}
	}
	return until, !until.IsZero(), nil
}

func (g *loginGuard) failed(ctx context.Context, keys ...string) error {
	return g.store.RecordLoginFailure(ctx, keys, lockFor)
}

func (g *loginGuard) succeeded(ctx context.Context, key string) error {
	return g.store.ClearLoginFailures(ctx, key)
}
