package ui

import (
	"sync"
	"time"
)

// Sign-in throttling: after maxPerAccount failed sign-ins for one e-mail, or maxPerAddress from
// one address, within lockFor of each other, further sign-ins for it are refused until lockFor
// after the last failure. Refused tries check no password, so guessing learns nothing.
const (
	maxPerAccount = 5
	maxPerAddress = 30
	lockFor       = 15 * time.Minute
)

type failures struct {
	n    int
	last time.Time
}

// loginGuard counts failed sign-ins per key ("email:...", "addr:...") in this process.
type loginGuard struct {
	mu   sync.Mutex
	now  func() time.Time
	runs map[string]*failures
}

func newLoginGuard() *loginGuard {
	return &loginGuard{now: time.Now, runs: map[string]*failures{}}
}

func limitOf(key string) int {
	if len(key) > 5 && key[:5] == "addr:" {
		return maxPerAddress
	}
	return maxPerAccount
}

// blocked says until when sign-ins for any of keys are refused, if they are.
func (g *loginGuard) blocked(keys ...string) (time.Time, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	var until time.Time
	for _, k := range keys {
		f := g.runs[k]
		if f == nil {
			continue
		}
		if now.Sub(f.last) >= lockFor {
			delete(g.runs, k) // the run is over
			continue
		}
		if f.n >= limitOf(k) && f.last.Add(lockFor).After(until) {
			until = f.last.Add(lockFor)
		}
	}
	return until, !until.IsZero()
}

// failed counts a failed sign-in against each key.
func (g *loginGuard) failed(keys ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	for _, k := range keys {
		f := g.runs[k]
		if f == nil || now.Sub(f.last) >= lockFor {
			f = &failures{}
			g.runs[k] = f
		}
		f.n++
		f.last = now
	}
	if len(g.runs) > 100000 { // a flood of distinct keys: forget the oldest half
		for k, f := range g.runs {
			if now.Sub(f.last) > lockFor/2 {
				delete(g.runs, k)
			}
		}
	}
}

// succeeded clears an account's run after a good sign-in.
func (g *loginGuard) succeeded(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.runs, key)
}
