// Package agent runs the edge agent: capture from the POS into the outbox, and the uplink
// from the outbox to the cloud. Neither waits for the other: the POS being down does not stop
// shipping, the cloud being down does not stop capture.
package agent

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"tiltas/agent/capture"
	"tiltas/agent/config"
	"tiltas/agent/doctor"
	"tiltas/agent/items"
	"tiltas/agent/outbox"
	"tiltas/agent/uplink"
	"tiltas/shared/protocol"
)

// Version is set at build time.
var Version = "dev"

// CompactAbove is the outbox size above which a drained outbox is compacted.
var CompactAbove int64 = 64 << 20

// Run runs the agent until ctx ends.
func Run(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data_dir %s: %w", cfg.DataDir, err)
	}
	ob, err := outbox.Open(filepath.Join(cfg.DataDir, "outbox.db"))
	if err != nil {
		return err
	}
	defer ob.Close()
	db, err := sql.Open("mysql", cfg.POSDSN())
	if err != nil {
		return fmt.Errorf("pos.dsn: %w", err)
	}
	defer db.Close()
	db.SetConnMaxLifetime(3 * time.Minute)
	db.SetMaxOpenConns(4)
	if err := doctor.Fits(ctx, db, cfg); err != nil {
		return err
	}

	wsURL, _ := cfg.WebsocketURL()
	begin := newStarts(cfg)
	start := begin.get()
	tlsConf, err := cfg.TLS()
	if err != nil {
		return fmt.Errorf("cloud_ca_file: %w", err)
	}
	var mu sync.Mutex
	st := Status{PID: os.Getpid(), Version: Version, Store: cfg.Store, Started: time.Now().UTC(), StartDate: start.Date, StartHistory: start.History, StartSource: start.Source}
	up := &uplink.Uplink{URL: wsURL, TLS: tlsConf, Token: cfg.Token, Store: cfg.Store, AgentID: cfg.AgentID, Build: Version, Outbox: ob,
		StartDate: string(cfg.POS.StartDate),
		BatchSize: cfg.Upload.BatchSize, Window: cfg.Upload.Window, Log: log.With("component", "uplink"), Cards: &items.Writer{DB: db, Profile: cfg.Profile()}}
	// snapshot merges the outbox, the link and capture into one status.
	snapshot := func() Status {
		obs, _ := ob.Stats()
		link := up.State()
		mu.Lock()
		defer mu.Unlock()
		s := st
		s.Updated = time.Now().UTC()
		s.Backlog, s.Quarantined, s.OutboxBytes = obs.Backlog, obs.Quarantined, obs.FileBytes
		s.Connected, s.LastUpload, s.LastLinkError = link.Connected, link.LastUpload, link.LastError
		s.CardsVersion, s.CardsFailed = link.CardsVersion, link.CardsFailed
		return s
	}
	up.Status = func() protocol.Status {
		s := snapshot()
		lastErr := s.LastPOSError
		if lastErr == "" {
			lastErr = s.LastLinkError
		}
		return protocol.Status{Backlog: s.Backlog, Quarantined: s.Quarantined, OutboxBytes: s.OutboxBytes, LastPOSRead: s.LastPOSRead, LastError: lastErr, AgentVersion: Version}
	}
	welcomed := make(chan struct{})
	var once sync.Once
	up.OnWelcome = func(w *protocol.Welcome) {
		defer once.Do(func() { close(welcomed) })
		next, changed, err := begin.welcome(w)
		if err != nil {
			log.Warn("keep the cloud's start date in the data dir", "err", err)
		}
		if changed {
			log.Info("start date changed", "captures", next.Text())
		}
		mu.Lock()
		st.StartDate, st.StartHistory, st.StartSource = next.Date, next.History, next.Source
		mu.Unlock()
	}
	log.Info("tiltas-agent starting", "version", Version, "store", cfg.Store, "cloud", wsURL, "data_dir", cfg.DataDir, "stream", ob.Stream(), "pos_profile", cfg.Profile().Source, "captures", start.Text())

	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		up.Run(ctx)
	}()
	go func() {
		defer wg.Done()
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			if err := writeStatus(cfg.DataDir, snapshot()); err != nil {
				log.Warn("write status file", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()

	// A new agent (nothing captured, never welcomed) waits for the cloud's first welcome, which
	// may carry the store's start date, before it reads the POS: it would otherwise read the
	// whole history. Once welcomed, it captures while the cloud is unreachable, as always.
	if fresh, err := freshOutbox(ob); err != nil {
		return err
	} else if fresh && !begin.wasWelcomed() {
		log.Info("waiting for the cloud before the first capture: it may set this store's start date")
		select {
		case <-welcomed:
		case <-ctx.Done():
			wg.Wait()
			return nil
		}
	}
	lastCompact := time.Now()
	rd := &capture.Reader{DB: db, Outbox: ob, Profile: cfg.Profile(), Lookback: cfg.POS.Lookback.Duration, Batch: cfg.Upload.BatchSize}
	clog := log.With("component", "capture")
	backoff := cfg.POS.PollInterval.Duration
	for {
		rd.Start = begin.from() // the cloud may have changed it
		res, err := rd.Once(ctx)
		wait := cfg.POS.PollInterval.Duration
		mu.Lock()
		if err != nil && ctx.Err() == nil {
			st.LastPOSError = err.Error()
			backoff = min(backoff*2, time.Minute)
			wait = backoff
			clog.Warn("POS read failed; shipping continues, will retry", "err", err, "in", wait)
		} else if err == nil {
			st.LastPOSRead, st.LastPOSError = time.Now().UTC(), ""
			backoff = cfg.POS.PollInterval.Duration
			if res.Receipts+res.DayCloses > 0 {
				clog.Debug("captured", "receipts", res.Receipts, "day_closes", res.DayCloses)
			}
		}
		mu.Unlock()
		if time.Since(lastCompact) > time.Minute {
			lastCompact = time.Now()
			if obs, err := ob.Stats(); err == nil && obs.Backlog == 0 && obs.FileBytes > CompactAbove {
				before, after, err := ob.Compact()
				if err != nil {
					return fmt.Errorf("compact outbox: %w", err) // the service manager restarts us
				}
				log.Info("outbox compacted after its backlog drained", "before_bytes", before, "after_bytes", after)
			}
		}
		select {
		case <-ctx.Done():
			wg.Wait()
			final := snapshot()
			final.Stopped, final.Connected = true, false
			_ = writeStatus(cfg.DataDir, final)
			log.Info("tiltas-agent stopped")
			return nil
		case <-time.After(wait):
		}
	}
}
