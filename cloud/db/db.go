// Package db is the cloud's database: SQLite (modernc.org/sqlite, the embedded default) or
// MySQL/MariaDB (production). Both run the same queries: money is integer cents and times are
// unix milliseconds, so sums are exact on either. Migrations are embedded per dialect.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "time/tzdata" // document dates in the shops' zone on any machine

	"github.com/go-sql-driver/mysql"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite"

	"tiltas/cloud/secrets"
	"tiltas/internal/dbtx"
)

//go:embed migrations
var migrations embed.FS

// Dialect names the database kind.
type Dialect string

const (
	SQLite Dialect = "sqlite"
	MySQL  Dialect = "mysql"
)

// DB is the cloud's database handle.
type DB struct {
	db      *sql.DB
	dialect Dialect
	now     func() time.Time
	zone    *time.Location // the shops' zone: document dates are days there
	box     *secrets.Box   // seals marketplace credentials; nil: plain text (see Options.Secrets)
	sealed  int            // configs found in plain text and sealed when opened
}

// Options are how a database is opened. The zero value is valid: UTC, the real clock, and
// marketplace configs kept in plain text.
type Options struct {
	// Zone is the shops' time zone: document dates are days there. Nil: UTC.
	Zone *time.Location
	// Clock replaces time.Now: for tests and replays that book on given days.
	Clock func() time.Time
	// Secrets seals marketplace configs (client secrets, refresh tokens) with a key kept outside
	// the database. Configs stored in plain text before are sealed on open, and a key that opens
	// none of the sealed ones is refused as the wrong key file (see Sealed). tiltas-cloud always
	// gives one.
	Secrets *secrets.Box
}

// Open connects to url and migrates it to this binary's schema. url is
// "sqlite:PATH" or "mysql://user:pass@tcp(host:port)/db". A database whose schema is newer than
// this binary knows is refused, never touched.
func Open(ctx context.Context, url string, o Options) (*DB, error) {
	s := &DB{now: o.Clock, zone: o.Zone}
	if s.now == nil {
		s.now = time.Now
	}
	if s.zone == nil {
		s.zone = time.UTC
	}
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		s.dialect = SQLite
		path := strings.TrimPrefix(url, "sqlite:")
		if path == "" {
			return nil, errors.New("--db sqlite: needs a file path, for example sqlite:/var/lib/tiltas/cloud.db")
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create directory for %s: %w", path, err)
		}
		// Create the file owner-only before SQLite does; its -wal and -shm files copy the mode.
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		f.Close()
		// WAL with synchronous=FULL: a committed batch survives kill -9 and power loss.
		// The path goes into a URI: escape what would end it early ("#", "?") or be decoded ("%").
		escaped := strings.NewReplacer("%", "%25", "#", "%23", "?", "%3F").Replace(path)
		dsn := "file:" + escaped + "?_txlock=immediate&_pragma=busy_timeout(20000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"
		if s.db, err = sql.Open("sqlite", dsn); err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		s.db.SetMaxOpenConns(4)
	case strings.HasPrefix(url, "mysql://"):
		s.dialect = MySQL
		cfg, err := mysql.ParseDSN(strings.TrimPrefix(url, "mysql://"))
		if err != nil {
			return nil, fmt.Errorf("--db %s: %w (expected mysql://user:pass@tcp(host:3306)/dbname)", redact(url), err)
		}
		cfg.Timeout = 5 * time.Second
		// One round trip per statement instead of prepare, execute and close: the driver quotes
		// the arguments itself (safe: the connection is utf8mb4).
		cfg.InterpolateParams = true
		// An UPDATE reports the rows it matched, as SQLite does, not only those it changed: so
		// "0 rows" means "no such row" on both stores, even when the values were already so.
		cfg.ClientFoundRows = true
		cfg.ReadTimeout = 60 * time.Second
		cfg.WriteTimeout = 60 * time.Second
		if s.db, err = sql.Open("mysql", cfg.FormatDSN()); err != nil {
			return nil, fmt.Errorf("open %s: %w", redact(url), err)
		}
		s.db.SetConnMaxLifetime(3 * time.Minute)
		s.db.SetMaxOpenConns(16)
	default:
		return nil, fmt.Errorf("--db %q: use sqlite:PATH or mysql://user:pass@tcp(host:3306)/dbname", redact(url))
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("connect to %s: %w", redact(url), err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	if o.Secrets != nil {
		if err := s.useSecrets(ctx, o.Secrets); err != nil {
			s.db.Close()
			return nil, err
		}
	}
	return s, nil
}

// redact hides a password in a database URL.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 {
		return url
	}
	userinfo := url[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		return url[:scheme+3] + userinfo[:i] + ":***" + url[at:]
	}
	return url
}

func (s *DB) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/"+string(s.dialect))
	if err != nil {
		return err
	}
	gd := goose.DialectSQLite3
	if s.dialect == MySQL {
		gd = goose.DialectMySQL
	}
	p, err := goose.NewProvider(gd, s.db, sub)
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	var newest int64
	for _, src := range p.ListSources() {
		newest = max(newest, src.Version)
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > newest {
		return fmt.Errorf("database schema is version %d but this tiltas-cloud knows only up to %d: run a newer tiltas-cloud, or restore a backup taken before the upgrade", current, newest)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate database schema: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *DB) Close() error { return s.db.Close() }

// Dialect says which database this is.
func (s *DB) Dialect() Dialect { return s.dialect }

// DB is the handle, for tests that check what is stored.
func (s *DB) DB() *sql.DB { return s.db }

func (s *DB) nowMS() int64 { return s.now().UnixMilli() }

// inTx runs fn in one transaction, retrying MySQL deadlocks.
func (s *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	return dbtx.Run(ctx, s.db, 6, fn)
}

// upsert returns the dialect's "insert or update on key" tail for the given columns.
func (s *DB) upsert(key string, cols ...string) string {
	var sets []string
	for _, c := range cols {
		if s.dialect == MySQL {
			sets = append(sets, c+" = VALUES("+c+")")
		} else {
			sets = append(sets, c+" = excluded."+c)
		}
	}
	if s.dialect == MySQL {
		return " ON DUPLICATE KEY UPDATE " + strings.Join(sets, ", ")
	}
	return " ON CONFLICT (" + key + ") DO UPDATE SET " + strings.Join(sets, ", ")
}

// A list reads a page at a time: PageDefault rows when the caller names no limit, and never more
// than PageMax. A caller that needs every row pages on (after the last id it read).
const (
	PageDefault = 500
	PageMax     = 5000
)

// PageLimit is the rows a list of limit returns: PageDefault for 0 or less, at most PageMax.
func PageLimit(limit int) int {
	switch {
	case limit <= 0:
		return PageDefault
	case limit > PageMax:
		return PageMax
	}
	return limit
}
