package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tiltas/cloud/db"
	"tiltas/cloud/server"
	"tiltas/cloud/version"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
)

// A browser that signed in to the UI calls the JSON API with the same session: the session
// cookie is for the whole site. Over TLS, every answer carries Strict-Transport-Security.
func TestSessionReachesTheAPIAndHSTS(t *testing.T) {
	ctx := context.Background()
	st, err := db.Open(ctx, "sqlite:"+t.TempDir()+"/c.db", dbtest.Options())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := fixture.Tenant(t, st, "A", "A1")
	if err := st.CreateUser(ctx, a.TenantID, "acc@a.lt", "", "a long enough password", db.RoleAccountant); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, secure := range []bool{false, true} {
		srv := httptest.NewServer(server.Handler(st, quiet, server.Options{SecureCookies: secure}))
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		if !secure { // a jar keeps Secure cookies for https only, and this server is plain HTTP
			c.Jar, _ = cookiejar.New(nil)
		}
		resp, err := c.Get(srv.URL + "/ui/login")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := resp.Header.Get("Strict-Transport-Security"); (got != "") != secure {
			t.Errorf("secure=%v: Strict-Transport-Security %q", secure, got)
		}
		if secure {
			srv.Close()
			continue
		}
		csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
		if csrf == nil {
			t.Fatalf("no CSRF token on the sign-in page")
		}
		resp, err = c.PostForm(srv.URL+"/ui/login", url.Values{"csrf": {string(csrf[1])}, "email": {"acc@a.lt"}, "password": {"a long enough password"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in: %d", resp.StatusCode)
		}
		resp, err = c.Get(srv.URL + "/api/v1/stores")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"code": "A1"`) {
			t.Fatalf("the API with the browser's session: %d %s", resp.StatusCode, body)
		}
		srv.Close()
	}
}

// The i.SAF file names this build: version.Version, which the build sets with -ldflags.
func TestISAFNamesTheBuild(t *testing.T) {
	defer func(v string) { version.Version = v }(version.Version)
	version.Version = "v9.8.7-test"
	ctx := context.Background()
	st := dbtest.Open(t, "sqlite", dbtest.Options())
	tn, _ := st.CreateTenant(ctx, "A")
	if err := st.SetCompany(ctx, tn.ID, db.Company{Name: "A UAB", Code: "123456789", VATCode: "LT123456789", Address: "Vilnius"}); err != nil {
		t.Fatal(err)
	}
	tok := fixture.APIToken(t, st, tn.ID)
	srv := httptest.NewServer(server.Handler(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Options{}))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/reports/isaf?month=2026-11", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<SoftwareVersion>v9.8.7-test</SoftwareVersion>") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}
