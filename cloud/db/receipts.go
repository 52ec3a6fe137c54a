package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"tiltas/shared/domain"
	"tiltas/shared/protocol"
)

// AgentSeen records an agent's hello: who it is and what it holds.
// Its start date (pos.start_date) replaces the one stored: an older agent, which sends none,
// captures the whole history.
func (s *DB) AgentSeen(ctx context.Context, storeID int64, h *protocol.Hello) error {
	if !protocol.ValidStartDate(h.StartDate) {
		return fmt.Errorf("record agent hello: start_date %q is not a day as YYYY-MM-DD: fix pos.start_date in the agent's agent.toml", h.StartDate)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO store_status (store_id, agent_id, agent_version, stream, highest_seq, last_seen_ms, last_error, start_date) VALUES (?, ?, ?, ?, ?, ?, '', ?)`+
		s.upsert("store_id", "agent_id", "agent_version", "stream", "highest_seq", "last_seen_ms", "start_date"),
		storeID, h.AgentID, h.AgentBuild, h.Stream, h.HighestSeq, s.nowMS(), h.StartDate)
	if err != nil {
		return fmt.Errorf("record agent hello: %w", err)
	}
	return nil
}

// AgentStatus records what an agent reports about itself.
func (s *DB) AgentStatus(ctx context.Context, storeID int64, st *protocol.Status) error {
	var posRead int64
	if !st.LastPOSRead.IsZero() {
		posRead = st.LastPOSRead.UnixMilli()
	}
	_, err := s.db.ExecContext(ctx, `UPDATE store_status SET last_seen_ms = ?, backlog = ?, quarantined = ?, outbox_bytes = ?, last_pos_read_ms = ?, last_error = ? WHERE store_id = ?`,
		s.nowMS(), st.Backlog, st.Quarantined, st.OutboxBytes, posRead, st.LastError, storeID)
	if err != nil {
		return fmt.Errorf("record agent status: %w", err)
	}
	return nil
}

// StoreStatus is how a store's agent is doing, as last reported.
type StoreStatus struct {
	Store        string     `json:"store"`
	AgentID      string     `json:"agent_id"`
	AgentVersion string     `json:"agent_version"`
	Stream       string     `json:"stream"`
	HighestSeq   uint64     `json:"highest_seq"`
	LastSeen     *time.Time `json:"last_seen"`
	LastBatch    *time.Time `json:"last_batch"`
	LastPOSRead  *time.Time `json:"last_pos_read"`
	Backlog      int        `json:"backlog"`
	Quarantined  int        `json:"quarantined"`
	OutboxBytes  int64      `json:"outbox_bytes"`
	LastError    string     `json:"last_error"`
	Receipts     int        `json:"receipts"`
	Rejected     int        `json:"rejected"`
	// StartDate is the store's start date: the one set in the cloud (StartSource "cloud"),
	// which the agent takes at its next connection, else the agent's pos.start_date ("agent").
	// Nothing closed before it is booked. Empty: the whole history (or no agent seen yet).
	StartDate   string `json:"start_date"`
	StartSource string `json:"start_source,omitempty"`
	// StartHistory: the agent ships what closed before StartDate too, held as history.
	StartHistory bool `json:"start_history"`
	// AgentStartDate is the agent's own pos.start_date, as its last hello said.
	AgentStartDate string `json:"agent_start_date"`
}

// StoreStatus reads one store's status.
func (s *DB) StoreStatus(ctx context.Context, st StoreRef) (StoreStatus, error) {
	out := StoreStatus{Store: st.Code}
	var seen, batch, pos int64
	err := s.db.QueryRowContext(ctx, `SELECT agent_id, agent_version, stream, highest_seq, last_seen_ms, last_batch_ms, last_pos_read_ms, backlog, quarantined, outbox_bytes, last_error, start_date
		FROM store_status WHERE store_id = ?`, st.ID).Scan(&out.AgentID, &out.AgentVersion, &out.Stream, &out.HighestSeq, &seen, &batch, &pos, &out.Backlog, &out.Quarantined, &out.OutboxBytes, &out.LastError, &out.StartDate)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("read status of store %s: %w", st.Code, err)
	}
	out.LastSeen, out.LastBatch, out.LastPOSRead = msTime(seen), msTime(batch), msTime(pos)
	out.AgentStartDate = out.StartDate
	if out.StartDate != "" {
		out.StartSource = "agent"
	}
	if st.StartDate != "" {
		out.StartDate, out.StartSource, out.StartHistory = st.StartDate, "cloud", st.History
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM receipts WHERE store_id = ?`, st.ID).Scan(&out.Receipts); err != nil {
		return out, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM rejected_items WHERE store_id = ?`, st.ID).Scan(&out.Rejected); err != nil {
		return out, err
	}
	return out, nil
}

func msTime(ms int64) *time.Time {
	if ms == 0 {
		return nil
	}
	t := time.UnixMilli(ms).UTC()
	return &t
}

// Query selects a tenant's records: a store (empty for all), a closing-time range [From, To)
// (zero for open-ended), and a page by id: Limit records after AfterID (see PageLimit).
type Query struct {
	TenantID int64
	StoreID  int64 // 0: every store of the tenant
	From, To time.Time
	AfterID  int64
	Limit    int
}

func (q Query) where() (string, []any) {
	w, args := ` WHERE tenant_id = ? AND id > ?`, []any{q.TenantID, q.AfterID}
	if q.StoreID != 0 {
		w += ` AND store_id = ?`
		args = append(args, q.StoreID)
	}
	if !q.From.IsZero() {
		w += ` AND closed_ms >= ?`
		args = append(args, q.From.UnixMilli())
	}
	if !q.To.IsZero() {
		w += ` AND closed_ms < ?`
		args = append(args, q.To.UnixMilli())
	}
	return w + fmt.Sprintf(` ORDER BY id LIMIT %d`, PageLimit(q.Limit)), args
}

// ReceiptRecord is a held receipt.
type ReceiptRecord struct {
	ID       int64     `json:"id"`
	Store    string    `json:"store"`
	Received time.Time `json:"received_at"`
	// Posting is where it stands in the books: pending, booked, refused, in_day_sheet (booked
	// by its Z report's day sheet, or a Z in receipt mode), or history (closed before its
	// store's start date: held, never booked).
	Posting string `json:"posting"`
	domain.Receipt
}

// postingNames are the posting states as the API and UI name them.
var postingNames = map[int]string{StatePending: "pending", StatePosted: "booked", StateFailed: "refused", StateNoDoc: "in_day_sheet", StateHistory: "history"}

// Receipts lists held receipts with their lines and payments.
func (s *DB) Receipts(ctx context.Context, q Query) ([]ReceiptRecord, error) {
	return listPayloads(ctx, s, "receipts", q, func(id int64, store string, received time.Time, state int, payload []byte) (ReceiptRecord, error) {
		rec := ReceiptRecord{ID: id, Store: store, Received: received, Posting: postingNames[state]}
		return rec, json.Unmarshal(payload, &rec.Receipt)
	})
}

// listPayloads reads records of a table that keeps each item as its JSON payload (receipts,
// day_closes) and decodes them with decode.
func listPayloads[T any](ctx context.Context, s *DB, table string, q Query, decode func(id int64, store string, received time.Time, state int, payload []byte) (T, error)) ([]T, error) {
	w, args := q.where()
	out, err := queryAll(ctx, s.db, func(sc scanner) (T, error) {
		var id, ms int64
		var state int
		var store, payload string
		if err := sc.Scan(&id, &store, &ms, &state, &payload); err != nil {
			var zero T
			return zero, err
		}
		rec, err := decode(id, store, time.UnixMilli(ms).UTC(), state, []byte(payload))
		if err != nil {
			return rec, fmt.Errorf("%s %d: stored payload unreadable: %w", table, id, err)
		}
		return rec, nil
	}, `SELECT r.id, s.code, r.received_ms, r.post_state, r.payload FROM (SELECT id, store_id, received_ms, post_state, payload FROM `+table+w+`) r JOIN stores s ON s.id = r.store_id ORDER BY r.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", table, err)
	}
	return out, nil
}

