package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tiltas/shared/domain"
)

// customerFor finds the buyer by code or creates it; an existing customer is never modified.
func (s *DB) customerFor(ctx context.Context, tx *sql.Tx, tenantID int64, b *domain.Buyer) (int64, error) {
	if b == nil || b.Code == "" {
		return 0, nil
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM customers WHERE tenant_id = ? AND code = ?`, tenantID, b.Code).Scan(&id)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return id, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO customers (tenant_id, code, vat_code, name, address, created_ms) VALUES (?, ?, ?, ?, ?, ?)`,
		tenantID, b.Code, b.VATCode, b.Name, b.Address, s.nowMS())
	if err != nil {
		return 0, fmt.Errorf("create customer %s: %w", b.Code, err)
	}
	return res.LastInsertId()
}
