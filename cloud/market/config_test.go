package market_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/cloud/market"
	_ "tiltas/cloud/market/all"
	"tiltas/cloud/secrets"
	"tiltas/internal/dbtest"
)

func TestCheckConfig(t *testing.T) {
	const amz = `{"endpoint":"https://sellingpartnerapi-eu.amazon.com","client_id":"c","client_secret":"s","refresh_token":"Atzr|r","marketplace_ids":["A1PA6795UKMFR9"]}`
	const alg = `{"api_url":"https://api.allegro.pl","auth_url":"https://allegro.pl","client_id":"c","client_secret":"s","refresh_token":"r"}`
	cases := []struct {
		name, kind, config string
		want               []string // every problem named; none: the config is fine
	}{
		{"amazon ok", "amazon", amz, nil},
		{"amazon with statuses and a fake on this machine", "amazon",
			`{"endpoint":"http://127.0.0.1:8123","token_url":"http://localhost:8123/auth/o2/token","client_id":"c","client_secret":"s","refresh_token":"r","marketplace_ids":["A13V1IB3VIYZZH"],"post_statuses":["Shipped","Unshipped"],"create_missing_cards":true}`, nil},
		{"allegro ok", "allegro", alg, nil},
		{"amazon, everything wrong", "amazon", `{"endpoint":"http://sellingpartnerapi-eu.amazon.com","client_id":"","marketplace_ids":["XX"],"post_statuses":["Sent"]}`,
			[]string{"endpoint", "must use https", "client_id is required", "client_secret is required", "refresh_token is required", `marketplace id "XX" is not one of Amazon's marketplaces`, "A1PA6795UKMFR9 Germany", `post status "Sent"`}},
		{"amazon.com on the EU endpoint", "amazon", strings.Replace(amz, `["A1PA6795UKMFR9"]`, `["A1PA6795UKMFR9","ATVPDKIKX0DER"]`, 1),
			[]string{"marketplace ATVPDKIKX0DER (United States) is served by https://sellingpartnerapi-na.amazon.com"}},
		{"amazon.com and amazon.ca on the NA endpoint", "amazon", strings.Replace(strings.Replace(amz, `["A1PA6795UKMFR9"]`, `["ATVPDKIKX0DER","A2EUQ1WTGCTBG2"]`, 1), "sellingpartnerapi-eu", "sellingpartnerapi-na", 1), nil},
		{"amazon.co.uk on the EU endpoint", "amazon", strings.Replace(amz, `["A1PA6795UKMFR9"]`, `["A1F83G8C2ARO7P"]`, 1), nil},
		{"amazon without marketplaces", "amazon", strings.Replace(amz, `["A1PA6795UKMFR9"]`, `[]`, 1), []string{"marketplace_ids is required"}},
		{"a misspelt field", "amazon", strings.Replace(amz, "refresh_token", "refresh_tokn", 1), []string{`unknown field "refresh_tokn"`}},
		{"not JSON", "allegro", `client_id=c`, []string{"not a valid allegro config"}},
		{"allegro without URLs", "allegro", `{"client_id":"c","client_secret":"s","refresh_token":"r"}`, []string{"api_url is required", "auth_url is required"}},
		{"allegro, not a URL", "allegro", strings.Replace(alg, "https://api.allegro.pl", "api.allegro.pl", 1), []string{`api_url "api.allegro.pl" is not an http(s) URL`}},
		{"unknown kind", "ebay", `{}`, []string{`kind "ebay"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := market.CheckConfig(c.kind, json.RawMessage(c.config))
			if c.want == nil {
				if err != nil {
					t.Fatalf("refused a good config: %v", err)
				}
				return
			}
			var inv *db.InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("want an InvalidError, got %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

// An account whose credentials this cloud cannot read is not pulled: the reason shows on the
// account as an alert, and it is retried with backoff like any failing account.
func TestPullWithUnreadableCredentials(t *testing.T) {
	ctx := context.Background()
	url := "sqlite:" + filepath.Join(t.TempDir(), "c.db")
	box, _ := secrets.LoadOrCreate(filepath.Join(t.TempDir(), "secrets.key"))
	o := dbtest.Options()
	o.Secrets = box
	sealed, err := db.Open(ctx, url, o)
	if err != nil {
		t.Fatal(err)
	}
	defer sealed.Close()
	tn, _ := sealed.CreateTenant(ctx, "T")
	if _, err := sealed.CreateMarketAccount(ctx, tn.ID, "allegro", "Allegro", json.RawMessage(`{"api_url":"http://127.0.0.1:9","auth_url":"http://127.0.0.1:9","client_id":"c","client_secret":"s","refresh_token":"r"}`), time.Hour); err != nil {
		t.Fatal(err)
	}
	bare, err := db.Open(ctx, url, dbtest.Options()) // started without --secrets-key
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Close()
	as, _ := bare.MarketAccounts(ctx, tn.ID)
	sched := &market.Scheduler{Store: bare, Books: books.New(bare), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := sched.Pull(ctx, as[0]); err != nil {
		t.Fatal(err)
	}
	as, _ = bare.MarketAccounts(ctx, tn.ID)
	if as[0].Failures != 1 || !strings.Contains(as[0].LastError, "no secrets key was given") || as[0].NextPull == nil {
		t.Fatalf("account after the pull: failures %d, error %q, next %v", as[0].Failures, as[0].LastError, as[0].NextPull)
	}
}

// A paused account is not pulled, and cannot be fetched now, until it is resumed.
func TestPausedAccount(t *testing.T) {
	ctx := context.Background()
	st, err := db.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "c.db"), dbtest.Options())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tn, _ := st.CreateTenant(ctx, "T")
	id, err := st.CreateMarketAccount(ctx, tn.ID, "allegro", "Allegro", json.RawMessage(`{"api_url":"http://127.0.0.1:9","auth_url":"http://127.0.0.1:9","client_id":"c","client_secret":"s","refresh_token":"r"}`), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PauseMarketAccount(ctx, tn.ID, id, true); err != nil {
		t.Fatal(err)
	}
	if err := st.PauseMarketAccount(ctx, tn.ID+1, id, true); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("another tenant pausing it: %v", err)
	}
	sched := &market.Scheduler{Store: st, Books: books.New(st), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := sched.RunDue(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	a, _ := st.MarketAccount(ctx, tn.ID, id)
	if !a.Paused || a.LastPull != nil || a.Failures != 0 {
		t.Fatalf("a paused account was pulled: %+v", a)
	}
	if err := market.FetchNow(ctx, st, tn.ID, id); !errors.Is(err, db.ErrPaused) {
		t.Fatalf("fetch now of a paused account: %v", err)
	}
	if err := st.PauseMarketAccount(ctx, tn.ID, id, false); err != nil {
		t.Fatal(err)
	}
	if err := sched.RunDue(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	if a, _ = st.MarketAccount(ctx, tn.ID, id); a.Paused || a.Failures != 1 { // nothing listens on port 9
		t.Fatalf("a resumed account was not pulled: %+v", a)
	}
}

// Fetch now waits out its marketplace's cooldown after a pull, and refuses an account of a
// kind this cloud does not know without blaming the person.
func TestFetchNowCooldown(t *testing.T) {
	ctx := context.Background()
	st := dbtest.Open(t, "sqlite", dbtest.Options())
	tn, _ := st.CreateTenant(ctx, "T")
	for _, c := range []struct {
		kind, wait string
	}{{"amazon", "every 2m0s"}, {"allegro", "every 10m0s"}} {
		id, err := st.CreateMarketAccount(ctx, tn.ID, c.kind, c.kind, json.RawMessage(`{}`), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := market.FetchNow(ctx, st, tn.ID, id); err != nil {
			t.Fatalf("%s never pulled: %v", c.kind, err)
		}
		if err := st.PullDone(ctx, id, "", time.Now().Add(time.Hour), nil); err != nil {
			t.Fatal(err)
		}
		var soon *db.TooSoonError
		if err := market.FetchNow(ctx, st, tn.ID, id); !errors.As(err, &soon) || soon.Wait <= 0 || !strings.Contains(err.Error(), c.wait) {
			t.Errorf("%s just pulled: %v, want a refusal naming %q", c.kind, err, c.wait)
		}
	}
	id, _ := st.CreateMarketAccount(ctx, tn.ID, "ebay", "eBay", json.RawMessage(`{}`), time.Hour)
	var inv *db.InvalidError
	if err := market.FetchNow(ctx, st, tn.ID, id); err == nil || errors.As(err, &inv) || !strings.Contains(err.Error(), `"ebay"`) {
		t.Errorf("fetching an account of an unknown kind: %v", err)
	}
	if err := market.FetchNow(ctx, st, tn.ID, id+1); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("fetching a missing account: %v", err)
	}
}
