package e2e

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"tiltas/agent"
	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/internal/dbtest"
	"tiltas/possim"
)

// faultProxy sits between the agent and what it talks to (the cloud, or the POS database).
// Down: new connections are refused. drop: live connections are closed at once. Cuts > 0:
// the next connections are cut after a random number of bytes in either direction, so a batch
// is cut mid-frame or an ack is lost after the cloud committed.
type faultProxy struct {
	ln     net.Listener
	target string
	down   atomic.Bool
	cuts   atomic.Int32
	cutN   atomic.Int32 // connections actually cut
	rng    *rand.Rand
	mu     sync.Mutex        // guards rng and live
	live   map[net.Conn]bool // both ends of every open pipe
	drops  atomic.Int32      // connections closed by drop
}

// drop closes every live connection, as a database restart or a pulled cable would.
func (p *faultProxy) drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.live {
		c.Close()
		p.drops.Add(1)
	}
	clear(p.live)
}

func (p *faultProxy) track(cs ...net.Conn) (untrack func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		p.live[c] = true
	}
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, c := range cs {
			delete(p.live, c)
		}
	}
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target, rng: rand.New(rand.NewPCG(3, 4)), live: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close() })
	go p.serve()
	return p
}

func (p *faultProxy) addr() string { return p.ln.Addr().String() }

func (p *faultProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if p.down.Load() {
			c.Close()
			continue
		}
		go p.pipe(c)
	}
}

func (p *faultProxy) pipe(c net.Conn) {
	defer c.Close()
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer up.Close()
	defer p.track(c, up)()
	limit := int64(-1)
	if p.cuts.Add(-1) >= 0 {
		p.mu.Lock()
		limit = int64(2000 + p.rng.IntN(400000))
		p.mu.Unlock()
	}
	var moved atomic.Int64
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		buf := make([]byte, 4096)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				if limit >= 0 && moved.Add(int64(n)) > limit {
					p.cutN.Add(1)
					break // cut: both sides are closed below
				}
				if _, werr := dst.Write(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				if err != io.EOF {
					break
				}
				break
			}
		}
		done <- struct{}{}
	}
	go cp(up, c)
	go cp(c, up)
	<-done
}

// The cloud unreachable for a while: the agent keeps capturing, then drains. Then the link is
// cut mid-batch and mid-ack again and again: no loss, no duplicates.
func TestOutageAndCutLinks(t *testing.T) {
	for _, run := range runs() {
		t.Run(run.name, func(t *testing.T) {
			e := newEnvOn(t, run.kind, run.pos)
			e.cloudInProcess()
			proxy := newFaultProxy(t, e.addr)
			proxy.down.Store(true)
			e.writeAgentConfig(proxy.addr(), "")
			e.agentProc()

			e.sell(context.Background(), possim.Options{Registers: 2, Receipts: 1500, Seed: 11})
			time.Sleep(1 * time.Second)
			if n := len(e.cloudSnapshot().receipts); n != 0 {
				t.Fatalf("cloud holds %d receipts while unreachable", n)
			}

			// The link comes back, but the first 8 connections are cut part way.
			proxy.cuts.Store(8)
			proxy.down.Store(false)
			e.sell(context.Background(), possim.Options{Registers: 2, Receipts: 1000, CloseDay: true, Seed: 12})
			got := e.waitEqual(3 * time.Minute)
			if len(got.receipts) != 2500 {
				t.Fatalf("cloud holds %d receipts, want 2500", len(got.receipts))
			}
			if proxy.cutN.Load() == 0 {
				t.Fatal("the proxy cut no connection: the test did not test cuts")
			}
			t.Logf("%s: 2500 receipts equal after an outage and %d cut connections", run.name, proxy.cutN.Load())
		})
	}
}

