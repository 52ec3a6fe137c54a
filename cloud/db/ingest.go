package db

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"tiltas/shared/domain"
	"tiltas/shared/protocol"
)

// GapError says a batch starts past what the cloud holds for its stream: the agent must
// resend from Acked+1.
type GapError struct {
	Acked, First uint64
}

func (e *GapError) Error() string {
	return fmt.Sprintf("batch starts at sequence %d but the cloud holds this stream only up to %d: resend from %d", e.First, e.Acked, e.Acked+1)
}

// StreamAcked is the highest sequence the cloud holds for an agent's stream (0 for a new one).
func (s *DB) StreamAcked(ctx context.Context, storeID int64, stream string) (uint64, error) {
	var acked uint64
	err := s.db.QueryRowContext(ctx, `SELECT acked_seq FROM agent_streams WHERE store_id = ? AND stream = ?`, storeID, stream).Scan(&acked)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read stream %s: %w", stream, err)
	}
	return acked, nil
}

type prepared struct {
	item    protocol.Item
	payload string
	hash    string
	r       *domain.Receipt
	d       *domain.DayClose
}

// IngestBatch stores a batch from an agent in one transaction and says which items were
// rejected. Items the stream already holds are skipped; a receipt or day close already held
// with the same content is a no-op; the same source id with other content is a conflict,
// rejected and recorded, never overwritten. The stream's acked sequence moves in the same
// transaction, so the answer is true once this returns nil.
func (s *DB) IngestBatch(ctx context.Context, who AgentIdentity, stream string, b *protocol.Batch) (*protocol.Ack, error) {
	ack := &protocol.Ack{FirstSeq: b.FirstSeq, LastSeq: b.LastSeq}
	now := s.nowMS()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		ack.Rejected = nil
		var acked uint64
		q := `SELECT acked_seq FROM agent_streams WHERE store_id = ? AND stream = ?`
		if s.dialect == MySQL {
			q += ` FOR UPDATE`
		}
		if err := tx.QueryRowContext(ctx, q, who.StoreID, stream).Scan(&acked); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read stream: %w", err)
		}
		if b.FirstSeq > acked+1 {
			return &GapError{Acked: acked, First: b.FirstSeq}
		}
		if b.LastSeq <= acked {
			return nil // all held already: a resend after a lost ack
		}
		var receipts, closes []*prepared
		reject := func(it protocol.Item, code, msg string) {
			ack.Rejected = append(ack.Rejected, protocol.Rejected{Seq: it.Seq, SourceID: it.SourceID, Code: code, Message: msg})
		}
		for _, it := range b.Items {
			if it.Seq <= acked {
				continue
			}
			p, code, msg := prepare(it)
			switch {
			case code != "":
				reject(it, code, msg)
			case p.r != nil:
				receipts = append(receipts, p)
			default:
				closes = append(closes, p)
			}
		}
		for _, t := range []struct {
			table string
			items []*prepared
			what  string
		}{{"receipts", receipts, "receipt"}, {"day_closes", closes, "day close"}} {
			fresh, err := s.dedupe(ctx, tx, who, t.table, t.items, func(p *prepared, heldMS int64) {
				reject(p.item, protocol.CodeConflict, fmt.Sprintf("%s %s is already held with different content (received %s): the POS changed it after it was closed; check it in the POS back office, a correction must be a new receipt",
					t.what, p.item.SourceID, time.UnixMilli(heldMS).UTC().Format(time.RFC3339)))
			})
			if err != nil {
				return err
			}
			if err := s.insertItems(ctx, tx, who, t.table, fresh, now); err != nil {
				return err
			}
		}
		for _, rj := range ack.Rejected {
			var payload []byte
			for _, it := range b.Items {
				if it.Seq == rj.Seq {
					payload, _ = json.Marshal(it)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO rejected_items (tenant_id, store_id, stream, seq, kind, source_id, code, message, payload, created_ms)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, who.TenantID, who.StoreID, stream, rj.Seq, kindOf(b, rj.Seq), rj.SourceID, rj.Code, rj.Message, string(payload), now); err != nil {
				return fmt.Errorf("record rejected item %d: %w", rj.Seq, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO agent_streams (store_id, stream, acked_seq, updated_ms) VALUES (?, ?, ?, ?)`+
			s.upsert("store_id, stream", "acked_seq", "updated_ms"), who.StoreID, stream, b.LastSeq, now); err != nil {
			return fmt.Errorf("advance stream: %w", err)
		}
		_, err := tx.ExecContext(ctx, `UPDATE store_status SET last_batch_ms = ?, highest_seq = ? WHERE store_id = ?`, now, b.LastSeq, who.StoreID)
		return err
	})
	if err != nil {
		var gap *GapError
		if errors.As(err, &gap) {
			return nil, gap
		}
		return nil, fmt.Errorf("ingest batch %d-%d: %w", b.FirstSeq, b.LastSeq, err)
	}
	return ack, nil
}

func kindOf(b *protocol.Batch, seq uint64) string {
	for _, it := range b.Items {
		if it.Seq == seq {
			return it.Kind
		}
	}
	return ""
}

// prepare decodes and validates one item. A non-empty code means it is rejected.
func prepare(it protocol.Item) (*prepared, string, string) {
	p := &prepared{item: it}
	if it.DecodeError != "" {
		return nil, protocol.CodeMalformed, fmt.Sprintf("%s %s could not be read from the POS: %s", it.Kind, it.SourceID, it.DecodeError)
	}
	var v interface{ Validate() error }
	var id string
	switch it.Kind {
	case protocol.KindReceipt:
		p.r = &domain.Receipt{}
		v = p.r
	case protocol.KindDayClose:
		p.d = &domain.DayClose{}
		v = p.d
	default:
		return nil, protocol.CodeUnknown, fmt.Sprintf("item kind %q is not known to this cloud: upgrade the cloud or downgrade the agent", it.Kind)
	}
	dec := json.NewDecoder(bytes.NewReader(it.Data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, protocol.CodeInvalid, fmt.Sprintf("%s %s is not valid JSON for its kind: %v", it.Kind, it.SourceID, err)
	}
	if p.r != nil {
		id = p.r.SourceID
	} else {
		id = p.d.SourceID
	}
	if id != it.SourceID {
		return nil, protocol.CodeInvalid, fmt.Sprintf("item names source id %q but its data says %q", it.SourceID, id)
	}
	if err := v.Validate(); err != nil {
		return nil, protocol.CodeInvalid, fmt.Sprintf("%s %s: %v", it.Kind, it.SourceID, err)
	}
	canon, err := json.Marshal(v)
	if err != nil {
		return nil, protocol.CodeInvalid, err.Error()
	}
	p.payload = string(canon)
	sum := sha256.Sum256(canon)
	p.hash = hex.EncodeToString(sum[:])
	return p, "", ""
}

// dedupe drops items already held with the same content and reports conflicts; it returns
// the items to insert. Duplicates inside the batch itself count too.
func (s *DB) dedupe(ctx context.Context, tx *sql.Tx, who AgentIdentity, table string, items []*prepared, conflict func(*prepared, int64)) ([]*prepared, error) {
	if len(items) == 0 {
		return nil, nil
	}
	type held struct {
		hash string
		ms   int64
	}
	existing := map[string]held{}
	for start := 0; start < len(items); start += 500 {
		chunk := items[start:min(start+500, len(items))]
		args := []any{who.TenantID, who.StoreID}
		for _, p := range chunk {
			args = append(args, p.item.SourceID)
		}
		err := queryEach(ctx, tx, func(sc scanner) error {
			var id string
			var h held
			if err := sc.Scan(&id, &h.hash, &h.ms); err != nil {
				return err
			}
			existing[id] = h
			return nil
		}, `SELECT source_id, content_hash, received_ms FROM `+table+` WHERE tenant_id = ? AND store_id = ? AND source_id IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("look up held %s: %w", table, err)
		}
	}
	var fresh []*prepared
	for _, p := range items {
		h, ok := existing[p.item.SourceID]
		switch {
		case !ok:
			existing[p.item.SourceID] = held{p.hash, s.nowMS()}
			fresh = append(fresh, p)
		case h.hash != p.hash:
			conflict(p, h.ms)
		}
	}
	return fresh, nil
}

func (s *DB) insertItems(ctx context.Context, tx *sql.Tx, who AgentIdentity, table string, items []*prepared, now int64) error {
	for start := 0; start < len(items); start += 200 {
		chunk := items[start:min(start+200, len(items))]
		var b strings.Builder
		var args []any
		for i, p := range chunk {
			if i > 0 {
				b.WriteString(",")
			}
			if p.r != nil {
				r := p.r
				total, _ := domain.Cents(r.Total)
				vat, _ := domain.Cents(r.VAT)
				buyer := ""
				if r.Buyer != nil {
					buyer = r.Buyer.Code
				}
				b.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
				args = append(args, who.TenantID, who.StoreID, r.SourceID, r.Register, r.SessionID, r.Number, string(r.Type),
					r.ClosedAt.UnixMilli(), total, vat, buyer, p.payload, p.hash, now)
			} else {
				d := p.d
				total, _ := domain.Cents(d.Total)
				b.WriteString("(?,?,?,?,?,?,?,?,?,?,?)")
				args = append(args, who.TenantID, who.StoreID, d.SourceID, d.Register, d.ZNumber, d.ClosedAt.UnixMilli(), d.ReceiptsCount, total, p.payload, p.hash, now)
			}
		}
		var q string
		if table == "receipts" {
			q = `INSERT INTO receipts (tenant_id, store_id, source_id, register, session_id, number, type, closed_ms, total_cents, vat_cents, buyer_code, payload, content_hash, received_ms) VALUES `
		} else {
			q = `INSERT INTO day_closes (tenant_id, store_id, source_id, register, z_number, closed_ms, receipts_count, total_cents, payload, content_hash, received_ms) VALUES `
		}
		if _, err := tx.ExecContext(ctx, q+b.String(), args...); err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
	}
	return nil
}
