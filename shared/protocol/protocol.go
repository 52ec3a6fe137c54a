// Package protocol is the wire protocol between agent and cloud: JSON text frames over one
// websocket at /v1/agent.
//
//	agent → hello{magic, version, agent, store, stream, highest_seq}
//	cloud → welcome{stream, acked_seq}            (or error{code, message} and close)
//	agent → batch{first_seq, last_seq, items}     (contiguous, a bounded window in flight)
//	cloud → ack{first_seq, last_seq, rejected}    (only after the database commit)
//	agent → status{backlog, quarantined, ...}     (now and then)
//	cloud → cards{upto, cards}                    (product card changes, one batch in flight)
//	agent → cards_ack{upto, failed}               (after the POS commit)
//
// A stream is one agent outbox file: a random id and rising sequence numbers. On reconnect
// the cloud says how far it holds the stream and the agent resends from there; the cloud
// skips what it already holds, so a resend is harmless.
package protocol

import (
	"encoding/json"
	"time"

	"tiltas/shared/domain"
)

const (
	Magic   = "TILTAS-SYNC"
	Version = 1
	Path    = "/v1/agent"

	// MaxFrameBytes bounds one frame; the cloud refuses larger ones.
	MaxFrameBytes = 16 << 20
	// MaxBatchItems bounds the items in one batch.
	MaxBatchItems = 2000
)

// Item kinds.
const (
	KindReceipt  = "receipt"
	KindDayClose = "dayclose"
)

// Frame types.
const (
	TypeHello    = "hello"
	TypeWelcome  = "welcome"
	TypeBatch    = "batch"
	TypeAck      = "ack"
	TypeStatus   = "status"
	TypeError    = "error"
	TypeCards    = "cards"
	TypeCardsAck = "cards_ack"
)

// Frame is every message on the wire; Type says which field is set.
type Frame struct {
	Type     string    `json:"type"`
	Hello    *Hello    `json:"hello,omitempty"`
	Welcome  *Welcome  `json:"welcome,omitempty"`
	Batch    *Batch    `json:"batch,omitempty"`
	Ack      *Ack      `json:"ack,omitempty"`
	Status   *Status   `json:"status,omitempty"`
	Error    *Error    `json:"error,omitempty"`
	Cards    *Cards    `json:"cards,omitempty"`
	CardsAck *CardsAck `json:"cards_ack,omitempty"`
}

// Cards carries product card changes, in version order: the latest state of each card changed
// since the store's acked version. Upto is the highest version included.
type Cards struct {
	Upto  uint64        `json:"upto"`
	Cards []domain.Card `json:"cards"`
}

// CardsAck says the POS committed a Cards batch; Failed lists the cards the POS refused.
type CardsAck struct {
	Upto   uint64        `json:"upto"`
	Failed []CardFailure `json:"failed,omitempty"`
}

// CardFailure is one card the POS would not take, and why.
type CardFailure struct {
	Barcode string `json:"barcode"`
	Version uint64 `json:"version"`
	Message string `json:"message"`
}

type Hello struct {
	Magic      string `json:"magic"`
	Version    int    `json:"version"`
	AgentID    string `json:"agent_id"`
	AgentBuild string `json:"agent_build,omitempty"`
	Store      string `json:"store"`
	Stream     string `json:"stream"`
	HighestSeq uint64 `json:"highest_seq"`
	// Probe asks only whether the token and store are accepted (tiltas-agent doctor): the
	// cloud answers welcome, records nothing and closes.
	Probe bool `json:"probe,omitempty"`
	// StartDate is the agent's pos.start_date (YYYY-MM-DD, a day in the shop's zone): it
	// captures nothing closed before it. Empty, or absent from an older agent: the whole
	// history. Optional, so the protocol version is unchanged.
	StartDate string `json:"start_date,omitempty"`
}

// ValidStartDate tells whether d is a Hello's start date: empty, or a day as YYYY-MM-DD.
func ValidStartDate(d string) bool {
	if d == "" {
		return true
	}
	t, err := time.Parse(time.DateOnly, d)
	return err == nil && t.Format(time.DateOnly) == d
}

// Welcome answers a hello. The cloud may send another welcome later on the same connection when
// the store's start date changes; only its StartDate and History count then.
type Welcome struct {
	Stream   string `json:"stream"`
	AckedSeq uint64 `json:"acked_seq"` // the highest sequence the cloud holds for this stream
	// StartDate is the store's start date as set in the cloud (YYYY-MM-DD, a day in the agent's
	// pos.timezone): it replaces the agent's pos.start_date. Empty: pos.start_date applies.
	StartDate string `json:"start_date,omitempty"`
	// History: capture what closed before StartDate too; the cloud holds it as history and
	// never books it.
	History bool `json:"history,omitempty"`
}

// Item is one captured thing. Data is the domain object as JSON. When the agent could not
// decode the POS row, DecodeError says why and Data holds the raw columns, so the cloud can
// reject it with a clear message instead of the agent dropping it.
type Item struct {
	Seq         uint64          `json:"seq"`
	Kind        string          `json:"kind"`
	SourceID    string          `json:"source_id"`
	Data        json.RawMessage `json:"data"`
	DecodeError string          `json:"decode_error,omitempty"`
}

type Batch struct {
	FirstSeq uint64 `json:"first_seq"`
	LastSeq  uint64 `json:"last_seq"`
	Items    []Item `json:"items"`
}

// Ack answers one batch. Every item in [FirstSeq, LastSeq] not listed in Rejected is held
// by the cloud.
type Ack struct {
	FirstSeq uint64     `json:"first_seq"`
	LastSeq  uint64     `json:"last_seq"`
	Rejected []Rejected `json:"rejected,omitempty"`
}

type Rejected struct {
	Seq      uint64 `json:"seq"`
	SourceID string `json:"source_id"`
	Code     string `json:"code"`
	Message  string `json:"message"`
}

// Rejection codes.
const (
	CodeInvalid   = "invalid"   // the data fails validation
	CodeMalformed = "malformed" // the agent could not read it from the POS
	CodeConflict  = "conflict"  // same source id already held with other content
	CodeUnknown   = "unknown_kind"
)

type Status struct {
	Backlog      int       `json:"backlog"`
	Quarantined  int       `json:"quarantined"`
	OutboxBytes  int64     `json:"outbox_bytes"`
	LastPOSRead  time.Time `json:"last_pos_read"`
	LastError    string    `json:"last_error,omitempty"`
	AgentVersion string    `json:"agent_version,omitempty"`
}

// Error is a fatal answer; the sender closes the connection after it.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error codes.
const (
	ErrBadMagic     = "bad_magic"
	ErrTooOld       = "version_too_old"
	ErrTooNew       = "version_unknown"
	ErrWrongStore   = "wrong_store"
	ErrBadFrame     = "bad_frame"
	ErrSeqGap       = "sequence_gap"
	ErrUnauthorized = "unauthorized"
	ErrInternal     = "internal"
)

func (e *Error) Error() string { return e.Code + ": " + e.Message }
