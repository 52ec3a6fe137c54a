// Package config reads the agent's TOML config. Unknown keys and bad values are refused at
// start with the key, the value and what is expected; secrets may come from the environment.
package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/go-sql-driver/mysql"

	"tiltas/agent/profile"
)

// Config is agent.toml.
type Config struct {
	Store string `toml:"store"` // the store code the token was enrolled for
	Cloud string `toml:"cloud"` // https://cloud.example.com, or http://127.0.0.1:8080 on loopback
	Token string `toml:"token"` // agent token; or $TILTAS_AGENT_TOKEN
	// CloudCA is a PEM file of the CA that signed the cloud's certificate, for a cloud whose
	// certificate the system does not trust (a company CA); trusted besides the system's.
	CloudCA string `toml:"cloud_ca_file"`
	DataDir string `toml:"data_dir"` // outbox and state; default: beside the config file
	AgentID string `toml:"agent_id"` // default: hostname

	POS struct {
		DSN string `toml:"dsn"` // or $TILTAS_POS_DSN
		// Profile names a shipped POS profile (reference, the default) or a profile file; a
		// relative path is taken beside the config file.
		Profile      string   `toml:"profile"`
		TimeZone     string   `toml:"timezone"`
		PollInterval Duration `toml:"poll_interval"`
		Lookback     Duration `toml:"lookback"`
		// StartDate (YYYY-MM-DD, a day in TimeZone) is the first day captured: receipts and
		// day closes closed before it stay in the POS. Empty: the whole history.
		StartDate Date `toml:"start_date"`
	} `toml:"pos"`

	Upload struct {
		BatchSize int `toml:"batch_size"`
		Window    int `toml:"window"`
	} `toml:"upload"`

	Insecure bool `toml:"allow_plain_http"` // plain ws:// to a non-loopback cloud; never in production

	path    string
	profile *profile.Profile
}

// Profile is the POS profile pos.profile names, loaded and checked.
func (c *Config) Profile() *profile.Profile { return c.profile }

// Duration is a TOML string such as "1s" or "10m".
type Duration struct{ time.Duration }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (use 500ms, 1s, 10m)", b)
	}
	d.Duration = v
	return nil
}

// Date is a TOML day, written "2026-01-01" or as a bare TOML date 2026-01-01; it is checked
// with the other keys so that a bad one is named.
type Date string

func (d *Date) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		*d = Date(v)
	case time.Time:
		*d = Date(v.Format(time.DateOnly))
	default:
		*d = Date(fmt.Sprint(v))
	}
	return nil
}

// Load reads and checks the config file at path.
func Load(path string) (*Config, error) {
	if !filepath.IsAbs(path) {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		path = abs
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
		if fi.Mode().Perm()&0o004 != 0 {
			return nil, fmt.Errorf("config %s is readable by every user (mode %o) and holds the agent token and POS password: run chmod 600 %s", path, fi.Mode().Perm(), path)
		}
	}
	c := &Config{path: path}
	md, err := toml.DecodeFile(path, c)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		var keys []string
		for _, k := range und {
			keys = append(keys, k.String())
		}
		return nil, fmt.Errorf("config %s: unknown key(s) %s: check the spelling against installer/agent.sample.toml", path, strings.Join(keys, ", "))
	}
	if v := os.Getenv("TILTAS_AGENT_TOKEN"); v != "" {
		c.Token = v
	}
	if v := os.Getenv("TILTAS_POS_DSN"); v != "" {
		c.POS.DSN = v
	}
	if err := c.defaults(); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

