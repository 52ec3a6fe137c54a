package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tiltas/cloud/db"
	"tiltas/cloud/server"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
	"tiltas/shared/domain"
)

// seed makes a tenant whose store has sold receipts of 2.42, the i-th closed on i November
// 2026, and returns an API token of the tenant.
func seed(t *testing.T, st *db.DB, tenant, storeCode string, receipts int) string {
	var rs []domain.Receipt
	for i := 1; i <= receipts; i++ {
		r := fixture.Receipt(fmt.Sprintf("%s-%d", storeCode, i), "2.42")
		r.ClosedAt = time.Date(2026, 11, i, 10, 1, 0, 0, time.UTC)
		r.OpenedAt = r.ClosedAt.Add(-time.Minute)
		rs = append(rs, r)
	}
	who := fixture.SeedTenant(t, st, tenant, storeCode, rs...)
	return fixture.APIToken(t, st, who.TenantID)
}

func get(t *testing.T, srv *httptest.Server, token, path string) (int, map[string]any) {
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// newServer is a cloud serving every endpoint from a fresh SQLite store.
func newServer(t *testing.T) (*db.DB, *httptest.Server) {
	st, err := db.Open(context.Background(), "sqlite:"+t.TempDir()+"/c.db", dbtest.Options())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.Handler(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Options{}))
	t.Cleanup(func() { srv.Close(); st.Close() })
	return st, srv
}

// apiCase is one request with an API token, and what must come back.
type apiCase struct {
	name, token, method, path, body string
	code                            int
	check                           func(map[string]any) bool
}

// runCases sends each case in order (later ones may rely on earlier changes).
func runCases(t *testing.T, srv *httptest.Server, cases []apiCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := do(t, srv, tc.token, tc.method, tc.path, tc.body)
			if code != tc.code {
				t.Fatalf("%s %s: %d %v, want %d", tc.method, tc.path, code, body, tc.code)
			}
			if tc.check != nil && !tc.check(body) {
				t.Fatalf("%s %s: unexpected body %v", tc.method, tc.path, body)
			}
		})
	}
}

func TestReadAPI(t *testing.T) {
	st, srv := newServer(t)
	tokA := seed(t, st, "A", "A1", 3)
	tokB := seed(t, st, "B", "B1", 2)

	for _, tc := range []struct {
		name, token, path string
		code              int
		check             func(map[string]any) bool
	}{
		{"stores A", tokA, "/api/v1/stores", 200, func(m map[string]any) bool { return len(m["stores"].([]any)) == 1 }},
		{"receipts A", tokA, "/api/v1/receipts", 200, func(m map[string]any) bool { return len(m["receipts"].([]any)) == 3 }},
		{"receipts B", tokB, "/api/v1/receipts", 200, func(m map[string]any) bool { return len(m["receipts"].([]any)) == 2 }},
		{"date range", tokA, "/api/v1/receipts?from=2026-11-02&to=2026-11-02", 200, func(m map[string]any) bool { return len(m["receipts"].([]any)) == 1 }},
		{"paging", tokA, "/api/v1/receipts?limit=2", 200, func(m map[string]any) bool { return len(m["receipts"].([]any)) == 2 && m["next_after"] != nil }},
		{"amounts are strings", tokA, "/api/v1/receipts?limit=1", 200, func(m map[string]any) bool {
			r := m["receipts"].([]any)[0].(map[string]any)
			return r["total"] == "2.42" && r["lines"].([]any)[0].(map[string]any)["vat"] == "0.42"
		}},
		{"status", tokA, "/api/v1/stores/A1/status", 200, func(m map[string]any) bool { return m["receipts"].(float64) == 3 && m["start_date"] == "" }},
		{"dayclosures", tokA, "/api/v1/dayclosures?store=A1", 200, func(m map[string]any) bool { return len(m["dayclosures"].([]any)) == 0 }},
		{"rejected", tokA, "/api/v1/rejected", 200, func(m map[string]any) bool { return len(m["rejected"].([]any)) == 0 }},
		// Tenant isolation: B cannot name A's store anywhere.
		{"B status of A", tokB, "/api/v1/stores/A1/status", 404, nil},
		{"B receipts of A", tokB, "/api/v1/receipts?store=A1", 404, nil},
		{"B dayclosures of A", tokB, "/api/v1/dayclosures?store=A1", 404, nil},
		{"B rejected of A", tokB, "/api/v1/rejected?store=A1", 404, nil},
		{"no token", "", "/api/v1/receipts", 401, nil},
		{"agent token is not an API token", "tag_x", "/api/v1/receipts", 401, nil},
		{"bad date", tokA, "/api/v1/receipts?from=yesterday", 400, func(m map[string]any) bool { return strings.Contains(m["error"].(string), "2026-11-23") }},
		{"bad limit", tokA, "/api/v1/receipts?limit=0", 400, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := get(t, srv, tc.token, tc.path)
			if code != tc.code {
				t.Fatalf("GET %s: %d %v, want %d", tc.path, code, body, tc.code)
			}
			if tc.check != nil && !tc.check(body) {
				t.Fatalf("GET %s: unexpected body %v", tc.path, body)
			}
			if code >= 400 && body["error"] == nil {
				t.Fatalf("error answer without a message: %v", body)
			}
		})
	}
	if code, _ := get(t, srv, "", "/healthz"); code != 200 {
		t.Fatalf("healthz %d", code)
	}
}
