package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tiltas/cloud/db"
	"tiltas/cloud/secrets"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
)

// TestMarketCredentialsSealed: with a secrets key, marketplace configs are sealed in the
// database, plain ones from before are sealed on start, a sealed config moved to another
// tenant does not open, and the wrong key or none is named rather than guessed around.
func TestMarketCredentialsSealed(t *testing.T) {
	eachStore(t, func(t *testing.T, s *db.DB, url string) {
		ctx := context.Background()
		a := fixture.Tenant(t, s, "Sealed A", "S1")
		b := fixture.Tenant(t, s, "Sealed B", "S1")
		raw := func(id int64) string {
			var v string
			if err := s.DB().QueryRowContext(ctx, `SELECT config FROM market_accounts WHERE id = ?`, id).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		configOf := func(st *db.DB, tenant, id int64) (string, error) {
			as, err := st.MarketAccounts(ctx, tenant)
			if err != nil {
				t.Fatal(err)
			}
			for _, acct := range as {
				if acct.ID == id {
					return string(acct.Config), acct.ConfigErr
				}
			}
			t.Fatalf("account %d not listed", id)
			return "", nil
		}
		const cfg = `{"client_id":"c","client_secret":"SECRET-1","refresh_token":"r"}`
		old, err := s.CreateMarketAccount(ctx, a.TenantID, "allegro", "Before the key", json.RawMessage(cfg), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if raw(old) != cfg {
			t.Fatal("without a key the config is stored as given")
		}
		dir := t.TempDir()
		box, _ := secrets.LoadOrCreate(filepath.Join(dir, "secrets.key"))
		keyed := func(box *secrets.Box) (*db.DB, error) {
			o := dbtest.Options()
			o.Secrets = box
			k, err := db.Open(ctx, url, o)
			if err == nil {
				t.Cleanup(func() { k.Close() })
			}
			return k, err
		}
		k, err := keyed(box)
		if err != nil || k.Sealed() != 1 {
			t.Fatalf("sealing the plain configs: %v", err)
		}
		if again, err := keyed(box); err != nil || again.Sealed() != 0 {
			t.Fatalf("a second start seals nothing again: %v", err)
		}
		id, err := k.CreateMarketAccount(ctx, a.TenantID, "allegro", "After the key", json.RawMessage(strings.Replace(cfg, "SECRET-1", "SECRET-2", 1)), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := k.SaveMarketConfig(ctx, id, json.RawMessage(strings.Replace(cfg, "SECRET-1", "SECRET-3", 1))); err != nil { // a rotated token
			t.Fatal(err)
		}
		for acct, secret := range map[int64]string{old: "SECRET-1", id: "SECRET-3"} {
			if v := raw(acct); !secrets.IsSealed(v) || strings.Contains(v, "SECRET") {
				t.Errorf("account %d is stored as %q", acct, v)
			}
			if got, err := configOf(k, a.TenantID, acct); err != nil || !strings.Contains(got, secret) {
				t.Errorf("account %d reads back as %q %v, want %s", acct, got, err, secret)
			}
		}

		// An update seals the new config too, forgets failures, and refuses a taken name.
		if err := k.UpdateMarketAccount(ctx, a.TenantID, id, "After the key (renamed)", json.RawMessage(strings.Replace(cfg, "SECRET-1", "SECRET-4", 1)), 30*time.Minute); err != nil {
			t.Fatal(err)
		}
		if v := raw(id); !secrets.IsSealed(v) || strings.Contains(v, "SECRET") {
			t.Errorf("updated config stored as %q", v)
		}
		if got, err := k.MarketAccount(ctx, a.TenantID, id); err != nil || got.Name != "After the key (renamed)" || got.EveryS != 1800 || !strings.Contains(string(got.Config), "SECRET-4") {
			t.Errorf("after the update: %+v %v", got, err)
		}
		var inv *db.InvalidError
		if err := k.UpdateMarketAccount(ctx, a.TenantID, id, "Before the key", json.RawMessage(cfg), 0); !errors.As(err, &inv) {
			t.Errorf("a taken name: %v", err)
		}
		if err := k.UpdateMarketAccount(ctx, b.TenantID, id, "Mine", json.RawMessage(cfg), 0); !errors.Is(err, db.ErrNotFound) {
			t.Errorf("another tenant's account: %v", err)
		}

		// A's sealed config copied into B's row does not open there.
		bid, _ := k.CreateMarketAccount(ctx, b.TenantID, "allegro", "B's", json.RawMessage(cfg), time.Hour)
		if _, err := s.DB().ExecContext(ctx, `UPDATE market_accounts SET config = ? WHERE id = ?`, raw(id), bid); err != nil {
			t.Fatal(err)
		}
		if got, err := configOf(k, b.TenantID, bid); err == nil || got != "" || !strings.Contains(err.Error(), "cannot be decrypted") {
			t.Errorf("A's credentials opened in B's account: %q %v", got, err)
		}

		// Another process without the key, or with another key.
		bare, err := db.Open(ctx, url, dbtest.Options())
		if err != nil {
			t.Fatal(err)
		}
		defer bare.Close()
		if _, err := configOf(bare, a.TenantID, id); err == nil || !strings.Contains(err.Error(), "--secrets-key") {
			t.Errorf("no key: %v", err)
		}
		wrong, _ := secrets.LoadOrCreate(filepath.Join(dir, "wrong.key"))
		before := raw(old)
		if _, err := keyed(wrong); err == nil || !strings.Contains(err.Error(), "secrets key file they were sealed with") {
			t.Errorf("the wrong key: %v", err)
		}
		if raw(old) != before {
			t.Error("a refused key changed a stored config")
		}
		// The right key starts, though one row (B's, above) does not open: that shows on B's account.
		right, err := keyed(box)
		if err != nil {
			t.Fatalf("the right key with one bad row: %v", err)
		}
		if got, err := configOf(right, a.TenantID, id); err != nil || !strings.Contains(got, "SECRET-4") {
			t.Errorf("after the right key: %q %v", got, err)
		}
	})
}
