// Package doctor checks everything the agent needs and says, for each problem, how to fix it:
// the config and the POS profile it names, the data directory, the POS database (each of the
// profile's queries run read-only, its card statements tried and rolled back), the cloud, the
// token and the clock.
package doctor

import (
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/gorilla/websocket"

	"tiltas/agent/config"
	"tiltas/agent/uplink"
	"tiltas/shared/protocol"
)

// Level is a check's verdict.
type Level string

const (
	OK   Level = "OK"
	Warn Level = "WARN"
	Fail Level = "FAIL"
)

// Check is one line of the report.
type Check struct {
	Level  Level
	Name   string
	Detail string
	Fix    string
}

func (c Check) String() string {
	s := fmt.Sprintf("%-4s  %-10s %s", c.Level, c.Name, c.Detail)
	if c.Fix != "" {
		s += "\n      fix: " + c.Fix
	}
	return s
}

// MinFreeBytes is the free space below which the data directory is a warning.
const MinFreeBytes = 200 << 20

// Run runs every check. A config that does not load is the only check then.
func Run(ctx context.Context, path string) []Check {
	cfg, err := config.Load(path)
	if err != nil {
		return []Check{{Fail, "config", err.Error(), "correct the file and run doctor again"}}
	}
	out := []Check{{OK, "config", cfg.Path() + " loads; store " + cfg.Store, ""}}
	pr := cfg.Profile()
	out = append(out, Check{OK, "profile", fmt.Sprintf("%s (%s): %d reads, %d card statements", pr.Name, pr.Source, len(pr.Reads()), len(pr.Cards.Upsert)+len(pr.Cards.Deactivate)), ""})
	out = append(out, dataDir(cfg.DataDir)...)
	out = append(out, pos(ctx, cfg)...)
	out = append(out, cloud(ctx, cfg)...)
	return out
}

// Failed says whether any check failed.
func Failed(cs []Check) bool {
	for _, c := range cs {
		if c.Level == Fail {
			return true
		}
	}
	return false
}

func dataDir(dir string) []Check {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return []Check{{Fail, "data dir", err.Error(), "create " + dir + " writable by the agent's user, or set data_dir"}}
	}
	probe := filepath.Join(dir, ".doctor-probe")
	if err := os.WriteFile(probe, []byte("x"), 0o600); err != nil {
		return []Check{{Fail, "data dir", dir + " is not writable: " + err.Error(), "chown it to the agent's user (the service runs as tiltas), or set data_dir"}}
	}
	os.Remove(probe)
	c := Check{OK, "data dir", dir + " is writable", ""}
	if free, err := freeBytes(dir); err == nil {
		c.Detail += fmt.Sprintf(", %d MiB free", free>>20)
		if free < MinFreeBytes {
			c.Level, c.Fix = Warn, fmt.Sprintf("free space under %d MiB: the outbox grows while the cloud is unreachable; free some disk", MinFreeBytes>>20)
		}
	}
	return []Check{c}
}

func pos(ctx context.Context, cfg *config.Config) []Check {
	dsn, _ := mysql.ParseDSN(cfg.POS.DSN)
	where := fmt.Sprintf("%s@%s/%s", dsn.User, dsn.Addr, dsn.DBName)
	db, err := sql.Open("mysql", cfg.POSDSN())
	if err != nil {
		return []Check{{Fail, "pos", err.Error(), "correct pos.dsn"}}
	}
	defer db.Close()
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(cctx); err != nil {
		fix := "check that the POS database runs and that pos.dsn's host, port, user and password are right"
		var me *mysql.MySQLError
		if errors.As(err, &me) && me.Number == 1045 {
			fix = "the POS refused the user or password in pos.dsn"
		}
		return []Check{{Fail, "pos", "cannot connect to " + where + ": " + err.Error(), fix}}
	}
	out := []Check{{OK, "pos", "connected to " + where, ""}}
	out = append(out, reads(cctx, db, cfg.Profile(), dsn)...)
	return append(out, writes(cctx, db, cfg.Profile(), dsn)...)
}

