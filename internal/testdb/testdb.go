// Package testdb gives tests a fresh MariaDB/MySQL database. Tests that need one fail loudly
// when there is none; they never skip. The server is TILTAS_TEST_MYSQL (a go-sql-driver DSN
// without a database name), by default root@tcp(127.0.0.1:3306)/ — `make test` starts MariaDB.
package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

var counter atomic.Int64

// ServerDSN is the MySQL server tests use, without a database name.
func ServerDSN() string {
	if v := os.Getenv("TILTAS_TEST_MYSQL"); v != "" {
		return v
	}
	return "root@tcp(127.0.0.1:3306)/"
}

// New creates an empty database and returns its DSN (go-sql-driver form); it is dropped
// when the test ends.
func New(t testing.TB) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(ServerDSN())
	if err != nil {
		t.Fatalf("TILTAS_TEST_MYSQL=%q: %v", ServerDSN(), err)
	}
	cfg.ParseTime = true
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("this test needs MariaDB/MySQL at %s and cannot reach it: %v\n"+
			"run the tests with `make test` (it starts or installs MariaDB), or set TILTAS_TEST_MYSQL", cfg.Addr, err)
	}
	name := fmt.Sprintf("tiltas_t%d_%d_%s", os.Getpid(), counter.Add(1), sanitize(t.Name()))
	if len(name) > 60 {
		name = name[:60]
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4"); err != nil {
		t.Fatalf("create test database %s: %v", name, err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec("DROP DATABASE IF EXISTS `" + name + "`")
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(s))
}
