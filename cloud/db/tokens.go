package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// RevokeAgentTokens revokes every agent token of a store: a stolen or retired POS server can
// no longer connect, and a connected one is dropped at its next batch. Enrolling the store
// again gives a new token. It returns how many tokens it revoked.
func (s *DB) RevokeAgentTokens(ctx context.Context, tenantID int64, storeCode string) (int, error) {
	st, err := s.StoreByCode(ctx, tenantID, strings.TrimSpace(storeCode))
	if err != nil {
		return 0, err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE agent_tokens SET revoked_ms = ? WHERE tenant_id = ? AND store_id = ? AND revoked_ms IS NULL`, s.nowMS(), tenantID, st.ID)
	if err != nil {
		return 0, fmt.Errorf("revoke agent tokens of store %s: %w", storeCode, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// APIToken is an API token as listed: never the token itself, which only its creator saw.
type APIToken struct {
	ID      int64      `json:"id"`
	Name    string     `json:"name"`
	Created time.Time  `json:"created"`
	Revoked *time.Time `json:"revoked,omitempty"`
}

// APITokens lists a tenant's API tokens, newest first.
func (s *DB) APITokens(ctx context.Context, tenantID int64) ([]APIToken, error) {
	out, err := queryAll(ctx, s.db, func(sc scanner) (APIToken, error) {
		var t APIToken
		var created int64
		var revoked sql.NullInt64
		err := sc.Scan(&t.ID, &t.Name, &created, &revoked)
		t.Created = time.UnixMilli(created).UTC()
		if revoked.Valid {
			r := time.UnixMilli(revoked.Int64).UTC()
			t.Revoked = &r
		}
		return t, err
	}, `SELECT id, name, created_ms, revoked_ms FROM api_tokens WHERE tenant_id = ? ORDER BY id DESC`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	return out, nil
}

// RevokeAPIToken revokes one of a tenant's API tokens; it stops working at once.
func (s *DB) RevokeAPIToken(ctx context.Context, tenantID, id int64) error {
	res, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET revoked_ms = ? WHERE tenant_id = ? AND id = ? AND revoked_ms IS NULL`, s.nowMS(), tenantID, id)
	if err != nil {
		return fmt.Errorf("revoke API token %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var revoked sql.NullInt64
		err := s.db.QueryRowContext(ctx, `SELECT revoked_ms FROM api_tokens WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("API token %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		return &InvalidError{fmt.Errorf("API token %d is revoked already", id)}
	}
	return nil
}
