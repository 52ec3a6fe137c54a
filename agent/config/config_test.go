package config

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tiltas/internal/testcert"
)

func write(t *testing.T, body string, mode os.FileMode) string {
	p := filepath.Join(t.TempDir(), "agent.toml")
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

const good = `store = "VLN1"
cloud = "http://127.0.0.1:8080"
token = "tag_x"
[pos]
dsn = "u:p@tcp(127.0.0.1:3306)/pos"
`

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		mode os.FileMode
		env  map[string]string
		want string // error substring; "" means it loads
	}{
		{"good", good, 0o600, nil, ""},
		{"group readable is fine (deb installs 0640 root:tiltas)", good, 0o640, nil, ""},
		{"world readable", good, 0o644, nil, "chmod 600"},
		{"unknown key", good + "pol_interval = \"1s\"\n", 0o600, nil, "unknown key(s) pos.pol_interval"},
		{"bad duration", good + "poll_interval = \"soon\"\n", 0o600, nil, `"soon" is not a duration`},
		{"poll too fast", good + "poll_interval = \"1ms\"\n", 0o600, nil, "pos.poll_interval = 1ms: between 100ms and 1h"},
		{"batch too big", good + "[upload]\nbatch_size = 5000\n", 0o600, nil, "upload.batch_size = 5000"},
		{"no token", strings.Replace(good, `token = "tag_x"`, "", 1), 0o600, nil, "token"},
		{"token from env", strings.Replace(good, `token = "tag_x"`, "", 1), 0o600, map[string]string{"TILTAS_AGENT_TOKEN": "tag_env"}, ""},
		{"plain http off loopback", strings.Replace(good, "127.0.0.1:8080", "cloud.example.com", 1), 0o600, nil, "plain http is allowed only to loopback"},
		{"bad dsn", strings.Replace(good, "u:p@tcp(127.0.0.1:3306)/pos", "localhost", 1), 0o600, nil, "pos.dsn"},
		{"bad zone", good + "timezone = \"Mars/Olympus\"\n", 0o600, nil, "pos.timezone"},
		{"a cloud CA file that is not there", strings.Replace(good, "[pos]", "cloud_ca_file = \"/nonexistent/ca.pem\"\n[pos]", 1), 0o600, nil, "cloud_ca_file = \"/nonexistent/ca.pem\": cannot read it"},
		{"a start date", good + "start_date = \"2026-01-01\"\n", 0o600, nil, ""},
		{"a start date as a bare TOML date", good + "start_date = 2026-01-01\n", 0o600, nil, ""},
		{"a start date that is no date", good + "start_date = \"2026-13-01\"\n", 0o600, nil, `pos.start_date = "2026-13-01": a day as YYYY-MM-DD`},
		{"a start date with a time", good + "start_date = \"2026-01-01T00:00:00\"\n", 0o600, nil, `pos.start_date = "2026-01-01T00:00:00"`},
		{"a start date not a string", good + "start_date = 20260101\n", 0o600, nil, `pos.start_date = "20260101"`},
		{"the reference profile by name", good + "profile = \"reference\"\n", 0o600, nil, ""},
		{"a profile that is not shipped", good + "profile = \"raso\"\n", 0o600, nil, `pos.profile = "raso": profile "raso" is not shipped: use one of reference`},
		{"a profile file that is not there", good + "profile = \"raso.toml\"\n", 0o600, nil, `pos.profile = "raso.toml": profile /`},
		{"a profile file with a bad key", good + "profile = \"agent.toml\"\n", 0o600, nil, "store: unknown key"},
		{"a cloud CA file without a certificate", strings.Replace(good, "[pos]", "cloud_ca_file = \"agent.toml\"\n[pos]", 1), 0o600, nil, "holds no PEM certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			c, err := Load(write(t, tc.body, tc.mode))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want error containing %q, got %v (%+v)", tc.want, err, c)
			}
		})
	}
}

func TestDefaultsAndURL(t *testing.T) {
	t.Setenv("TILTAS_AGENT_TOKEN", "")
	c, err := Load(write(t, strings.Replace(good, "http://127.0.0.1:8080", "https://tiltas.example.com/base/", 1), 0o600))
	if err != nil {
		t.Fatal(err)
	}
	if c.POS.Profile != "reference" || c.Profile() == nil || c.Profile().Name != "reference" {
		t.Fatalf("pos.profile %q loaded %+v, want the reference profile by default", c.POS.Profile, c.Profile())
	}
	if u, _ := c.WebsocketURL(); u != "wss://tiltas.example.com/base/v1/agent" {
		t.Fatalf("websocket URL %s", u)
	}
	if c.POS.PollInterval.Duration != time.Second || c.POS.Lookback.Duration != 10*time.Minute || c.Upload.BatchSize != 500 || c.Upload.Window != 4 {
		t.Fatalf("defaults: %+v", c)
	}
	if st, err := c.Start(); err != nil || !st.IsZero() {
		t.Fatalf("no pos.start_date: start %v %v, want the whole history", st, err)
	}
	if c.DataDir != filepath.Join(filepath.Dir(c.Path()), "data") {
		t.Fatalf("data_dir %s is not beside the config", c.DataDir)
	}
	if !strings.Contains(c.POSDSN(), "parseTime=true") || !strings.Contains(c.POSDSN(), "timeout=5s") {
		t.Fatalf("POS DSN lacks parseTime/timeouts: %s", c.POSDSN())
	}
}

// The sample shipped in installer/ loads once its placeholders are real.
func TestSampleConfigLoads(t *testing.T) {
	b, err := os.ReadFile("../../installer/agent.sample.toml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(write(t, string(b), 0o600)); err != nil {
		t.Fatalf("installer/agent.sample.toml: %v", err)
	}
}

func TestCloudCA(t *testing.T) {
	certs := testcert.New(t)
	dir := filepath.Dir(write(t, "", 0o600))
	ca := filepath.Join(dir, "company-ca.pem")
	b, _ := os.ReadFile(certs.CA)
	os.WriteFile(ca, b, 0o644)
	conf := filepath.Join(dir, "agent.toml")
	os.WriteFile(conf, []byte(strings.Replace(strings.Replace(good, "http://127.0.0.1:8080", "https://cloud.example.com", 1), "[pos]", "cloud_ca_file = \"company-ca.pem\"\n[pos]", 1)), 0o600)
	c, err := Load(conf)
	if err != nil {
		t.Fatal(err)
	}
	if c.CloudCA != ca {
		t.Fatalf("a relative cloud_ca_file is taken beside the config: %q", c.CloudCA)
	}
	tc, err := c.TLS()
	if err != nil || tc.RootCAs == nil || tc.MinVersion < tls.VersionTLS12 {
		t.Fatalf("TLS config %+v %v", tc, err)
	}
}
