package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"tiltas/cloud/db"
	"tiltas/cloud/secrets"
	"tiltas/internal/dbtest"
	"tiltas/internal/testdb"
)

// TestCloudCLISealsMarketCredentials runs tiltas-cloud as an operator would: market add checks
// the config, and the credentials land sealed under a key file created 0600 beside a SQLite
// database; a MySQL database without a named key file is refused.
func TestCloudCLISealsMarketCredentials(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cloud := func(args ...string) (string, error) {
		cmd := exec.Command(filepath.Join(binDir, "tiltas-cloud"), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TILTAS_SECRETS_KEY=", "TILTAS_DB=")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	dbURL := "sqlite:" + filepath.Join(dir, "data", "cloud.db")
	if out, err := cloud("tenant", "create", "--name", "T", "--db", dbURL); err != nil {
		t.Fatalf("tenant create: %v\n%s", err, out)
	}
	out, err := cloud("market", "add", "--tenant", "T", "--kind", "amazon", "--name", "Amazon", "--db", dbURL,
		"--config", `{"endpoint":"http://example.com","client_id":"c","marketplace_ids":["A1PA6795UKMFR9"]}`)
	if err == nil || !strings.Contains(out, "must use https") || !strings.Contains(out, "client_secret is required") {
		t.Fatalf("a bad config was not refused by name: %v\n%s", err, out)
	}
	cfg := filepath.Join(dir, "allegro.json")
	os.WriteFile(cfg, []byte(`{"api_url":"http://127.0.0.1:9","auth_url":"http://127.0.0.1:9","client_id":"c","client_secret":"CLI-SECRET","refresh_token":"r"}`), 0o600)
	if out, err := cloud("market", "add", "--tenant", "T", "--kind", "allegro", "--name", "Allegro", "--config", "@"+cfg, "--db", dbURL); err != nil {
		t.Fatalf("market add: %v\n%s", err, out)
	}
	key := filepath.Join(dir, "data", "secrets.key")
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secrets key beside the database: %v %v", fi, err)
	}
	for _, f := range []string{"cloud.db", "cloud.db-wal"} {
		if b, err := os.ReadFile(filepath.Join(dir, "data", f)); err == nil && bytes.Contains(b, []byte("CLI-SECRET")) {
			t.Errorf("%s holds the secret in clear", f)
		}
	}
	box, err := secrets.LoadOrCreate(key)
	if err != nil {
		t.Fatal(err)
	}
	o := dbtest.Options()
	o.Secrets = box
	st, err := db.Open(ctx, dbURL, o)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tn, _ := st.TenantByName(ctx, "T")
	if as, _ := st.MarketAccounts(ctx, tn.ID); len(as) != 1 || !strings.Contains(string(as[0].Config), "CLI-SECRET") {
		t.Fatalf("the account does not read back with the key: %+v", as)
	}

	mysqlDB := "mysql://" + testdb.New(t)
	if out, err := cloud("tenant", "create", "--name", "T", "--db", mysqlDB); err != nil {
		t.Fatalf("tenant create on MySQL: %v\n%s", err, out)
	}
	out, err = cloud("market", "add", "--tenant", "T", "--kind", "allegro", "--name", "Allegro", "--config", "@"+cfg, "--db", mysqlDB)
	if err == nil || !strings.Contains(out, "needs --secrets-key") {
		t.Fatalf("MySQL without a key file: %v\n%s", err, out)
	}
	if out, err := cloud("market", "add", "--tenant", "T", "--kind", "allegro", "--name", "Allegro", "--config", "@"+cfg, "--db", mysqlDB,
		"--secrets-key", filepath.Join(dir, "mysql-secrets.key")); err != nil {
		t.Fatalf("MySQL with a key file: %v\n%s", err, out)
	}
}