// The POS database goes away under the agent while the cloud stays up: what the agent captured
// still ships while the POS is unreachable, the agent retries the POS with backoff, and after
// its connections are dropped again and again mid-read, the cloud ends equal to the POS.
func TestPOSOutage(t *testing.T) {
	e := newEnv(t, "sqlite")
	stopCloud := e.cloudInProcess()
	cfg, err := mysql.ParseDSN(e.posDSN)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newFaultProxy(t, cfg.Addr)
	cfg.Addr = proxy.addr()
	direct := e.posDSN
	e.posDSN = cfg.FormatDSN()
	e.writeAgentConfig(e.addr, "")
	e.posDSN = direct
	e.agentProc()
	status := func() agent.Status {
		var st agent.Status
		b, _ := os.ReadFile(filepath.Join(e.dir, "data", agent.StatusFile))
		_ = json.Unmarshal(b, &st)
		return st
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("waited a minute for %s; agent status %+v", what, status())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// A new agent reads the POS once the cloud has welcomed it (the store's start date may be
	// set there); from then on it captures whether the cloud is there or not.
	waitFor("the agent to be welcomed", func() bool { return status().Connected })
	stopCloud() // first a backlog: the cloud is away while the registers sell
	e.sell(context.Background(), possim.Options{Registers: 2, Receipts: 400, Seed: 21})
	waitFor("the agent to capture 400 receipts", func() bool { return status().Backlog >= 400 })

	// The POS goes down (refused, live connections dropped); the cloud comes back.
	proxy.down.Store(true)
	proxy.drop()
	e.cloudInProcess()
	waitFor("the backlog to ship while the POS is down", func() bool { return len(e.cloudSnapshot().receipts) == 400 })
	waitFor("the agent to report the POS error", func() bool { return status().LastPOSError != "" })
	if st := status(); st.Backlog != 0 {
		t.Fatalf("backlog %d after shipping", st.Backlog)
	}

	// The POS is back; while registers sell, the agent's connections are dropped mid-read.
	proxy.down.Store(false)
	ctx, cancel := context.WithCancel(context.Background())
	sold := make(chan struct{})
	go func() {
		defer close(sold)
		e.sell(ctx, possim.Options{Registers: 2, Receipts: 1200, CloseDay: true, Seed: 22})
	}()
	for range 6 {
		time.Sleep(400 * time.Millisecond)
		proxy.drop()
	}
	<-sold
	cancel()
	got := e.waitEqual(2 * time.Minute)
	if len(got.receipts) != 1600 {
		t.Fatalf("cloud holds %d receipts, want 1600", len(got.receipts))
	}
	if proxy.drops.Load() == 0 {
		t.Fatal("no POS connection was dropped: the test did not test drops")
	}
	waitFor("the POS error to clear", func() bool { return status().LastPOSError == "" })
	t.Logf("1600 receipts equal after a POS outage and %d dropped POS connections", proxy.drops.Load())
}

// The cloud's MariaDB goes away under it: its connections are dropped again and again while
// batches are ingested and receipts posted, and once it refuses connections for a while. Acks
// come only after commits, postings run under idempotency keys: the cloud ends equal to the
// POS, and every receipt is booked exactly once.
func TestCloudDatabaseDrops(t *testing.T) {
	e := newEnv(t, "mysql")
	dsn, _ := strings.CutPrefix(e.cloudURL, "mysql://")
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newFaultProxy(t, cfg.Addr)
	cfg.Addr = proxy.addr()
	direct := e.cloudURL
	e.cloudURL = "mysql://" + cfg.FormatDSN()
	e.cloudInProcess()
	st, err := db.Open(context.Background(), e.cloudURL, dbtest.Options())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e.cloudURL = direct // the test's own reads go straight to the database
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go (&books.Poster{Books: books.New(st), Log: quietLog(), Every: 100 * time.Millisecond, Batch: 100}).Run(ctx)
	e.agentProc()

	sold := make(chan struct{})
	go func() {
		defer close(sold)
		e.sell(ctx, possim.Options{Registers: 2, Receipts: 1500, Rate: 400, DayEvery: 300, Seed: 31})
	}()
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 8 {
		time.Sleep(time.Duration(150+rng.IntN(350)) * time.Millisecond)
		if i == 4 { // a restart that takes a while
			proxy.down.Store(true)
			proxy.drop()
			time.Sleep(1500 * time.Millisecond)
			proxy.down.Store(false)
			continue
		}
		proxy.drop()
	}
	<-sold
	got := e.waitEqual(2 * time.Minute)
	if len(got.receipts) != 1500 {
		t.Fatalf("cloud holds %d receipts, want 1500", len(got.receipts))
	}
	if proxy.drops.Load() == 0 {
		t.Fatal("no database connection was dropped: the test did not test drops")
	}
	docs, paid := e.checkBooks(got)
	t.Logf("%d receipts ingested and booked once each after %d dropped database connections; takings %d cents", docs, proxy.drops.Load(), paid)
}
