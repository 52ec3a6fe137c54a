package ui

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tiltas/cloud/db"
	"tiltas/cloud/posting"
)

// Every class of error is answered as the API answers it; the person reads the message of
// what they can act on, never the details of the cloud's own failure.
func TestClassify(t *testing.T) {
	for _, c := range []struct {
		name   string
		err    error
		status int
		yours  bool
		msg    string
	}{
		{"not found", fmt.Errorf("document 7: %w", db.ErrNotFound), 404, false, "document 7: not found"},
		{"exists", fmt.Errorf("barcode 1 is already on card %q: %w", "Duona", db.ErrExists), 409, true, "already exists"},
		{"paused", &db.InvalidError{Err: db.ErrPaused}, 409, true, "resume it first"},
		{"too soon", &db.TooSoonError{Wait: 90 * time.Second, Err: errors.New("try again in 1m30s")}, 429, true, "try again in 1m30s"},
		{"refused by the books", fmt.Errorf("posting: %w", posting.Refuse(posting.CodeNoSeries, "operation type sale has no series")), 422, true, "has no series"},
		{"refused by the database", &db.InvalidError{Err: errors.New("a password needs at least 10 characters")}, 422, true, "at least 10 characters"},
		{"the cloud's own", errors.New("dial tcp 127.0.0.1:3306: connection refused"), 500, false, internalError},
	} {
		a := classify(c.err)
		if a.status != c.status || a.yours() != c.yours || !strings.Contains(a.msg, c.msg) {
			t.Errorf("%s: %d %v %q, want %d %v %q", c.name, a.status, a.yours(), a.msg, c.status, c.yours, c.msg)
		}
	}
}

// fail says when to try again, and keeps a failure's details for the log.
func TestFail(t *testing.T) {
	var log strings.Builder
	u := &UI{Log: slog.New(slog.NewTextHandler(&log, nil))}
	r := httptest.NewRequest("POST", "/ui/settings/fetch", nil)
	w := httptest.NewRecorder()
	u.fail(w, r, &db.TooSoonError{Wait: 1500 * time.Millisecond, Err: errors.New("try again in 2s")})
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "2" {
		t.Errorf("too soon: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	w = httptest.NewRecorder()
	u.fail(w, r, errors.New("disk I/O error"))
	if body, _ := io.ReadAll(w.Body); w.Code != 500 || strings.Contains(string(body), "disk") || !strings.Contains(log.String(), "disk I/O error") {
		t.Errorf("a failure of the cloud: %d %q, log %q", w.Code, body, log.String())
	}
	again := ""
	u.refused(httptest.NewRecorder(), r, &db.InvalidError{Err: errors.New("name is required")}, func(msg string) { again = msg })
	if again != "name is required" {
		t.Errorf("a refusal did not come back on its form: %q", again)
	}
}
