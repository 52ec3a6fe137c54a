// Package dbtx runs a function in a database transaction, retrying MySQL/MariaDB deadlocks and
// lock wait timeouts, which InnoDB expects the client to retry.
package dbtx

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Retryable says whether err is a deadlock (1213) or lock wait timeout (1205).
func Retryable(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

// Run runs fn in a transaction and commits it, trying up to attempts times while the failure
// is retryable; the wait between tries grows by 20 ms.
func Run(ctx context.Context, db *sql.DB, attempts int, fn func(*sql.Tx) error) error {
	for attempt := 1; ; attempt++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err = fn(tx); err == nil {
			err = tx.Commit()
		} else {
			_ = tx.Rollback()
		}
		if err == nil || !Retryable(err) || attempt >= attempts {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(20*attempt) * time.Millisecond):
		}
	}
}