func shortErr(err error) string {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Message
	}
	return err.Error()
}

func cloud(ctx context.Context, cfg *config.Config) []Check {
	ws, _ := cfg.WebsocketURL()
	u, _ := url.Parse(ws)
	base := *u
	base.Scheme = map[string]string{"ws": "http", "wss": "https"}[u.Scheme]
	base.Path = strings.TrimSuffix(u.Path, protocol.Path) + "/healthz"
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(cctx, "GET", base.String(), nil)
	tlsConf, err := cfg.TLS()
	if err != nil {
		return []Check{{Fail, "cloud", "cloud_ca_file: " + err.Error(), "fix cloud_ca_file in the config"}}
	}
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: tlsConf}}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		fix := "check the cloud address, DNS and that outbound HTTPS from this machine is allowed"
		if hint := uplink.TLSHint(err); hint != "" {
			fix = hint
		}
		return []Check{{Fail, "cloud", "cannot reach " + base.String() + ": " + err.Error(), fix}}
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	rtt := time.Since(start)
	var out []Check
	if resp.StatusCode != 200 {
		out = append(out, Check{Fail, "cloud", fmt.Sprintf("%s answered HTTP %d", base.String(), resp.StatusCode), "the cloud is up but unhealthy: tell its operator"})
	} else {
		out = append(out, Check{OK, "cloud", fmt.Sprintf("%s answers (%s)", base.String(), rtt.Round(time.Millisecond)), ""})
	}
	if date, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		skew := time.Since(date) - rtt/2
		c := Check{OK, "clock", fmt.Sprintf("within %s of the cloud", skew.Abs().Round(time.Second)+time.Second), ""}
		if skew.Abs() > 2*time.Minute {
			c = Check{Warn, "clock", fmt.Sprintf("this machine's clock is %s off the cloud's", skew.Round(time.Second)), "enable time sync (timedatectl set-ntp true, or w32tm /resync): receipt times and latency reports depend on it"}
		}
		out = append(out, c)
	}
	out = append(out, token(cctx, cfg, ws, tlsConf))
	return out
}

// token checks the agent token and store with a probe hello, which the cloud records nowhere.
func token(ctx context.Context, cfg *config.Config, ws string, tlsConf *tls.Config) Check {
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, Proxy: http.ProxyFromEnvironment, TLSClientConfig: tlsConf}
	conn, resp, err := d.DialContext(ctx, ws, http.Header{"Authorization": {"Bearer " + cfg.Token}})
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnauthorized {
			return Check{Fail, "token", "the cloud does not accept the agent token", "enroll again with `tiltas-cloud agent enroll --store " + cfg.Store + "` and put the new token in the config"}
		}
		return Check{Fail, "token", "websocket to " + ws + ": " + err.Error(), "a proxy may block websockets: allow " + ws}
	}
	defer conn.Close()
	hello, _ := json.Marshal(protocol.Frame{Type: protocol.TypeHello, Hello: &protocol.Hello{Magic: protocol.Magic, Version: protocol.Version,
		AgentID: cfg.AgentID, Store: cfg.Store, Stream: "doctor-probe", Probe: true}})
	_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := conn.WriteMessage(websocket.TextMessage, hello); err != nil {
		return Check{Fail, "token", "send hello: " + err.Error(), "retry; if it persists a proxy may cut websockets"}
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var f protocol.Frame
	if err := conn.ReadJSON(&f); err != nil {
		return Check{Fail, "token", "no answer to hello: " + err.Error(), "retry; if it persists a proxy may cut websockets"}
	}
	if f.Type == protocol.TypeError && f.Error != nil {
		return Check{Fail, "token", "the cloud refused the agent: " + f.Error.Message, "see the message"}
	}
	return Check{OK, "token", "accepted for store " + cfg.Store, ""}
}
