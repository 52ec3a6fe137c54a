package db

import (
	"context"
	"database/sql"
	"fmt"
)

// PostingFailure is a receipt or Z the books refused, with the reason.
type PostingFailure struct {
	Kind    string `json:"kind"`
	Row     int64  `json:"row"`
	Message string `json:"message"`
}

// PostingFailures lists a tenant's refused postings.
func (s *DB) PostingFailures(ctx context.Context, tenantID int64) ([]PostingFailure, error) {
	out, err := queryAll(ctx, s.db, func(sc scanner) (PostingFailure, error) {
		var f PostingFailure
		err := sc.Scan(&f.Kind, &f.Row, &f.Message)
		return f, err
	}, `SELECT source_kind, source_row, message FROM posting_failures WHERE tenant_id = ? ORDER BY at_ms`, tenantID)
	if err != nil {
		return nil, err
	}
	return orEmpty(out), nil
}

// Pending is a held receipt or day close waiting to be booked.
type Pending struct {
	ID, TenantID int64
}

// Pending lists held rows of kind (HeldReceipts, HeldDayCloses) not booked yet, oldest first.
func (s *DB) Pending(ctx context.Context, kind string, limit int) ([]Pending, error) {
	table, err := heldTable(kind)
	if err != nil {
		return nil, err
	}
	return queryAll(ctx, s.db, func(sc scanner) (Pending, error) {
		var p Pending
		err := sc.Scan(&p.ID, &p.TenantID)
		return p, err
	}, `SELECT id, tenant_id FROM `+table+` WHERE post_state = ? ORDER BY id LIMIT ?`, StatePending, limit)
}

// RecordFailure marks a held row refused, with the reason a person must act on.
func (s *DB) RecordFailure(ctx context.Context, tenantID int64, kind string, row int64, msg string) error {
	table, err := heldTable(kind)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET post_state = ? WHERE id = ? AND post_state = ?`, StateFailed, row, StatePending); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO posting_failures (tenant_id, source_kind, source_row, message, at_ms) VALUES (?, ?, ?, ?, ?)`+
			s.upsert("tenant_id, source_kind, source_row", "message", "at_ms"), tenantID, table, row, msg, s.nowMS())
		return err
	})
}

// RetryFailed puts a refused receipt or day close back in the posting queue.
func (s *DB) RetryFailed(ctx context.Context, tenantID int64, kind string, row int64) error {
	table, err := heldTable(kind)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE `+table+` SET post_state = ? WHERE tenant_id = ? AND id = ? AND post_state = ?`, StatePending, tenantID, row, StateFailed)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("no failed posting of %s %d: %w", table, row, ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM posting_failures WHERE tenant_id = ? AND source_kind = ? AND source_row = ?`, tenantID, table, row)
		return err
	})
}
