package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"tiltas/cloud/secrets"
)

// Sealed is how many marketplace configs were found in plain text when the database was
// opened with Options.Secrets, and sealed then.
func (s *DB) Sealed() int { return s.sealed }

// useSecrets makes the database keep marketplace configs sealed with box. Configs stored in
// plain text before are sealed now, in one transaction. A key that opens none of the sealed
// configs is the wrong key file: that is refused, naming an account, before anything is written.
func (s *DB) useSecrets(ctx context.Context, box *secrets.Box) error {
	sealed := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		type row struct {
			id, tenant int64
			name, cfg  string
		}
		var plain []row
		opened, failed := 0, ""
		err := queryEach(ctx, tx, func(sc scanner) error {
			var r row
			if err := sc.Scan(&r.id, &r.tenant, &r.name, &r.cfg); err != nil {
				return err
			}
			switch _, err := box.Open(r.cfg, configAAD(r.tenant)); {
			case !secrets.IsSealed(r.cfg):
				plain = append(plain, r)
			case err == nil:
				opened++
			case failed == "":
				failed = fmt.Sprintf("marketplace account %q: its credentials %v", r.name, err)
			}
			return nil
		}, `SELECT id, tenant_id, name, config FROM market_accounts ORDER BY id`)
		if err != nil {
			return err
		}
		// A key that opens none of the sealed configs is the wrong key file. One bad row among
		// good ones is that account's problem alone: it shows on the account, and the rest run.
		if failed != "" && opened == 0 {
			return fmt.Errorf("%s: start with the secrets key file they were sealed with", failed)
		}
		for _, r := range plain {
			v, err := box.Seal([]byte(r.cfg), configAAD(r.tenant))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE market_accounts SET config = ? WHERE id = ?`, v, r.id); err != nil {
				return err
			}
			sealed++
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.box, s.sealed = box, sealed
	return nil
}

// configAAD binds a sealed config to its tenant: copied into another tenant's row, it no
// longer opens.
func configAAD(tenantID int64) []byte {
	return fmt.Appendf(nil, "tiltas/market_accounts/tenant/%d", tenantID)
}

func (s *DB) sealConfig(tenantID int64, cfg json.RawMessage) (string, error) {
	if s.box == nil {
		return string(cfg), nil
	}
	return s.box.Seal(cfg, configAAD(tenantID))
}

func (s *DB) openConfig(tenantID int64, name, stored string) (json.RawMessage, error) {
	if !secrets.IsSealed(stored) {
		return json.RawMessage(stored), nil
	}
	if s.box == nil {
		return nil, fmt.Errorf("marketplace account %q: its credentials are sealed and no secrets key was given (--secrets-key)", name)
	}
	b, err := s.box.Open(stored, configAAD(tenantID))
	if err != nil {
		return nil, fmt.Errorf("marketplace account %q: its credentials %v", name, err)
	}
	return b, nil
}
