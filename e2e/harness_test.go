// Package e2e tests the whole pipeline with real parts: MariaDB as the POS, the cashier
// simulator, the agent, the cloud on SQLite and on MariaDB, and a real websocket on loopback.
package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"tiltas/cloud/db"
	"tiltas/cloud/server"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
	"tiltas/internal/testdb"
	"tiltas/possim"
	"tiltas/shared/domain"

	"github.com/shopspring/decimal"
)

var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tiltas-e2e-bin")
	if err != nil {
		panic(err)
	}
	build := exec.Command("go", "build", "-o", dir+"/", "../agent/cmd/tiltas-agent", "../cloud/cmd/tiltas-cloud")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build binaries for e2e tests:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// env is one shop: a POS database, a cloud database with a tenant, and an enrolled agent.
type env struct {
	t          *testing.T
	kind       string // sqlite or mysql
	posKind    string // the POS schema and agent profile: possim.ProfileReference or possim.ProfileUnicenta
	dir        string
	cloudURL   string // --db
	posDSN     string
	pos        *sql.DB
	addr       string // the cloud's listen address
	who        db.AgentIdentity
	agentToken string
	apiToken   string
	agentConf  string
}

func newEnv(t *testing.T, kind string) *env {
	t.Helper()
	return newEnvOn(t, kind, possim.ProfileReference)
}

// poses are the POS schemas the pipeline tests run on, each with its shipped agent profile.
var poses = []string{possim.ProfileReference, possim.ProfileUnicenta}

// newEnvOn is a shop whose POS is posKind (possim.ProfileReference or possim.ProfileUnicenta),
// read by the agent's shipped profile of that name.
func newEnvOn(t *testing.T, kind, posKind string) *env {
	t.Helper()
	e := &env{t: t, kind: kind, posKind: posKind, dir: t.TempDir()}
	if kind == "sqlite" {
		e.cloudURL = "sqlite:" + filepath.Join(e.dir, "cloud.db")
	} else {
		e.cloudURL = "mysql://" + testdb.New(t)
	}
	e.posDSN = testdb.New(t)
	var err error
	ctx := context.Background()
	if e.pos, err = possim.OpenDB(ctx, e.posDSN); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.pos.Close() })
	ensure := possim.EnsureSchema
	if posKind == possim.ProfileUnicenta {
		ensure = possim.EnsureUnicentaSchema
	}
	if err := ensure(ctx, e.pos); err != nil {
		t.Fatal(err)
	}
	st, err := db.Open(ctx, e.cloudURL, dbtest.Options())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tn, err := st.CreateTenant(ctx, "Shop")
	if err != nil {
		t.Fatal(err)
	}
	if e.agentToken, err = st.EnrollAgent(ctx, tn.ID, "VLN1", "Vilnius"); err != nil {
		t.Fatal(err)
	}
	if e.who, err = st.AuthAgent(ctx, e.agentToken); err != nil {
		t.Fatal(err)
	}
	if e.apiToken, err = st.CreateAPIToken(ctx, tn.ID, "e2e"); err != nil {
		t.Fatal(err)
	}
	e.addr = freeAddr(t)
	e.writeAgentConfig(e.addr, "")
	return e
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// writeAgentConfig points the agent at cloudAddr (the cloud, or a proxy in front of it).
func (e *env) writeAgentConfig(cloudAddr, extra string) {
	e.agentConf = filepath.Join(e.dir, "agent.toml")
	conf := fmt.Sprintf(`store = "VLN1"
cloud = "http://%s"
token = "%s"
data_dir = "data"
[pos]
dsn = "%s"
profile = "%s"
poll_interval = "200ms"
[upload]
batch_size = 250
%s`, cloudAddr, e.agentToken, e.posDSN, e.posKind, extra)
	if err := os.WriteFile(e.agentConf, []byte(conf), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// cloudInProcess serves the cloud on e.addr until the test ends or stop is called.
func (e *env) cloudInProcess() (stop func()) {
	ctx := context.Background()
	st, err := db.Open(ctx, e.cloudURL, dbtest.Options())
	if err != nil {
		e.t.Fatal(err)
	}
	ln, err := net.Listen("tcp", e.addr)
	if err != nil {
		e.t.Fatal(err)
	}
	srv := &http.Server{Handler: server.Handler(st, quietLog(), server.Options{})}
	go srv.Serve(ln)
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			srv.Close()
			st.Close()
		}
	}
	e.t.Cleanup(stop)
	return stop
}

func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

// proc starts one of the built binaries, logging to a file in the test's directory.
func (e *env) proc(name string, args ...string) *exec.Cmd {
	logf, err := os.OpenFile(filepath.Join(e.dir, name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		e.t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(binDir, name), args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = e.dir
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		logf.Close()
	})
	return cmd
}

