package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Token caches an OAuth access token until a minute before it expires.
type Token struct {
	// Fetch gets a new access token and how long it lives (a client's refresh-token grant).
	Fetch func(ctx context.Context) (string, time.Duration, error)

	mu      sync.Mutex
	token   string
	expires time.Time
}

// Seed gives the cache a token fetched before (kept with an account between pulls) and when it
// expires; an expired one is ignored.
func (t *Token) Seed(token string, expires time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if token != "" && time.Now().Before(expires.Add(-time.Minute)) {
		t.token, t.expires = token, expires.Add(-time.Minute)
	}
}

// Get returns the cached token, or fetches a new one when there is none, it is about to expire,
// or force says so (an answer said it expired). One fetch at a time: callers wait for it.
func (t *Token) Get(ctx context.Context, force bool) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !force && t.token != "" && time.Now().Before(t.expires) {
		return t.token, nil
	}
	tok, ttl, err := t.Fetch(ctx)
	if err != nil {
		return "", err
	}
	t.token, t.expires = tok, time.Now().Add(ttl-time.Minute)
	return tok, nil
}

// Grant names a token service in its errors.
type Grant struct {
	Service string // who issues the tokens, e.g. "Login with Amazon"
	Fix     string // what a person does when the refresh token is refused
}

// Exchange sends req, a refresh-token grant, and decodes a 200 answer into answer; isToken
// says whether what was decoded is a token. A refusal names the fix; an answer that is not a
// token is never used.
func (g Grant) Exchange(hc *http.Client, req *http.Request, answer any, isToken func() bool) error {
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", g.Service, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode == 429 || resp.StatusCode >= 500 {
		return fmt.Errorf("%s is unavailable (HTTP %d: %.200s): the refresh token still holds; the pull is tried again", g.Service, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s refused the refresh token (HTTP %d: %s): %s", g.Service, resp.StatusCode, strings.TrimSpace(string(body)), g.Fix)
	}
	if err := json.Unmarshal(body, answer); err != nil || !isToken() {
		return fmt.Errorf("%s answered something that is not a token: %.100s", g.Service, body)
	}
	return nil
}
