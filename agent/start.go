package agent

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"tiltas/agent/config"
	"tiltas/shared/protocol"
)

// StartFile keeps, in the data dir, the start the cloud's last welcome gave this store, so that
// a restart while the cloud is unreachable keeps capturing from it.
const StartFile = "start.json"

// Start is the start date the agent captures from and where it comes from.
type Start struct {
	Date    string `json:"date"`    // YYYY-MM-DD in pos.timezone; "" is the whole history
	History bool   `json:"history"` // older rows are captured too, as history the cloud never books
	Source  string `json:"source"`  // "agent.toml" (pos.start_date) or "cloud" (set for the store in the cloud)
}

// Text says what the agent captures: "2026-01-01 on (...)", or "the whole history".
func (s Start) Text() string {
	where := ""
	if s.Source == "cloud" {
		where = ", set in the cloud for this store"
	}
	switch {
	case s.Date == "":
		return "the whole history" + where
	case s.History:
		return fmt.Sprintf("the whole history; from %s on it is booked, older is kept as history that is never booked%s", s.Date, where)
	default:
		return fmt.Sprintf("%s on (older receipts and day closes stay in the POS%s)", s.Date, where)
	}
}

// starts holds the agent's start date: pos.start_date, replaced by the store's start date from
// the cloud's welcome when the cloud has one.
type starts struct {
	cfg      *config.Config
	mu       sync.Mutex
	cur      Start
	at       time.Time // the first instant captured: cur's day in pos.timezone, zero for all
	welcomed bool      // a cloud welcomed this agent before (StartFile exists)
}

func newStarts(cfg *config.Config) *starts {
	s := &starts{cfg: cfg, cur: Start{Date: string(cfg.POS.StartDate), Source: "agent.toml"}}
	if b, err := os.ReadFile(filepath.Join(cfg.DataDir, StartFile)); err == nil {
		s.welcomed = true
		var kept Start
		if json.Unmarshal(b, &kept) == nil && kept.Source == "cloud" && kept.Date != "" && protocol.ValidStartDate(kept.Date) {
			s.cur = kept
		}
	}
	s.at = s.instant(s.cur)
	return s
}

// instant is where capture starts for st: its day's midnight in pos.timezone, or the zero
// time for the whole history (also when older rows are kept as history).
func (s *starts) instant(st Start) time.Time {
	if st.History {
		return time.Time{}
	}
	t, _ := s.cfg.StartOf(st.Date) // pos.timezone is checked by config.Load, the date on receipt
	return t
}

// wasWelcomed says whether a cloud has welcomed this agent, now or before it started.
func (s *starts) wasWelcomed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.welcomed
}

// get is the current start.
func (s *starts) get() Start {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

// from is the first instant capture reads (instant of the current start).
func (s *starts) from() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.at
}

// welcome applies the cloud's start date for the store: it replaces pos.start_date and is kept
// in the data dir; a cloud without one returns the agent to pos.start_date. It says whether
// the start changed.
func (s *starts) welcome(w *protocol.Welcome) (Start, bool, error) {
	next := Start{Date: string(s.cfg.POS.StartDate), Source: "agent.toml"}
	if w.StartDate != "" && protocol.ValidStartDate(w.StartDate) {
		next = Start{Date: w.StartDate, History: w.History, Source: "cloud"}
	}
	s.mu.Lock()
	changed := next != s.cur
	s.cur, s.at, s.welcomed = next, s.instant(next), true
	s.mu.Unlock()
	path := filepath.Join(s.cfg.DataDir, StartFile)
	b, _ := json.Marshal(next)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return next, changed, err
	}
	return next, changed, os.Rename(tmp, path)
}

// freshOutbox says whether the agent has captured nothing yet.
func freshOutbox(ob interface {
	Watermark(string) (time.Time, error)
}) (bool, error) {
	for _, kind := range []string{protocol.KindReceipt, protocol.KindDayClose} {
		wm, err := ob.Watermark(kind)
		if err != nil {
			return false, err
		}
		if !wm.IsZero() {
			return false, nil
		}
	}
	return true, nil
}
