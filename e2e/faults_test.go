package e2e

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tiltas/possim"
)

// faultProxy sits between agent and cloud. Down: it drops every connection at once. Cuts > 0:
// the next connections are cut after a random number of bytes in either direction, so a batch
// is cut mid-frame or an ack is lost after the cloud committed.
type faultProxy struct {
	ln     net.Listener
	target string
	down   atomic.Bool
	cuts   atomic.Int32
	cutN   atomic.Int32 // connections actually cut
	rng    *rand.Rand
	mu     sync.Mutex
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target, rng: rand.New(rand.NewPCG(3, 4))}
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
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t, kind)
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
			t.Logf("%s: 2500 receipts equal after an outage and %d cut connections", kind, proxy.cutN.Load())
		})
	}
}
