package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"tiltas/cloud/db"
	"tiltas/cloud/ui"
)

// TestSessionAuth: a signed-in browser may call the API with its session cookie. It reads its
// own tenant only; a change needs the session's CSRF token and the accountant role.
func TestSessionAuth(t *testing.T) {
	ctx := context.Background()
	st, srv := newServer(t)
	tokA := seed(t, st, "A", "A1", 1)
	seed(t, st, "B", "B1", 1)
	a, _ := st.TenantByName(ctx, "A")
	b, _ := st.TenantByName(ctx, "B")
	for _, u := range []struct {
		tenant      int64
		email, role string
	}{{a.ID, "acc@a.lt", db.RoleAccountant}, {a.ID, "view@a.lt", db.RoleViewer}, {b.ID, "acc@b.lt", db.RoleAccountant}} {
		if err := st.CreateUser(ctx, u.tenant, u.email, u.email, "a long enough password", u.role); err != nil {
			t.Fatal(err)
		}
	}
	type sess struct{ token, csrf string }
	login := func(email string) sess {
		tok, csrf, err := st.Login(ctx, email, "a long enough password")
		if err != nil {
			t.Fatal(err)
		}
		return sess{tok, csrf}
	}
	accA, viewA, accB, ended := login("acc@a.lt"), login("view@a.lt"), login("acc@b.lt"), login("acc@a.lt")
	if err := st.Logout(ctx, ended.token); err != nil {
		t.Fatal(err)
	}
	call := func(s *sess, bearer, csrf, method, path, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if s != nil {
			req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: s.token})
		}
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		raw, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(raw, &out)
		return resp.StatusCode, out
	}
	storesOf := func(m map[string]any) string {
		var codes []string
		for _, s := range m["stores"].([]any) {
			codes = append(codes, s.(map[string]any)["code"].(string))
		}
		return strings.Join(codes, ",")
	}
	const mode = `{"pos_mode":"dayclose"}`
	for _, tc := range []struct {
		name         string
		s            *sess
		bearer, csrf string
		method, path string
		body         string
		code         int
		check        func(map[string]any) bool
	}{
		{"A's session reads A", &accA, "", "", "GET", "/api/v1/stores", "", 200, func(m map[string]any) bool { return storesOf(m) == "A1" }},
		{"B's session reads B", &accB, "", "", "GET", "/api/v1/stores", "", 200, func(m map[string]any) bool { return storesOf(m) == "B1" }},
		{"a viewer reads", &viewA, "", "", "GET", "/api/v1/receipts", "", 200, nil},
		{"a change without CSRF", &accA, "", "", "PUT", "/api/v1/stores/A1/pos-mode", mode, 403, func(m map[string]any) bool { return strings.Contains(m["error"].(string), "X-CSRF-Token") }},
		{"a change with another session's CSRF", &accA, "", accB.csrf, "PUT", "/api/v1/stores/A1/pos-mode", mode, 403, nil},
		{"a viewer's change", &viewA, "", viewA.csrf, "PUT", "/api/v1/stores/A1/pos-mode", mode, 403, func(m map[string]any) bool { return strings.Contains(m["error"].(string), "viewer") }},
		{"B changes A's store", &accB, "", accB.csrf, "PUT", "/api/v1/stores/A1/pos-mode", mode, 404, nil},
		{"an ended session", &ended, "", ended.csrf, "GET", "/api/v1/stores", "", 401, func(m map[string]any) bool { return strings.Contains(m["error"].(string), "sign in again") }},
		{"no credentials", nil, "", "", "GET", "/api/v1/stores", "", 401, func(m map[string]any) bool { return strings.Contains(m["error"].(string), "Bearer") }},
		{"a bad token is not rescued by a session", &accA, "tap_wrong", "", "GET", "/api/v1/stores", "", 401, nil},
		{"an API token needs no CSRF", nil, tokA, "", "PUT", "/api/v1/stores/A1/pos-mode", `{"pos_mode":"receipt"}`, 200, nil},
		{"A's accountant changes with CSRF", &accA, "", accA.csrf, "PUT", "/api/v1/stores/A1/pos-mode", mode, 200, func(m map[string]any) bool { return m["pos_mode"] == "dayclose" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := call(tc.s, tc.bearer, tc.csrf, tc.method, tc.path, tc.body)
			if code != tc.code {
				t.Fatalf("%d %v, want %d", code, body, tc.code)
			}
			if tc.check != nil && !tc.check(body) {
				t.Fatalf("unexpected body %v", body)
			}
		})
	}
}
