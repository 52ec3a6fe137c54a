// Package dbtest opens fresh cloud databases for tests: SQLite in the test's temp dir, or a new
// MariaDB database (see testdb). Both kinds run the same tests.
package dbtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"tiltas/cloud/db"
	"tiltas/internal/testdb"
)

// Kinds are the cloud databases every database test runs on.
var Kinds = []string{"sqlite", "mysql"}

// Zone is the shops' zone in the tests' data (tiltas-cloud's default --tz).
var Zone = mustZone("Europe/Vilnius")

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return z
}

// Options are the tests' database options: the shops' zone and the real clock.
func Options() db.Options { return db.Options{Zone: Zone} }

// URL is the --db URL of a fresh, empty database of kind.
func URL(t testing.TB, kind string) string {
	if kind == "sqlite" {
		return "sqlite:" + t.TempDir() + "/cloud.db"
	}
	return "mysql://" + testdb.New(t)
}

// Open opens a fresh database of kind with o; it is closed when the test ends.
func Open(t testing.TB, kind string, o db.Options) *db.DB {
	t.Helper()
	s, err := db.Open(context.Background(), URL(t, kind), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Clock is a clock a test sets, for db.Options.Clock. Until it is set, and after Reset, it is
// the real time.
type Clock struct {
	mu sync.Mutex
	at time.Time
}

// Now is the time set, or time.Now.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return time.Now()
	}
	return c.at
}

// Set stops the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.at = t
	c.mu.Unlock()
}

// Reset gives the clock back the real time.
func (c *Clock) Reset() { c.Set(time.Time{}) }

// Each runs a test against SQLite and against MariaDB, each a fresh database: both pass the
// same suite. The database's clock is ClockOf(s).
func Each(t *testing.T, fn func(t *testing.T, s *db.DB, url string)) {
	for _, kind := range Kinds {
		t.Run(kind, func(t *testing.T) {
			url := URL(t, kind)
			clock := &Clock{}
			o := Options()
			o.Clock = clock.Now
			s, err := db.Open(context.Background(), url, o)
			if err != nil {
				t.Fatal(err)
			}
			clocks.Store(s, clock)
			t.Cleanup(func() { s.Close(); clocks.Delete(s) })
			fn(t, s, url)
		})
	}
}

var clocks sync.Map // *db.DB → *Clock

// ClockOf is the clock of a database that Each opened.
func ClockOf(s *db.DB) *Clock {
	c, ok := clocks.Load(s)
	if !ok {
		panic("dbtest.ClockOf: the database was not opened by dbtest.Each")
	}
	return c.(*Clock)
}
