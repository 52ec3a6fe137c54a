// Package storetest opens fresh cloud stores for tests: SQLite in the test's temp dir, or a new
// MariaDB database (see testdb). Both kinds run the same tests.
package storetest

import (
	"context"
	"testing"

	"tiltas/cloud/store"
	"tiltas/internal/testdb"
)

// Kinds are the cloud stores every store test runs on.
var Kinds = []string{"sqlite", "mysql"}

// URL is the --db URL of a fresh, empty database of kind.
func URL(t testing.TB, kind string) string {
	if kind == "sqlite" {
		return "sqlite:" + t.TempDir() + "/cloud.db"
	}
	return "mysql://" + testdb.New(t)
}

// Open opens a fresh store of kind; it is closed when the test ends.
func Open(t testing.TB, kind string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), URL(t, kind))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