func (e *env) cloudProc() *exec.Cmd {
	cmd := e.proc("tiltas-cloud", "serve", "--listen", e.addr, "--db", e.cloudURL, "--secrets-key", filepath.Join(e.dir, "secrets.key"))
	e.waitHealthy()
	return cmd
}

func (e *env) agentProc() *exec.Cmd {
	return e.proc("tiltas-agent", "run", "--config", e.agentConf, "--log-level", "warn")
}

func (e *env) waitHealthy() {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + e.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("cloud at %s did not become healthy; see %s", e.addr, filepath.Join(e.dir, "tiltas-cloud.log"))
}

func kill(cmd *exec.Cmd) {
	_ = cmd.Process.Kill() // SIGKILL
	_ = cmd.Wait()
}

// sell runs the cashier simulator in the test process, on the shop's POS schema.
func (e *env) sell(ctx context.Context, o possim.Options) *possim.Stats {
	o.Profile = e.posKind
	st, err := possim.Run(ctx, e.pos, o, quietLog())
	if err != nil && ctx.Err() == nil {
		e.t.Fatalf("possim: %v", err)
	}
	return st
}

// snapshot is what one side holds, keyed by source id: "total|vat|lines|payments".
type snapshot struct {
	receipts  map[string]string
	dayCloses map[string]string
	cents     int64
}

