package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type entry struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e entry) Text() string { return e.Code + ": " + e.Message }

func TestErrorFrom(t *testing.T) {
	for _, c := range []struct{ body, id, want string }{
		{`{"errors":[{"code":"QuotaExceeded","message":"slow down"},{"code":"X","message":"y"}]}`, "", "API HTTP 429: QuotaExceeded: slow down; X: y"},
		{`<html>busy</html>`, "", "API HTTP 429: Unparseable: <html>busy</html>"},
		{`{"errors":[]}`, "", `API HTTP 429: Unparseable: {"errors":[]}`},
		{`{"errors":[{"code":"QuotaExceeded","message":"slow down"}]}`, "7c1f0b2e-2d3a-4b7e-9f10-1a2b3c4d5e6f", "API HTTP 429: QuotaExceeded: slow down (request id 7c1f0b2e-2d3a-4b7e-9f10-1a2b3c4d5e6f)"},
	} {
		if got := ErrorFrom[entry]("API", 429, []byte(c.body), c.id).Error(); got != c.want {
			t.Errorf("%s: %q, want %q", c.body, got, c.want)
		}
	}
}

func TestToken(t *testing.T) {
	fetches := 0
	tok := Token{Fetch: func(context.Context) (string, time.Duration, error) {
		fetches++
		return strings.Repeat("t", fetches), time.Hour, nil
	}}
	ctx := context.Background()
	for i, c := range []struct {
		force bool
		want  string
	}{{false, "t"}, {false, "t"}, {true, "tt"}, {false, "tt"}} {
		if got, err := tok.Get(ctx, c.force); err != nil || got != c.want {
			t.Fatalf("get %d (force %v): %q, %v; want %q", i, c.force, got, err, c.want)
		}
	}
}

func TestExchange(t *testing.T) {
	g := Grant{Service: "The issuer", Fix: "connect again"}
	for _, c := range []struct {
		status int
		body   string
		want   string // "" for a token
	}{
		{200, `{"access_token":"a"}`, ""},
		{400, `{"error":"invalid_grant"}`, `The issuer refused the refresh token (HTTP 400: {"error":"invalid_grant"}): connect again`},
		{503, `<html>maintenance</html>`, "The issuer is unavailable (HTTP 503: <html>maintenance</html>): the refresh token still holds; the pull is tried again"},
		{429, ``, "The issuer is unavailable (HTTP 429: ): the refresh token still holds"},
		{200, `{"access_token":""}`, "The issuer answered something that is not a token"},
		{200, `not json`, "The issuer answered something that is not a token: not json"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(c.status)
			_, _ = w.Write([]byte(c.body))
		}))
		req, _ := http.NewRequest("POST", srv.URL, nil)
		var answer struct {
			AccessToken string `json:"access_token"`
		}
		err := g.Exchange(srv.Client(), req, &answer, func() bool { return answer.AccessToken != "" })
		srv.Close()
		switch {
		case c.want == "" && (err != nil || answer.AccessToken != "a"):
			t.Errorf("%s: %v, token %q", c.body, err, answer.AccessToken)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || c.status >= 429 && strings.Contains(err.Error(), "connect again")):
			t.Errorf("%s: %v, want %q", c.body, err, c.want)
		}
	}
}

// A token kept from before is used until a minute before it expires, without a fetch.
func TestTokenSeed(t *testing.T) {
	fetches := 0
	tok := Token{Fetch: func(context.Context) (string, time.Duration, error) { fetches++; return "fresh", time.Hour, nil }}
	tok.Seed("kept", time.Now().Add(10*time.Hour))
	if got, _ := tok.Get(context.Background(), false); got != "kept" || fetches != 0 {
		t.Fatalf("%q after %d fetches", got, fetches)
	}
	old := Token{Fetch: tok.Fetch}
	old.Seed("stale", time.Now().Add(30*time.Second)) // expires within the minute's margin
	if got, _ := old.Get(context.Background(), false); got != "fresh" || fetches != 1 {
		t.Fatalf("%q after %d fetches", got, fetches)
	}
}