func (c *Config) defaults() error {
	var p []string
	bad := func(key string, val any, want string) { p = append(p, fmt.Sprintf("%s = %v: %s", key, val, want)) }
	if c.Store == "" {
		bad("store", `""`, "set the store code the agent token was enrolled for")
	}
	if c.Token == "" {
		bad("token", `""`, "set the agent token from `tiltas-cloud agent enroll`, or TILTAS_AGENT_TOKEN")
	}
	if _, err := c.WebsocketURL(); err != nil {
		bad("cloud", fmt.Sprintf("%q", c.Cloud), err.Error())
	}
	if c.CloudCA != "" {
		if !filepath.IsAbs(c.CloudCA) {
			c.CloudCA = filepath.Join(filepath.Dir(c.path), c.CloudCA)
		}
		if _, err := c.TLS(); err != nil {
			bad("cloud_ca_file", fmt.Sprintf("%q", c.CloudCA), err.Error())
		}
	}
	if c.POS.DSN == "" {
		bad("pos.dsn", `""`, "set the POS database, e.g. tiltas:secret@tcp(127.0.0.1:3306)/pos")
	} else if cfg, err := mysql.ParseDSN(c.POS.DSN); err != nil || cfg.DBName == "" {
		bad("pos.dsn", "(hidden)", "expected user:pass@tcp(host:3306)/dbname")
	}
	if c.POS.Profile == "" {
		c.POS.Profile = profile.Default
	}
	name := c.POS.Profile
	if strings.ContainsAny(name, `/\`) || strings.HasSuffix(name, ".toml") {
		if !filepath.IsAbs(name) {
			name = filepath.Join(filepath.Dir(c.path), name)
		}
	}
	if pr, err := profile.Load(name); err != nil {
		bad("pos.profile", fmt.Sprintf("%q", c.POS.Profile), err.Error())
	} else {
		c.profile = pr
	}
	if c.POS.TimeZone == "" {
		c.POS.TimeZone = "Local"
	}
	if _, err := time.LoadLocation(c.POS.TimeZone); err != nil {
		bad("pos.timezone", fmt.Sprintf("%q", c.POS.TimeZone), "an IANA zone such as Europe/Vilnius")
	}
	if c.POS.StartDate != "" {
		if _, err := c.Start(); err != nil {
			bad("pos.start_date", fmt.Sprintf("%q", c.POS.StartDate), "a day as YYYY-MM-DD, e.g. 2026-01-01, or leave it out to capture the whole history")
		}
	}
	if c.POS.PollInterval.Duration == 0 {
		c.POS.PollInterval.Duration = time.Second
	}
	if d := c.POS.PollInterval.Duration; d < 100*time.Millisecond || d > time.Hour {
		bad("pos.poll_interval", d, "between 100ms and 1h")
	}
	if c.POS.Lookback.Duration == 0 {
		c.POS.Lookback.Duration = 10 * time.Minute
	}
	if d := c.POS.Lookback.Duration; d < time.Second || d > 7*24*time.Hour {
		bad("pos.lookback", d, "between 1s and 168h; longer than any register transaction")
	}
	if c.Upload.BatchSize == 0 {
		c.Upload.BatchSize = 500
	}
	if n := c.Upload.BatchSize; n < 1 || n > 2000 {
		bad("upload.batch_size", n, "between 1 and 2000")
	}
	if c.Upload.Window == 0 {
		c.Upload.Window = 4
	}
	if n := c.Upload.Window; n < 1 || n > 64 {
		bad("upload.window", n, "between 1 and 64")
	}
	if c.DataDir == "" {
		c.DataDir = filepath.Join(filepath.Dir(c.path), "data")
	} else if !filepath.IsAbs(c.DataDir) {
		c.DataDir = filepath.Join(filepath.Dir(c.path), c.DataDir)
	}
	if c.AgentID == "" {
		c.AgentID, _ = os.Hostname()
	}
	if len(p) > 0 {
		return errors.New(strings.Join(p, "; "))
	}
	return nil
}

// WebsocketURL is the cloud's agent endpoint. Plain HTTP is allowed only to loopback.
func (c *Config) WebsocketURL() (string, error) {
	u, err := url.Parse(c.Cloud)
	if err != nil || u.Host == "" {
		return "", errors.New("the cloud's address, e.g. https://tiltas.example.com")
	}
	switch u.Scheme {
	case "https", "wss":
		u.Scheme = "wss"
	case "http", "ws":
		host := u.Hostname()
		if host != "localhost" && !strings.HasPrefix(host, "127.") && host != "::1" && !c.Insecure {
			return "", errors.New("plain http is allowed only to loopback: use https://, the token must not cross the network in clear")
		}
		u.Scheme = "ws"
	default:
		return "", fmt.Errorf("scheme %q: use https://", u.Scheme)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/v1/agent"
	return u.String(), nil
}

// TLS is the TLS configuration for the cloud: the system's trusted CAs, plus cloud_ca_file's.
func (c *Config) TLS() (*tls.Config, error) {
	t := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CloudCA == "" {
		return t, nil
	}
	pem, err := os.ReadFile(c.CloudCA)
	if err != nil {
		return nil, fmt.Errorf("cannot read it: %v", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool() // Windows before Go 1.18 semantics, or no system store
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errors.New("holds no PEM certificate: give the CA certificate (-----BEGIN CERTIFICATE-----) that signed the cloud's")
	}
	t.RootCAs = pool
	return t, nil
}

// POSDSN is the DSN with the settings the agent needs: parsed times in the shop's zone,
// timeouts on every network call.
func (c *Config) POSDSN() string {
	cfg, _ := mysql.ParseDSN(c.POS.DSN)
	cfg.ParseTime = true
	cfg.Loc, _ = time.LoadLocation(c.POS.TimeZone)
	cfg.Timeout = 5 * time.Second
	cfg.InterpolateParams = true // one round trip per query, not prepare/execute/close
	cfg.ReadTimeout = 30 * time.Second
	cfg.WriteTimeout = 30 * time.Second
	return cfg.FormatDSN()
}

// Start is the beginning of pos.start_date in pos.timezone, or the zero time when it is not
// set (the whole history).
func (c *Config) Start() (time.Time, error) { return c.StartOf(string(c.POS.StartDate)) }

// StartOf is the beginning of a day (YYYY-MM-DD) in pos.timezone, or the zero time for "".
func (c *Config) StartOf(date string) (time.Time, error) {
	if date == "" {
		return time.Time{}, nil
	}
	loc, err := time.LoadLocation(c.POS.TimeZone)
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.ParseInLocation(time.DateOnly, date, loc)
	if err != nil {
		return time.Time{}, err
	}
	if t.Format(time.DateOnly) != date {
		return time.Time{}, fmt.Errorf("%q is not a day", date)
	}
	return t, nil
}

// Path is the config file's absolute path.
func (c *Config) Path() string { return c.path }
