package agent

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// StatusFile is where a running agent writes its state every few seconds, in the data dir.
// `tiltas-agent status` reads it: the outbox itself is locked while the agent runs.
const StatusFile = "status.json"

// Status is a running agent's state.
type Status struct {
	PID           int       `json:"pid"`
	Version       string    `json:"version"`
	Store         string    `json:"store"`
	Started       time.Time `json:"started"`
	Updated       time.Time `json:"updated"`
	Stopped       bool      `json:"stopped"` // written last on a clean stop
	Connected     bool      `json:"connected"`
	LastUpload    time.Time `json:"last_upload"`
	LastPOSRead   time.Time `json:"last_pos_read"`
	Backlog       int       `json:"backlog"`
	Quarantined   int       `json:"quarantined"`
	OutboxBytes   int64     `json:"outbox_bytes"`
	LastPOSError  string    `json:"last_pos_error,omitempty"`
	LastLinkError string    `json:"last_link_error,omitempty"`
	CardsVersion  uint64    `json:"cards_version,omitempty"`
	CardsFailed   int       `json:"cards_failed,omitempty"`
	StartDate     string    `json:"start_date,omitempty"` // the start date the agent runs with
	StartHistory  bool      `json:"start_history,omitempty"`
	StartSource   string    `json:"start_source,omitempty"` // agent.toml or cloud
}

// Start is the start the status says the agent runs with.
func (s Status) Start() Start {
	src := s.StartSource
	if src == "" {
		src = "agent.toml"
	}
	return Start{Date: s.StartDate, History: s.StartHistory, Source: src}
}

// StartDateText says what pos.start_date means: "2026-01-01 on" or "the whole history".
func StartDateText(d string) string {
	return Start{Date: d, Source: "agent.toml"}.Text()
}

// writeStatus replaces the status file atomically.
func writeStatus(dir string, s Status) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, StatusFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, StatusFile))
}

// ReadStatus reads the status a running (or stopped) agent last wrote.
func ReadStatus(dataDir string) (Status, error) {
	var s Status
	b, err := os.ReadFile(filepath.Join(dataDir, StatusFile))
	if err != nil {
		return s, fmt.Errorf("no status in %s (has the agent run yet?): %w", dataDir, err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("status file %s is damaged: %w", filepath.Join(dataDir, StatusFile), err)
	}
	return s, nil
}