func (e *env) posSnapshot() snapshot {
	if e.posKind == possim.ProfileUnicenta {
		return e.unicentaSnapshot()
	}
	s := snapshot{receipts: map[string]string{}, dayCloses: map[string]string{}}
	rows, err := e.pos.Query(`SELECT r.id, r.total, r.vat_total, (SELECT COUNT(*) FROM receipt_lines WHERE receipt_id = r.id),
		(SELECT COUNT(*) FROM payments WHERE receipt_id = r.id) FROM receipts r WHERE r.status = 'closed'`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var total, vat string
		var nl, np int
		if err := rows.Scan(&id, &total, &vat, &nl, &np); err != nil {
			e.t.Fatal(err)
		}
		c, _ := domain.Cents(fixture.D(total))
		s.cents += c
		s.receipts[id] = fmt.Sprintf("%s|%s|%d|%d", fixture.D(total), fixture.D(vat), nl, np)
	}
	zrows, err := e.pos.Query(`SELECT id, total, receipts_count FROM cash_sessions WHERE status = 'closed'`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer zrows.Close()
	for zrows.Next() {
		var id, total string
		var n int
		if err := zrows.Scan(&id, &total, &n); err != nil {
			e.t.Fatal(err)
		}
		s.dayCloses[id] = fmt.Sprintf("%s|%d", fixture.D(total), n)
	}
	return s
}

func (e *env) cloudSnapshot() snapshot {
	ctx := context.Background()
	st, err := db.Open(ctx, e.cloudURL, dbtest.Options())
	if err != nil {
		e.t.Fatal(err)
	}
	defer st.Close()
	s := snapshot{receipts: map[string]string{}, dayCloses: map[string]string{}}
	for after := int64(0); ; {
		rs, err := st.Receipts(ctx, db.Query{TenantID: e.who.TenantID, StoreID: e.who.StoreID, AfterID: after, Limit: db.PageMax})
		if err != nil {
			e.t.Fatal(err)
		}
		for _, r := range rs {
			if _, dup := s.receipts[r.SourceID]; dup {
				e.t.Fatalf("receipt %s held twice in the cloud", r.SourceID)
			}
			c, _ := domain.Cents(r.Total)
			s.cents += c
			s.receipts[r.SourceID] = fmt.Sprintf("%s|%s|%d|%d", r.Total, r.VAT, len(r.Lines), len(r.Payments))
			after = r.ID
		}
		if len(rs) < db.PageMax {
			break
		}
	}
	zs, err := st.DayCloses(ctx, db.Query{TenantID: e.who.TenantID, StoreID: e.who.StoreID, Limit: db.PageMax})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(zs) == db.PageMax {
		e.t.Fatalf("the cloud holds a full page of %d Z reports: page through them here as through the receipts", db.PageMax)
	}
	for _, z := range zs {
		s.dayCloses[z.SourceID] = fmt.Sprintf("%s|%d", z.Total, z.ReceiptsCount)
	}
	return s
}

// waitEqual waits until the cloud holds exactly what the POS has, then checks it item by item.
func (e *env) waitEqual(timeout time.Duration) snapshot {
	e.t.Helper()
	want := e.posSnapshot()
	deadline := time.Now().Add(timeout)
	var got snapshot
	for {
		got = e.cloudSnapshot()
		if len(got.receipts) >= len(want.receipts) && len(got.dayCloses) >= len(want.dayCloses) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if diff := diffMaps(want.receipts, got.receipts); diff != "" {
		e.t.Fatalf("receipts differ between POS (%d) and cloud (%d):\n%s", len(want.receipts), len(got.receipts), diff)
	}
	if diff := diffMaps(want.dayCloses, got.dayCloses); diff != "" {
		e.t.Fatalf("day closes differ between POS (%d) and cloud (%d):\n%s", len(want.dayCloses), len(got.dayCloses), diff)
	}
	if want.cents != got.cents {
		e.t.Fatalf("POS total %d cents, cloud %d cents", want.cents, got.cents)
	}
	return got
}

func diffMaps(want, got map[string]string) string {
	var out []string
	for k, v := range want {
		if g, ok := got[k]; !ok {
			out = append(out, fmt.Sprintf("  missing in cloud: %s (%s)", k, v))
		} else if g != v {
			out = append(out, fmt.Sprintf("  %s: POS %s, cloud %s", k, v, g))
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			out = append(out, fmt.Sprintf("  not in POS: %s (%s)", k, v))
		}
	}
	sort.Strings(out)
	if len(out) > 20 {
		out = append(out[:20], fmt.Sprintf("  ... and %d more", len(out)-20))
	}
	return strings.Join(out, "\n")
}

// unicentaSnapshot is what a uniCenta database holds, read with its own SQL and the stated
// conversion (each DOUBLE through its shortest text, money rounded half away from zero to the
// cent), independently of the agent's profile: the tickets (sales and refunds) of closed cash
// sessions, each with what was paid, its VAT per rate as taxlines holds it, and its line and
// payment counts; and every closed session with the sum of its tickets.
func (e *env) unicentaSnapshot() snapshot {
	s := snapshot{receipts: map[string]string{}, dayCloses: map[string]string{}}
	cents := func(v float64) decimal.Decimal { return decimal.NewFromFloat(v).Round(2) }
	type tk struct {
		session     string
		paid, vat   decimal.Decimal
		lines, pays int
	}
	tickets := map[string]*tk{}
	each := func(q string, fn func(*sql.Rows) error) {
		rows, err := e.pos.Query(q)
		if err != nil {
			e.t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				e.t.Fatal(err)
			}
		}
		if err := rows.Err(); err != nil {
			e.t.Fatal(err)
		}
	}
	each(`SELECT r.id, r.money, (SELECT COUNT(*) FROM ticketlines l WHERE l.ticket = r.id) FROM receipts r
		JOIN tickets t ON t.id = r.id JOIN closedcash c ON c.money = r.money WHERE c.dateend IS NOT NULL AND t.tickettype IN (0, 1)`, func(rows *sql.Rows) error {
		k := &tk{}
		var id string
		if err := rows.Scan(&id, &k.session, &k.lines); err != nil {
			return err
		}
		tickets[id] = k
		return nil
	})
	each(`SELECT receipt, total FROM payments`, func(rows *sql.Rows) error {
		var id string
		var v float64
		if err := rows.Scan(&id, &v); err != nil {
			return err
		}
		if k := tickets[id]; k != nil {
			k.paid, k.pays = k.paid.Add(cents(v)), k.pays+1
		}
		return nil
	})
	each(`SELECT l.receipt, SUM(l.amount) FROM taxlines l JOIN taxes x ON x.id = l.taxid GROUP BY l.receipt, x.rate`, func(rows *sql.Rows) error {
		var id string
		var v float64
		if err := rows.Scan(&id, &v); err != nil {
			return err
		}
		if k := tickets[id]; k != nil {
			k.vat = k.vat.Add(cents(v))
		}
		return nil
	})
	zs := map[string]*struct {
		total decimal.Decimal
		n     int
	}{}
	each(`SELECT money FROM closedcash WHERE dateend IS NOT NULL`, func(rows *sql.Rows) error {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		zs[id] = &struct {
			total decimal.Decimal
			n     int
		}{}
		return nil
	})
	for id, k := range tickets {
		c, _ := domain.Cents(k.paid)
		s.cents += c
		s.receipts[id] = fmt.Sprintf("%s|%s|%d|%d", k.paid, k.vat, k.lines, k.pays)
		if z := zs[k.session]; z != nil {
			z.total, z.n = z.total.Add(k.paid), z.n+1
		}
	}
	for id, z := range zs {
		s.dayCloses[id] = fmt.Sprintf("%s|%d", z.total, z.n)
	}
	return s
}
