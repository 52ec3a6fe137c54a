package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tiltas/internal/testcert"
	"tiltas/possim"
)

// TestAgentOverTLS runs the cloud binary with a certificate from a company CA, and the agent
// over wss:// trusting that CA through cloud_ca_file: receipts arrive. doctor passes with the
// CA, and without it fails naming cloud_ca_file as the fix.
func TestAgentOverTLS(t *testing.T) {
	e := newEnv(t, "sqlite")
	certs := testcert.New(t)
	e.proc("tiltas-cloud", "serve", "--listen", e.addr, "--db", e.cloudURL, "--secrets-key", filepath.Join(e.dir, "secrets.key"),
		"--tls-cert", certs.Cert, "--tls-key", certs.Key)
	pem, _ := os.ReadFile(certs.CA)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 5 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get("https://" + e.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cloud did not answer over TLS: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}

	e.writeAgentConfig(e.addr, "")
	plain, _ := os.ReadFile(e.agentConf)
	noCA := strings.Replace(string(plain), `cloud = "http://`, `cloud = "https://`, 1)
	withCA := strings.Replace(noCA, "\n[pos]", "\ncloud_ca_file = \""+certs.CA+"\"\n[pos]", 1)
	if err := os.WriteFile(e.agentConf, []byte(withCA), 0o600); err != nil {
		t.Fatal(err)
	}
	untrusting := filepath.Join(e.dir, "no-ca.toml")
	if err := os.WriteFile(untrusting, []byte(noCA), 0o600); err != nil {
		t.Fatal(err)
	}

	e.agentProc()
	e.sell(context.Background(), possim.Options{Registers: 1, Receipts: 200, Seed: 41})
	if got := e.waitEqual(time.Minute); len(got.receipts) != 200 {
		t.Fatalf("cloud holds %d receipts over TLS, want 200", len(got.receipts))
	}

	out, code := agentCmd(t, e, e.agentConf, "doctor")
	if code != 0 {
		t.Fatalf("doctor with the CA failed (exit %d):\n%s", code, out)
	}
	wantLines(t, out, "OK    cloud", "OK    token")
	out, code = agentCmd(t, e, untrusting, "doctor")
	if code != 1 {
		t.Fatalf("doctor without the CA: exit %d:\n%s", code, out)
	}
	wantLines(t, out, "FAIL  cloud", "set cloud_ca_file")
}