// DayCloseRecord is a held day close (Z report).
type DayCloseRecord struct {
	ID       int64     `json:"id"`
	Store    string    `json:"store"`
	Received time.Time `json:"received_at"`
	Posting  string    `json:"posting"` // as ReceiptRecord.Posting
	domain.DayClose
}

// DayCloses lists held day closes.
func (s *DB) DayCloses(ctx context.Context, q Query) ([]DayCloseRecord, error) {
	return listPayloads(ctx, s, "day_closes", q, func(id int64, store string, received time.Time, state int, payload []byte) (DayCloseRecord, error) {
		rec := DayCloseRecord{ID: id, Store: store, Received: received, Posting: postingNames[state]}
		return rec, json.Unmarshal(payload, &rec.DayClose)
	})
}

// RejectedItem is something an agent sent that the cloud refused, kept for a person to see.
type RejectedItem struct {
	ID       int64     `json:"id"`
	Store    string    `json:"store"`
	Stream   string    `json:"stream"`
	Seq      uint64    `json:"seq"`
	Kind     string    `json:"kind"`
	SourceID string    `json:"source_id"`
	Code     string    `json:"code"`
	Message  string    `json:"message"`
	Payload  string    `json:"payload"`
	At       time.Time `json:"at"`
}

// Rejected lists a tenant's rejected items, newest first: the latest limit of them (see PageLimit).
func (s *DB) Rejected(ctx context.Context, tenantID, storeID int64, limit int) ([]RejectedItem, error) {
	limit = PageLimit(limit)
	q := `SELECT r.id, s.code, r.stream, r.seq, r.kind, r.source_id, r.code, r.message, r.payload, r.created_ms FROM rejected_items r JOIN stores s ON s.id = r.store_id WHERE r.tenant_id = ?`
	args := []any{tenantID}
	if storeID != 0 {
		q += ` AND r.store_id = ?`
		args = append(args, storeID)
	}
	out, err := queryAll(ctx, s.db, func(sc scanner) (RejectedItem, error) {
		var r RejectedItem
		var ms int64
		err := sc.Scan(&r.ID, &r.Store, &r.Stream, &r.Seq, &r.Kind, &r.SourceID, &r.Code, &r.Message, &r.Payload, &ms)
		r.At = time.UnixMilli(ms).UTC()
		return r, err
	}, q+fmt.Sprintf(` ORDER BY r.id DESC LIMIT %d`, limit), args...)
	if err != nil {
		return nil, fmt.Errorf("list rejected items: %w", err)
	}
	return out, nil
}

// ReceiptTotals counts and sums a store's receipts exactly.
func (s *DB) ReceiptTotals(ctx context.Context, tenantID, storeID int64) (n int, cents int64, err error) {
	var sum sql.NullInt64
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*), SUM(total_cents) FROM receipts WHERE tenant_id = ? AND store_id = ?`, tenantID, storeID).Scan(&n, &sum)
	return n, sum.Int64, err
}
