package possim

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"
)

// OpenDB connects to the POS database named in dsn (go-sql-driver form, for example
// root@tcp(127.0.0.1:3306)/pos), creating the database when it is missing.
func OpenDB(ctx context.Context, dsn string) (*sql.DB, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("POS DSN %q: %w (expected user:pass@tcp(host:3306)/dbname)", dsn, err)
	}
	if cfg.DBName == "" {
		return nil, fmt.Errorf("POS DSN %q names no database: add /dbname after the address", dsn)
	}
	cfg.ParseTime = true
	cfg.InterpolateParams = true
	cfg.Timeout = 5 * time.Second
	name := cfg.DBName
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS `"+name+"` CHARACTER SET utf8mb4"); err != nil {
		return nil, fmt.Errorf("create POS database %s at %s: %w", name, cfg.Addr, err)
	}
	cfg.DBName = name
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, err
	}
	db.SetConnMaxLifetime(3 * time.Minute)
	db.SetMaxOpenConns(32)
	return db, nil
}
