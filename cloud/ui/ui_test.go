package ui_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/cloud/posting"
	"tiltas/cloud/server"
	"tiltas/cloud/ui"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
	"tiltas/shared/domain"
	"tiltas/shared/protocol"
)

const password = "correct horse battery"

type browser struct {
	t    *testing.T
	srv  *httptest.Server
	http *http.Client
	csrf string
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, srv: srv, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) (int, string, http.Header) {
	b.t.Helper()
	resp, err := b.http.Get(b.srv.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRe.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, string(body), resp.Header
}

func (b *browser) post(path string, form url.Values) (int, string, string) {
	b.t.Helper()
	resp, err := b.http.PostForm(b.srv.URL+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header.Get("Location")
}

func (b *browser) login(email string) {
	b.t.Helper()
	b.get("/ui/login")
	code, body, loc := b.post("/ui/login", url.Values{"csrf": {b.csrf}, "email": {email}, "password": {password}})
	if code != http.StatusSeeOther || loc != "/ui/" {
		b.t.Fatalf("login %s: %d %s %s", email, code, loc, body)
	}
	b.get("/ui/") // picks up the session's CSRF token
}

// webUI is a cloud serving the UI from a fresh database with two tenants, Alfa (store ALFA1)
// and Beta (BETA1), each with an SF invoice booked (numbered ALFA-RECEIPT-1 and BETA-RECEIPT-1
// at the POS, 24.20 for item 1). Each subtest makes its own.
type webUI struct {
	t     *testing.T
	st    *db.DB
	srv   *httptest.Server
	a, b  db.AgentIdentity
	users map[string]bool // created
}

func newWebUI(t *testing.T) *webUI {
	t.Helper()
	st := dbtest.Open(t, "sqlite", dbtest.Options())
	e := &webUI{t: t, st: st, users: map[string]bool{}, a: seedTenant(t, st, "Alfa", "ALFA1", "ALFA-RECEIPT-1"), b: seedTenant(t, st, "Beta", "BETA1", "BETA-RECEIPT-1")}
	e.srv = httptest.NewServer(server.Handler(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Options{}))
	t.Cleanup(e.srv.Close)
	return e
}

// seedTenant is a tenant whose store sold an SF invoice to a company, booked.
func seedTenant(t *testing.T, st *db.DB, name, storeCode, number string) db.AgentIdentity {
	t.Helper()
	r := fixture.Receipt("1", "24.20")
	r.Type, r.Number, r.Buyer = domain.Invoice, number, &domain.Buyer{Code: "300000001", VATCode: "LT100000000017", Name: "UAB " + name}
	r.OpenedAt, r.ClosedAt = time.Now().Add(-time.Minute).UTC(), time.Now().UTC()
	who := fixture.SeedTenant(t, st, name, storeCode, r)
	if _, err := books.New(st).PostPending(context.Background(), 10); err != nil {
		t.Fatal(err)
	}
	return who
}

// users are the people the subtests sign in as: each is created when first signed in.
var users = map[string]struct {
	alfa bool
	role string
}{
	"acc@alfa.lt": {true, db.RoleAccountant}, "view@alfa.lt": {true, db.RoleViewer}, "acc@beta.lt": {false, db.RoleAccountant},
	"guessed@alfa.lt": {true, db.RoleViewer}, "pw@alfa.lt": {true, db.RoleViewer},
}

// user creates one of users (with the password the tests use), once.
func (e *webUI) user(email string) {
	e.t.Helper()
	u, ok := users[email]
	if !ok {
		e.t.Fatalf("no test user %s", email)
	}
	tenant := e.b.TenantID
	if u.alfa {
		tenant = e.a.TenantID
	}
	if e.users[email] {
		return
	}
	if err := e.st.CreateUser(context.Background(), tenant, email, "", password, u.role); err != nil {
		e.t.Fatal(err)
	}
	e.users[email] = true
}

// signIn is a browser signed in as one of users.
func (e *webUI) signIn(email string) *browser {
	e.t.Helper()
	e.user(email)
	b := newBrowser(e.t, e.srv)
	b.login(email)
	return b
}

// alfaSF is Alfa's receipt and the SF document booked from it (their ids, as in the URLs).
func (e *webUI) alfaSF() (receiptID, docID string) {
	e.t.Helper()
	ctx := context.Background()
	rs, err := e.st.Receipts(ctx, db.Query{TenantID: e.a.TenantID})
	if err != nil || len(rs) != 1 {
		e.t.Fatalf("Alfa's receipts: %v %v", rs, err)
	}
	docs, err := e.st.Documents(ctx, db.DocQuery{TenantID: e.a.TenantID, Series: "SF"})
	if err != nil || len(docs) != 1 {
		e.t.Fatalf("Alfa's SF documents: %v %v", docs, err)
	}
	return fmt.Sprint(rs[0].ID), fmt.Sprint(docs[0].ID)
}

// form posts fields with the browser's CSRF token.
func (b *browser) form(path string, fields url.Values) (int, string, string) {
	b.t.Helper()
	fields.Set("csrf", b.csrf)
	return b.post(path, fields)
}

// TestWebUI: each subtest runs alone (go test -run 'TestWebUI/viewer').
func TestWebUI(t *testing.T) {
	ctx := context.Background()

	t.Run("sign-in", func(t *testing.T) {
		e := newWebUI(t)
		e.user("acc@alfa.lt")
		if err := e.st.CreateUser(ctx, e.a.TenantID, "short@alfa.lt", "", "short", db.RoleViewer); err == nil {
			t.Fatal("a short password was accepted")
		}
		anon := newBrowser(t, e.srv)
		if code, _, h := anon.get("/ui/documents"); code != http.StatusSeeOther || h.Get("Location") != "/ui/login" {
			t.Fatalf("a page without a session: %d %s", code, h.Get("Location"))
		}
		anon.get("/ui/login")
		if code, _, loc := anon.post("/ui/login", url.Values{"csrf": {anon.csrf}, "email": {"acc@alfa.lt"}, "password": {"wrong password!"}}); code != http.StatusSeeOther || !strings.Contains(loc, "error=") {
			t.Fatalf("wrong password: %d %s", code, loc)
		}
		if code, _, _ := newBrowser(t, e.srv).post("/ui/login", url.Values{"csrf": {"forged"}, "email": {"acc@alfa.lt"}, "password": {password}}); code != http.StatusForbidden {
			t.Fatalf("a forged sign-in form: %d", code)
		}
		e.signIn("acc@alfa.lt")
	})

	// Password guessing: after 5 failures for an account even the right password is refused,
	// with when to try again; other accounts sign in as usual.
	t.Run("password-guessing", func(t *testing.T) {
		e := newWebUI(t)
		e.user("guessed@alfa.lt")
		guess := newBrowser(t, e.srv)
		guess.get("/ui/login")
		for range 5 {
			guess.post("/ui/login", url.Values{"csrf": {guess.csrf}, "email": {"guessed@alfa.lt"}, "password": {"a wrong guess!"}})
		}
		if _, _, loc := guess.post("/ui/login", url.Values{"csrf": {guess.csrf}, "email": {"Guessed@alfa.lt"}, "password": {password}}); !strings.Contains(loc, "Too+many+failed+sign-ins") {
			t.Fatalf("the 6th try for a guessed account: %s", loc)
		}
		e.signIn("acc@alfa.lt")
	})

	// A viewer changes their own password: the other sign-in ends, this one stays.
	t.Run("password-change", func(t *testing.T) {
		e := newWebUI(t)
		pw1, pw2 := e.signIn("pw@alfa.lt"), e.signIn("pw@alfa.lt")
		change := func(current, next, repeat string) (int, string) {
			code, page, _ := pw1.form("/ui/account/password", url.Values{"current": {current}, "new": {next}, "repeat": {repeat}})
			return code, page
		}
		if code, page := change("not it at all", "a brand new secret", "a brand new secret"); code != 200 || !strings.Contains(page, "current password is wrong") {
			t.Errorf("a wrong current password: %d", code)
		}
		if code, page := change(password, "a brand new secret", "a brand new secreT"); code != 200 || !strings.Contains(page, "differ") {
			t.Errorf("two different new passwords: %d", code)
		}
		if code, _ := change(password, "a brand new secret", "a brand new secret"); code != http.StatusSeeOther {
			t.Fatalf("changing the password: %d", code)
		}
		if code, _, _ := pw2.get("/ui/"); code != http.StatusSeeOther {
			t.Errorf("the other sign-in still works after a password change: %d", code)
		}
		if code, _, _ := pw1.get("/ui/account"); code != 200 {
			t.Errorf("the sign-in that changed the password ended: %d", code)
		}
		fresh := newBrowser(t, e.srv)
		fresh.get("/ui/login")
		if _, _, loc := fresh.post("/ui/login", url.Values{"csrf": {fresh.csrf}, "email": {"pw@alfa.lt"}, "password": {password}}); loc == "/ui/" {
			t.Error("the old password still signs in")
		}
		if _, _, loc := fresh.post("/ui/login", url.Values{"csrf": {fresh.csrf}, "email": {"pw@alfa.lt"}, "password": {"a brand new secret"}}); loc != "/ui/" {
			t.Errorf("the new password does not sign in: %s", loc)
		}
	})

	// The agent's start date shows on the overview and on the receipts list; a store whose
	// agent sent none captures the whole history.
	t.Run("start-date", func(t *testing.T) {
		e := newWebUI(t)
		acc := e.signIn("acc@alfa.lt")
		if _, overview, _ := acc.get("/ui/"); !strings.Contains(overview, "the whole history") {
			t.Fatalf("the overview does not say the store captures the whole history:\n%s", overview)
		}
		if _, list, _ := acc.get("/ui/receipts"); strings.Contains(list, "older ones stay in the POS") {
			t.Fatalf("the receipts list names a start date no agent sent:\n%s", list)
		}
		if err := e.st.AgentSeen(ctx, e.a.StoreID, &protocol.Hello{AgentID: "pos1", Stream: "s1", StartDate: "2026-01-01"}); err != nil {
			t.Fatal(err)
		}
		if _, overview, _ := acc.get("/ui/"); !strings.Contains(overview, "from 2026-01-01 on") {
			t.Errorf("the overview does not show the start date:\n%s", overview)
		}
		for _, path := range []string{"/ui/receipts", "/ui/receipts?store=ALFA1"} {
			if _, list, _ := acc.get(path); !strings.Contains(list, "ALFA1: booked from 2026-01-01 on (the agent's pos.start_date): older ones stay in the POS") {
				t.Errorf("%s does not show the start date:\n%s", path, list)
			}
		}
		// The accountant sets the store's start date in Settings: it replaces the agent's.
		if code, page, _ := acc.form("/ui/settings/store-start", url.Values{"store": {"ALFA1"}, "start_date": {"2026-31-01"}}); code != 200 || !strings.Contains(page, "YYYY-MM-DD") {
			t.Fatalf("a start date that is no day: %d\n%s", code, page)
		}
		if code, _, _ := acc.form("/ui/settings/store-start", url.Values{"store": {"ALFA1"}, "start_date": {"2026-06-01"}, "history": {"on"}}); code != http.StatusSeeOther {
			t.Fatalf("save the start date: %d", code)
		}
		if _, list, _ := acc.get("/ui/receipts"); !strings.Contains(list, "ALFA1: booked from 2026-06-01 on (set in Settings): older receipts are kept here as history and never booked") {
			t.Errorf("the receipts list does not show the start date set in Settings:\n%s", list)
		}
		if _, overview, _ := acc.get("/ui/"); !strings.Contains(overview, "from 2026-06-01 on (set in Settings; older kept as history)") {
			t.Errorf("the overview does not show the start date set in Settings:\n%s", overview)
		}
		if _, page, _ := acc.get("/ui/settings"); !strings.Contains(page, `value="2026-06-01" aria-label="Start date of store ALFA1"`) {
			t.Errorf("the settings page does not show the store's start date")
		}
	})

	// The overview, then the receipt synced a moment ago, then its document.
	t.Run("receipt-and-document", func(t *testing.T) {
		e := newWebUI(t)
		acc := e.signIn("acc@alfa.lt")
		_, overview, h := acc.get("/ui/")
		if !strings.Contains(overview, "ALFA1") || strings.Contains(overview, "BETA1") {
			t.Fatalf("overview: %s", overview)
		}
		if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("X-Frame-Options") != "DENY" {
			t.Fatalf("security headers: %v", h)
		}
		_, list, _ := acc.get("/ui/receipts?store=ALFA1")
		m := regexp.MustCompile(`href="/ui/receipts/(\d+)"`).FindStringSubmatch(list)
		if m == nil || !strings.Contains(list, "24.20") {
			t.Fatalf("receipts: %s", list)
		}
		_, rc, _ := acc.get("/ui/receipts/" + m[1])
		dm := regexp.MustCompile(`href="/ui/documents/(\d+)">SF1`).FindStringSubmatch(rc)
		if dm == nil || !strings.Contains(rc, "ALFA-RECEIPT-1") {
			t.Fatalf("receipt page: %s", rc)
		}
		if receiptID, docID := e.alfaSF(); m[1] != receiptID || dm[1] != docID {
			t.Fatalf("the pages link receipt %s and document %s, want %s and %s", m[1], dm[1], receiptID, docID)
		}
		docID := dm[1]
		_, doc, _ := acc.get("/ui/documents/" + docID)
		for _, want := range []string{"SF1", "PVM1", "4492", "2410", "20.00", "4.20", "UAB Alfa", "Source receipt"} {
			if !strings.Contains(doc, want) {
				t.Errorf("document page lacks %q", want)
			}
		}
		if _, found, _ := acc.get("/ui/documents?series=SF&number=1&min=24.20&max=24.20"); !strings.Contains(found, "/ui/documents/"+docID) {
			t.Fatalf("document search: %s", found)
		}
	})

	// Forms without the session's CSRF token are refused.
	t.Run("csrf", func(t *testing.T) {
		e := newWebUI(t)
		_, docID := e.alfaSF()
		acc, other := e.signIn("acc@alfa.lt"), e.signIn("acc@beta.lt")
		if code, _, _ := acc.post("/ui/documents/"+docID+"/cancel", url.Values{}); code != http.StatusForbidden {
			t.Fatalf("POST without CSRF: %d", code)
		}
		if code, _, _ := acc.post("/ui/documents/"+docID+"/cancel", url.Values{"csrf": {other.csrf}}); code != http.StatusForbidden {
			t.Fatalf("POST with another session's CSRF: %d", code)
		}
	})

	// A viewer sees but cannot change.
	t.Run("viewer", func(t *testing.T) {
		e := newWebUI(t)
		_, docID := e.alfaSF()
		viewer := e.signIn("view@alfa.lt")
		if _, page, _ := viewer.get("/ui/documents/" + docID); !strings.Contains(page, "SF1") || strings.Contains(page, "Cancel this document") {
			t.Fatal("a viewer sees the document but no cancel button")
		}
		for _, path := range []string{"/ui/documents/" + docID + "/cancel", "/ui/settings/enroll", "/ui/settings/company", "/ui/settings/pos", "/ui/orders/1/retry", "/ui/unresolved/1/resolve", "/ui/products/import",
			"/ui/unresolved/bulk", "/ui/products/save", "/ui/settings/fetch", "/ui/settings/classifier", "/ui/settings/operation", "/ui/settings/account", "/ui/settings/store-mode", "/ui/settings/store-start", "/ui/settings/market", "/ui/settings/market/update", "/ui/settings/token/create", "/ui/settings/token/revoke", "/ui/settings/agent/revoke", "/ui/settings/close", "/ui/settings/market/pause", "/ui/settings/vat-rates", "/ui/settings/reduced-rates", "/ui/settings/fx-rates", "/ui/settings/user/add", "/ui/settings/user/remove"} {
			if code, _, _ := viewer.form(path, url.Values{"store": {"X"}, "name": {"X"}, "code": {"123456789"}}); code != http.StatusForbidden {
				t.Errorf("viewer POST %s: %d, want 403", path, code)
			}
		}
		if _, page, _ := viewer.get("/ui/settings"); !strings.Contains(page, "<td>DE</td><td class=\"num\">19</td>") || strings.Contains(page, `action="/ui/settings/vat-rates"`) {
			t.Error("a viewer sees the VAT rate table, without the import form")
		}
		if d, _ := e.st.Document(ctx, e.a.TenantID, mustInt(docID)); d.Status != "posted" {
			t.Fatal("a viewer's POST changed the document")
		}
	})

	// Tenant B never sees tenant A's data.
	t.Run("tenant-isolation", func(t *testing.T) {
		e := newWebUI(t)
		receiptID, docID := e.alfaSF()
		other := e.signIn("acc@beta.lt")
		for _, path := range []string{"/ui/documents/" + docID, "/ui/receipts/" + receiptID} {
			if code, _, _ := other.get(path); code != http.StatusNotFound {
				t.Errorf("tenant B GET %s: %d, want 404", path, code)
			}
		}
		for _, path := range []string{"/ui/", "/ui/receipts", "/ui/documents", "/ui/products", "/ui/trial-balance", "/ui/stock", "/ui/unresolved", "/ui/orders?state=posted", "/ui/settings",
			"/ui/reports/view?name=sales-journal&from=2000-01-01&to=2100-01-01", "/ui/reports/view?name=vat-summary&from=2000-01-01&to=2100-01-01", "/ui/journal?from=2000-01-01",
			"/ui/orders?state=errors", "/ui/orders?state=open"} {
			code, page, _ := other.get(path)
			if code != 200 || strings.Contains(page, "ALFA") || strings.Contains(page, "UAB Alfa") {
				t.Errorf("tenant B %s: %d, shows tenant A's data", path, code)
			}
		}
		if code, _, _ := other.form("/ui/documents/"+docID+"/cancel", url.Values{}); code != http.StatusNotFound {
			t.Errorf("tenant B cancelling A's document: %d", code)
		}
	})

	// API tokens: created (shown once), listed, revoked; an agent token revoked per store. B
	// reaches none of A's.
	t.Run("tokens", func(t *testing.T) {
		e := newWebUI(t)
		acc, other := e.signIn("acc@alfa.lt"), e.signIn("acc@beta.lt")
		code, page, _ := acc.form("/ui/settings/token/create", url.Values{"name": {"ALFA export"}})
		tm := regexp.MustCompile(`<code id="api-token">(tap_[^<]+)</code>`).FindStringSubmatch(page)
		if code != 200 || tm == nil {
			t.Fatalf("creating an API token: %d", code)
		}
		if tn, err := e.st.AuthAPI(ctx, tm[1]); err != nil || tn != e.a.TenantID {
			t.Fatalf("the shown API token does not work: %v", err)
		}
		if _, page, _ := acc.get("/ui/settings"); !strings.Contains(page, "<td>ALFA export</td>") || strings.Contains(page, tm[1]) {
			t.Error("the API token is not listed, or is shown again")
		}
		toks, _ := e.st.APITokens(ctx, e.a.TenantID)
		if code, _, _ := other.form("/ui/settings/token/revoke", url.Values{"id": {fmt.Sprint(toks[0].ID)}}); code != http.StatusNotFound {
			t.Errorf("tenant B revoking A's API token: %d", code)
		}
		if code, _, _ := acc.form("/ui/settings/token/revoke", url.Values{"id": {fmt.Sprint(toks[0].ID)}}); code != http.StatusSeeOther {
			t.Errorf("revoking the API token: %d", code)
		}
		if _, err := e.st.AuthAPI(ctx, tm[1]); err == nil {
			t.Error("a revoked API token still works")
		}
		spare, _ := fixture.Agent(t, e.st, e.a.TenantID, "ALFA9")
		if code, _, _ := other.form("/ui/settings/agent/revoke", url.Values{"store": {"ALFA9"}}); code != http.StatusNotFound {
			t.Errorf("tenant B revoking A's agent: %d", code)
		}
		if code, _, _ := acc.form("/ui/settings/agent/revoke", url.Values{"store": {"ALFA9"}}); code != http.StatusSeeOther {
			t.Errorf("revoking an agent token: %d", code)
		}
		if _, err := e.st.AuthAgent(ctx, spare); err == nil {
			t.Error("a revoked agent token still works")
		}
	})

	// Users: an accountant adds a colleague who signs in; B cannot remove A's users; nobody
	// removes themselves; a removed user's sign-in ends.
	t.Run("users", func(t *testing.T) {
		e := newWebUI(t)
		acc, other := e.signIn("acc@alfa.lt"), e.signIn("acc@beta.lt")
		if code, page, _ := acc.form("/ui/settings/user/add", url.Values{"email": {"colleague@alfa.lt"}, "role": {"viewer"}, "password": {"short"}}); code != 200 || !strings.Contains(page, "at least 10 characters") {
			t.Errorf("a short first password: %d", code)
		}
		if code, _, _ := acc.form("/ui/settings/user/add", url.Values{"email": {"colleague@alfa.lt"}, "name": {"Kolegė"}, "role": {"viewer"}, "password": {password}}); code != http.StatusSeeOther {
			t.Fatalf("adding a user: %d", code)
		}
		colleague := newBrowser(t, e.srv)
		colleague.login("colleague@alfa.lt")
		us, _ := e.st.Users(ctx, e.a.TenantID)
		var colleagueID, accID int64
		for _, u := range us {
			switch u.Email {
			case "colleague@alfa.lt":
				colleagueID = u.ID
			case "acc@alfa.lt":
				accID = u.ID
			}
		}
		if _, page, _ := other.get("/ui/settings"); strings.Contains(page, "colleague@alfa.lt") {
			t.Error("tenant B sees A's users")
		}
		if code, _, _ := other.form("/ui/settings/user/remove", url.Values{"id": {fmt.Sprint(colleagueID)}}); code != http.StatusNotFound {
			t.Errorf("tenant B removing A's user: %d", code)
		}
		if code, page, _ := acc.form("/ui/settings/user/remove", url.Values{"id": {fmt.Sprint(accID)}}); code != 200 || !strings.Contains(page, "cannot remove yourself") {
			t.Errorf("removing yourself: %d", code)
		}
		if code, _, _ := acc.form("/ui/settings/user/remove", url.Values{"id": {fmt.Sprint(colleagueID)}}); code != http.StatusSeeOther {
			t.Errorf("removing a user: %d", code)
		}
		if code, _, _ := colleague.get("/ui/"); code != http.StatusSeeOther {
			t.Errorf("a removed user's sign-in still works: %d", code)
		}
	})

	// A store's own POS mode: set by A's accountant, refused for an unknown mode, and B cannot touch it.
	t.Run("store-mode", func(t *testing.T) {
		e := newWebUI(t)
		acc, other := e.signIn("acc@alfa.lt"), e.signIn("acc@beta.lt")
		if code, _, _ := other.form("/ui/settings/store-mode", url.Values{"store": {"ALFA1"}, "pos_mode": {"dayclose"}}); code != http.StatusNotFound {
			t.Errorf("tenant B setting A's store mode: %d, want 404", code)
		}
		if code, page, _ := acc.form("/ui/settings/store-mode", url.Values{"store": {"ALFA1"}, "pos_mode": {"weekly"}}); code != 200 || !strings.Contains(page, "weekly") {
			t.Errorf("an unknown store mode: %d", code)
		}
		if code, _, _ := acc.form("/ui/settings/store-mode", url.Values{"store": {"ALFA1"}, "pos_mode": {"dayclose"}}); code != http.StatusSeeOther {
			t.Errorf("setting a store mode: %d", code)
		}
		if sr, _ := e.st.StoreByCode(ctx, e.a.TenantID, "ALFA1"); sr.POSMode != "dayclose" {
			t.Errorf("store mode after the form: %q", sr.POSMode)
		}
		if _, page, _ := acc.get("/ui/settings"); !regexp.MustCompile(`<option value="dayclose" selected>day sheets per Z report</option></select></td>\s*<td><form method="post" action="/ui/settings/store-mode" id="mode-ALFA1">`).MatchString(page) {
			t.Errorf("settings page does not show ALFA1 in dayclose mode")
		}
		if code, _, _ := acc.form("/ui/settings/store-mode", url.Values{"store": {"ALFA1"}, "pos_mode": {""}}); code != http.StatusSeeOther {
			t.Errorf("back to the tenant's mode: %d", code)
		}
	})

	// Marketplace accounts from the settings form: a bad one comes back with every problem named
	// and the form filled again (secrets aside); a good one is added, its secret never shown.
	t.Run("marketplace-accounts", func(t *testing.T) {
		e := newWebUI(t)
		acc, other := e.signIn("acc@alfa.lt"), e.signIn("acc@beta.lt")
		code, page, _ := acc.form("/ui/settings/market", url.Values{"kind": {"amazon"}, "name": {"ALFA Amazon"},
			"endpoint": {"http://example.com"}, "client_id": {"cid"}, "client_secret": {"ALFA-SECRET"}, "marketplace": {"A1PA6795UKMFR9"}})
		for _, want := range []string{"must use https", "refresh_token is required", `value="ALFA Amazon"`, `value="A1PA6795UKMFR9" checked`} {
			if code != 200 || !strings.Contains(page, want) {
				t.Errorf("a refused Amazon account: %d, page lacks %q", code, want)
			}
		}
		if strings.Contains(page, "ALFA-SECRET") {
			t.Error("a refused form echoes the secret")
		}
		if code, _, _ := acc.form("/ui/settings/market", url.Values{"kind": {"allegro"}, "name": {"ALFA Allegro"}, "api_url": {"http://127.0.0.1:9"},
			"auth_url": {"http://127.0.0.1:9"}, "client_id": {"cid"}, "client_secret": {"ALFA-SECRET"}, "refresh_token": {"rt"}, "every": {"5"}}); code != http.StatusSeeOther {
			t.Fatalf("adding an Allegro account: %d", code)
		}
		if _, page, _ := acc.get("/ui/settings"); !strings.Contains(page, "ALFA Allegro (allegro)") || strings.Contains(page, "ALFA-SECRET") {
			t.Errorf("the new account is not listed, or its secret is shown")
		}
		accts, _ := e.st.MarketAccounts(ctx, e.a.TenantID)
		if len(accts) != 1 || !strings.Contains(string(accts[0].Config), `"client_secret":"ALFA-SECRET"`) || accts[0].EveryS != 300 {
			t.Fatalf("stored account: %+v", accts)
		}
		if _, page, _ := other.get("/ui/settings"); strings.Contains(page, "ALFA Allegro") {
			t.Error("tenant B sees A's marketplace account")
		}
		// A rotated client secret alone: the rest of the config stays. B cannot touch the account.
		aid := fmt.Sprint(accts[0].ID)
		if code, _, _ := other.form("/ui/settings/market/update", url.Values{"id": {aid}, "name": {"Mine"}}); code != http.StatusNotFound {
			t.Errorf("tenant B changing A's account: %d", code)
		}
		if code, _, _ := acc.form("/ui/settings/market/update", url.Values{"id": {aid}, "name": {"ALFA Allegro"}, "every": {"5"}, "client_secret": {"ROTATED"}}); code != http.StatusSeeOther {
			t.Fatalf("rotating the secret: %d", code)
		}
		if got, _ := e.st.MarketAccount(ctx, e.a.TenantID, accts[0].ID); !strings.Contains(string(got.Config), `"client_secret":"ROTATED"`) || !strings.Contains(string(got.Config), `"refresh_token":"rt"`) {
			t.Errorf("after rotating the secret: %s", got.Config)
		}
		if code, page, _ := acc.form("/ui/settings/market/update", url.Values{"id": {aid}, "name": {"ALFA Allegro"}, "api_url": {"http://allegro.example"}}); code != 200 || !strings.Contains(page, "must use https") {
			t.Errorf("a change that breaks the config: %d", code)
		}
		if code, _, _ := other.form("/ui/settings/market/pause", url.Values{"id": {aid}, "paused": {"1"}}); code != http.StatusNotFound {
			t.Errorf("tenant B pausing A's account: %d", code)
		}
		if code, _, _ := acc.form("/ui/settings/market/pause", url.Values{"id": {aid}, "paused": {"1"}}); code != http.StatusSeeOther {
			t.Errorf("pausing: %d", code)
		}
		if _, page, _ := acc.get("/ui/"); !strings.Contains(page, "ALFA Allegro (allegro) <strong>paused</strong>") {
			t.Error("the overview does not show the account paused")
		}
		acc.form("/ui/settings/market/pause", url.Values{"id": {aid}, "paused": {"0"}})
		if got, _ := e.st.MarketAccount(ctx, e.a.TenantID, accts[0].ID); got.Paused {
			t.Error("resuming did not resume")
		}
	})

	// CSV import with a bad row shows that row's error; A's cards are A's.
	t.Run("product-import", func(t *testing.T) {
		e := newWebUI(t)
		acc, other := e.signIn("acc@alfa.lt"), e.signIn("acc@beta.lt")
		imported := acc.upload("/ui/products/import", "cards.csv",
			"name;attributeName;groupName;measurementUnitName;priceWithoutVat;priceWithVat;vatRate;barcode\nDuona;Prekė;;vnt.;1,00;1,21;21;4770001\n;Prekė;;vnt.;1,00;1,21;21;4770002\nSKU-X;Prekė;;vnt.;10,00;12,10;21;SKU-X\n")
		if !strings.Contains(imported, "2 new") || !strings.Contains(imported, "<td>3</td>") || !strings.Contains(imported, "name is empty") {
			t.Fatalf("import page: %s", imported)
		}
		if code, _, _ := acc.get("/ui/products/edit?barcode=4770001"); code != 200 {
			t.Fatalf("A opening its own card: %d", code)
		}
		if code, _, _ := other.get("/ui/products/edit?barcode=4770001"); code != http.StatusNotFound {
			t.Errorf("tenant B opening A's product card: %d", code)
		}
	})

	// Rate files from Settings: a bad line is named on the page, a good file imported.
	t.Run("rate-import", func(t *testing.T) {
		e := newWebUI(t)
		acc := e.signIn("acc@alfa.lt")
		if page := acc.upload("/ui/settings/vat-rates", "vat.csv", "country;standard_rate\nDE;nineteen\n"); !strings.Contains(page, `line 2: rate &#34;nineteen&#34; is not a percentage`) {
			t.Errorf("a bad VAT rate file: %s", page)
		}
		if page := acc.upload("/ui/settings/fx-rates", "eurofxref.csv", "Date, USD, \n21 November 2026, 1.0543, \n"); !strings.Contains(page, "Imported 1 exchange rates.") {
			t.Errorf("an ECB file: %s", page)
		}
	})

	// An order in Errors (a SKU without a card) is retried from the UI once the card exists.
	t.Run("order-retry", func(t *testing.T) {
		e := newWebUI(t)
		acc := e.signIn("acc@alfa.lt")
		postOrder(t, e.st, e.a.TenantID)
		_, errs, _ := acc.get("/ui/orders?state=errors")
		om := regexp.MustCompile(`action="/ui/orders/(\d+)/retry"`).FindStringSubmatch(errs)
		if om == nil || !strings.Contains(errs, "SKU-Y") || !strings.Contains(errs, "create the product card") {
			t.Fatalf("orders in Errors: %s", errs)
		}
		if _, overview, _ := acc.get("/ui/"); !strings.Contains(overview, `<a href="/ui/orders?state=errors" class="error">1</a>`) {
			t.Errorf("the overview does not show the account's order in Errors:\n%s", overview)
		}
		saveSKUY(t, e.st, e.a.TenantID)
		if code, _, loc := acc.form("/ui/orders/"+om[1]+"/retry", url.Values{}); code != http.StatusSeeOther || !strings.Contains(loc, "state=posted") {
			t.Fatalf("retry: %d %s", code, loc)
		}
		if _, posted, _ := acc.get("/ui/orders?state=posted"); !strings.Contains(posted, "302-1") {
			t.Fatalf("the retried order is not Posted: %s", posted)
		}
		if _, found, _ := acc.get("/ui/documents?account=Amazon+EU"); !strings.Contains(found, "<td>Amazon EU</td>") || strings.Contains(found, "<td>ALFA1</td>") {
			t.Errorf("documents of the marketplace account:\n%s", found)
		}
	})

	// Settings: enrolling shows the token once; i.SAF downloads once the company is set.
	t.Run("enrol-and-isaf", func(t *testing.T) {
		e := newWebUI(t)
		acc := e.signIn("acc@alfa.lt")
		acc.get("/ui/settings")
		if _, page, _ := acc.form("/ui/settings/enroll", url.Values{"store": {"ALFA2"}}); !strings.Contains(page, "tag_") {
			t.Fatalf("enrollment: %s", page)
		}
		if code, _, loc := acc.form("/ui/settings/company", url.Values{"name": {"UAB Alfa"}, "code": {"304123456"}}); code != http.StatusSeeOther {
			t.Fatalf("company: %d %s", code, loc)
		}
		month := time.Now().Format("2006-01")
		if code, x, h := acc.get("/ui/reports/isaf?month=" + month); code != 200 || !strings.Contains(h.Get("Content-Disposition"), "isaf_304123456") || !strings.Contains(x, "<InvoiceNo>SF1</InvoiceNo>") {
			t.Fatalf("i.SAF download: %d %v %s", code, h, x)
		}
	})

	// The journal, a product card edited by hand, settings saved.
	t.Run("journal-cards-settings", func(t *testing.T) {
		e := newWebUI(t)
		_, docID := e.alfaSF()
		acc := e.signIn("acc@alfa.lt")
		if _, j, _ := acc.get("/ui/journal?from=2000-01-01"); !strings.Contains(j, "4492") || !strings.Contains(j, "/ui/documents/"+docID) {
			t.Fatalf("journal: %s", j)
		}
		saveSKUY(t, e.st, e.a.TenantID)
		acc.get("/ui/products/edit?barcode=SKU-Y")
		if code, _, loc := acc.form("/ui/products/save", url.Values{"barcode": {"SKU-Y"}, "name": {"Y pervadintas"}, "unit": {"vnt."},
			"price_net": {"10,00"}, "price_gross": {"12,10"}, "vat_rate": {"21"}, "active": {"on"}}); code != http.StatusSeeOther || !strings.Contains(loc, "SKU-Y") {
			t.Fatalf("edit a card: %d %s", code, loc)
		}
		if _, page, _ := acc.form("/ui/products/save", url.Values{"create": {"1"}, "barcode": {"NEW-1"}, "name": {"Naujas"}, "unit": {"vnt."},
			"price_net": {"1,00"}, "price_gross": {"1,30"}, "vat_rate": {"21"}}); !strings.Contains(page, "does not match") {
			t.Fatalf("a card whose prices disagree must be refused with the reason: %s", page)
		}
		if cards, _ := e.st.Cards(ctx, e.a.TenantID, "pervadintas", "", 10); len(cards) != 1 {
			t.Fatal("the edited card was not saved")
		}
		for path, form := range map[string]url.Values{
			"/ui/settings/classifier": {"rate": {"12"}, "code": {"PVM58"}, "name": {"12 % accommodation"}},
			"/ui/settings/operation":  {"code": {"sale"}, "name": {"Pardavimas"}, "series": {"KVT"}, "debit": {"2410"}, "credit": {"5000"}},
			"/ui/settings/account":    {"code": {"2722"}, "name": {"Antra kasa"}, "kind": {"asset"}, "active": {"on"}},
		} {
			if code, body, _ := acc.form(path, form); code != http.StatusSeeOther {
				t.Fatalf("%s: %d %s", path, code, body)
			}
		}
		if _, page, _ := acc.form("/ui/settings/operation", url.Values{"code": {"sale"}, "series": {"KVT"}, "debit": {"9999"}, "credit": {"5000"}}); !strings.Contains(page, `account &#34;9999&#34; is not in the chart`) {
			t.Fatalf("an operation with an unknown account: %s", page)
		}
	})

	// Lines written off in bulk: item 1 (the SF's) now has stock, SKU-Y (an order's) has none:
	// one line is written off, the other is named with its reason.
	t.Run("bulk-write-off", func(t *testing.T) {
		e := newWebUI(t)
		acc := e.signIn("acc@alfa.lt")
		saveSKUY(t, e.st, e.a.TenantID)
		postOrder(t, e.st, e.a.TenantID)
		books.New(e.st).StockIn(ctx, e.a.TenantID, "", "2026-11-01", "bulk", []books.StockInLine{{Barcode: "1", Qty: fixture.D("10"), UnitCost: fixture.D("5")}})
		un, _ := e.st.Unresolved(ctx, e.a.TenantID, 0, true)
		form := url.Values{}
		for _, l := range un {
			form.Add("ids", fmt.Sprint(l.ID))
		}
		if code, _, loc := acc.form("/ui/unresolved/bulk", form); code != http.StatusSeeOther || len(un) != 2 ||
			!strings.Contains(loc, url.QueryEscape("1 written off")) || !strings.Contains(loc, url.QueryEscape("no stock of SKU-Y")) {
			t.Fatalf("bulk write-off of %d lines: %d %s", len(un), code, loc)
		}
	})

	// Signing out ends the session on the server: the old cookie no longer works.
	t.Run("sign-out", func(t *testing.T) {
		e := newWebUI(t)
		acc := e.signIn("acc@alfa.lt")
		jarCookies := acc.http.Jar.Cookies(mustURL(e.srv.URL + "/ui/"))
		acc.form("/ui/logout", url.Values{})
		replay := newBrowser(t, e.srv)
		replay.http.Jar.SetCookies(mustURL(e.srv.URL+"/ui/"), jarCookies)
		if code, _, _ := replay.get("/ui/"); code != http.StatusSeeOther {
			t.Fatalf("an ended session still works: %d", code)
		}
	})
}

// brokenReads is the database with some of its reads failing, as when a table cannot be read.
type brokenReads struct{ *db.DB }

var errUnreadable = errors.New("disk I/O error")

func (brokenReads) Accounts(context.Context, int64) ([]db.Account, error) { return nil, errUnreadable }
func (brokenReads) MarketAccounts(context.Context, int64) ([]db.MarketAccount, error) {
	return nil, errUnreadable
}
func (brokenReads) CardStatus(context.Context, db.StoreRef) (db.CardStatus, error) {
	return db.CardStatus{}, errUnreadable
}

// A read that fails shows as an error, never as an empty chart or list: a page made of the
// books' sections fails whole; one whose failing read is a side part shows the rest and says
// what is missing.
func TestFailingReads(t *testing.T) {
	e := newWebUI(t)
	e.user("acc@alfa.lt")
	mux := http.NewServeMux()
	(&ui.UI{Store: brokenReads{e.st}, Books: books.New(e.st), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	acc := newBrowser(t, srv)
	acc.login("acc@alfa.lt")
	for _, path := range []string{"/ui/settings", "/ui/"} {
		if code, page, _ := acc.get(path); code != http.StatusInternalServerError || !strings.Contains(page, "see the cloud log") || strings.Contains(page, "disk I/O") {
			t.Errorf("GET %s with an unreadable table: %d %q", path, code, page)
		}
	}
	if code, page, _ := acc.get("/ui/documents"); code != 200 || !strings.Contains(page, "The marketplace accounts (for the Marketplace filter) could not be read") || !strings.Contains(page, ">SF1</a>") {
		t.Errorf("documents without the accounts of their filter: %d\n%s", code, page)
	}
	if code, page, _ := acc.get("/ui/products"); code != 200 || !strings.Contains(page, "How far store ALFA1 has the cards could not be read") {
		t.Errorf("products without the stores' push status: %d\n%s", code, page)
	}
}

// upload posts a file as the multipart field "file", with the browser's CSRF token, and
// returns the page that comes back (following no redirect: a redirect's flash is returned).
func (b *browser) upload(path, name, content string) string {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", b.csrf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	mw.Close()
	req, _ := http.NewRequest("POST", b.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "" {
		u, _ := url.Parse(loc)
		return u.Query().Get("flash")
	}
	return string(page)
}

// postOrder books an Amazon order of one SKU-Y: into Errors while SKU-Y has no card.
func postOrder(t *testing.T, st *db.DB, tenantID int64) {
	t.Helper()
	ctx := context.Background()
	acct, err := st.CreateMarketAccount(ctx, tenantID, "amazon", "Amazon EU", []byte(`{}`), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ma := db.MarketAccount{ID: acct, TenantID: tenantID, Kind: "amazon", Name: "Amazon EU"}
	o := posting.Order{Market: "amazon", ID: "302-1", Status: "Shipped", PurchasedAt: time.Now(), Currency: "EUR", ShipTo: "LT", Buyer: posting.OrderBuyer{Key: "x@example.com"},
		Lines: []posting.OrderLine{{Kind: posting.LineGoods, SKU: "SKU-Y", Name: "Y", Qty: fixture.D("1"), UnitGross: fixture.D("12.10")}}}
	if _, err := st.SaveOrders(ctx, ma, []posting.Order{o}); err != nil {
		t.Fatal(err)
	}
	if _, err := books.New(st).PostOrders(ctx, ma, posting.OrderRules{PostStatuses: map[string]bool{"Shipped": true}}); err != nil {
		t.Fatal(err)
	}
}

// saveSKUY creates the card of SKU-Y.
func saveSKUY(t *testing.T, st *db.DB, tenantID int64) {
	t.Helper()
	if _, err := st.SaveCard(context.Background(), tenantID, domain.Card{Barcode: "SKU-Y", Name: "Y", Unit: "vnt.", PriceNet: fixture.D("10.00"), PriceGross: fixture.D("12.10"), VATRate: fixture.D("21"), Active: true}, true); err != nil {
		t.Fatal(err)
	}
}

func mustInt(s string) int64 {
	var v int64
	fmt.Sscan(s, &v)
	return v
}

func mustURL(s string) *url.URL {
	u, _ := url.Parse(s)
	return u
}
