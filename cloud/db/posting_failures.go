package db

import (
	"context"
)

// PostingFailure is a receipt or Z the books refused, with the reason.
type PostingFailure struct {
	Kind    string `json:"kind"`
	Row     int64  `json:"row"`
	Message string `json:"message"`
}

// PostingFailures lists a tenant's refused postings.
func (s *DB) PostingFailures(ctx context.Context, tenantID int64) ([]PostingFailure, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT source_kind, source_row, message FROM posting_failures WHERE tenant_id = ? ORDER BY at_ms`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []PostingFailure{}
	for rows.Next() {
		var f PostingFailure
		if err := rows.Scan(&f.Kind, &f.Row, &f.Message); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
