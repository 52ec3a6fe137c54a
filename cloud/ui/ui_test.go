package ui_test

import (
	"bytes"
	"context"
	"encoding/json"
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

	"github.com/shopspring/decimal"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/cloud/posting"
	"tiltas/cloud/server"
	"tiltas/internal/dbtest"
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

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func seedTenant(t *testing.T, st *db.DB, name, storeCode, number string) db.AgentIdentity {
	ctx := context.Background()
	tn, err := st.CreateTenant(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := st.EnrollAgent(ctx, tn.ID, storeCode, "")
	who, _ := st.AuthAgent(ctx, tok)
	g := d("24.20")
	r := domain.Receipt{SourceID: "1", Register: "R01", SessionID: "1", Number: number, Type: domain.Invoice, Buyer: &domain.Buyer{Code: "300000001", VATCode: "LT100000000017", Name: "UAB " + name},
		OpenedAt: time.Now().Add(-time.Minute).UTC(), ClosedAt: time.Now().UTC(),
		Lines:    []domain.Line{{No: 1, Barcode: "1", Name: "Prekė", Quantity: d("1"), UnitPrice: g, Discount: d("0"), VATRate: d("21"), Total: g, VAT: domain.LineVAT(g, d("21"))}},
		Payments: []domain.Payment{{Code: "CARD", Amount: g}}, Total: g, VAT: domain.LineVAT(g, d("21")), Rounding: d("0")}
	b, _ := json.Marshal(r)
	if _, err := st.IngestBatch(ctx, who, "s", &protocol.Batch{FirstSeq: 1, LastSeq: 1, Items: []protocol.Item{{Seq: 1, Kind: protocol.KindReceipt, SourceID: "1", Data: b}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := books.New(st).PostPending(ctx, 10); err != nil {
		t.Fatal(err)
	}
	return who
}

func TestWebUI(t *testing.T) {
	ctx := context.Background()
	st, err := db.Open(ctx, "sqlite:"+t.TempDir()+"/c.db", dbtest.Options())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := seedTenant(t, st, "Alfa", "ALFA1", "ALFA-RECEIPT-1")
	b := seedTenant(t, st, "Beta", "BETA1", "BETA-RECEIPT-1")
	for _, u := range []struct {
		tenant int64
		email  string
		role   string
	}{{a.TenantID, "acc@alfa.lt", db.RoleAccountant}, {a.TenantID, "view@alfa.lt", db.RoleViewer}, {b.TenantID, "acc@beta.lt", db.RoleAccountant}} {
		if err := st.CreateUser(ctx, u.tenant, u.email, "", password, u.role); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.CreateUser(ctx, a.TenantID, "short@alfa.lt", "", "short", db.RoleViewer); err == nil {
		t.Fatal("a short password was accepted")
	}
	srv := httptest.NewServer(server.Handler(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Options{}))
	defer srv.Close()

	anon := newBrowser(t, srv)
	if code, _, h := anon.get("/ui/documents"); code != http.StatusSeeOther || h.Get("Location") != "/ui/login" {
		t.Fatalf("a page without a session: %d %s", code, h.Get("Location"))
	}
	anon.get("/ui/login")
	if code, _, loc := anon.post("/ui/login", url.Values{"csrf": {anon.csrf}, "email": {"acc@alfa.lt"}, "password": {"wrong password!"}}); code != http.StatusSeeOther || !strings.Contains(loc, "error=") {
		t.Fatalf("wrong password: %d %s", code, loc)
	}
	if code, _, _ := newBrowser(t, srv).post("/ui/login", url.Values{"csrf": {"forged"}, "email": {"acc@alfa.lt"}, "password": {password}}); code != http.StatusForbidden {
		t.Fatalf("a forged sign-in form: %d", code)
	}

	// Password guessing: after 5 failures for an account even the right password is refused,
	// with when to try again; other accounts sign in as usual.
	if err := st.CreateUser(ctx, a.TenantID, "guessed@alfa.lt", "", password, db.RoleViewer); err != nil {
		t.Fatal(err)
	}
	guess := newBrowser(t, srv)
	guess.get("/ui/login")
	for range 5 {
		guess.post("/ui/login", url.Values{"csrf": {guess.csrf}, "email": {"guessed@alfa.lt"}, "password": {"a wrong guess!"}})
	}
	if _, _, loc := guess.post("/ui/login", url.Values{"csrf": {guess.csrf}, "email": {"Guessed@alfa.lt"}, "password": {password}}); !strings.Contains(loc, "Too+many+failed+sign-ins") {
		t.Fatalf("the 6th try for a guessed account: %s", loc)
	}

	// A viewer changes their own password: the other sign-in ends, this one stays.
	if err := st.CreateUser(ctx, a.TenantID, "pw@alfa.lt", "", password, db.RoleViewer); err != nil {
		t.Fatal(err)
	}
	pw1, pw2 := newBrowser(t, srv), newBrowser(t, srv)
	pw1.login("pw@alfa.lt")
	pw2.login("pw@alfa.lt")
	change := func(current, next, repeat string) (int, string) {
		code, page, _ := pw1.post("/ui/account/password", url.Values{"csrf": {pw1.csrf}, "current": {current}, "new": {next}, "repeat": {repeat}})
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
	fresh := newBrowser(t, srv)
	fresh.get("/ui/login")
	if _, _, loc := fresh.post("/ui/login", url.Values{"csrf": {fresh.csrf}, "email": {"pw@alfa.lt"}, "password": {password}}); loc == "/ui/" {
		t.Error("the old password still signs in")
	}
	if _, _, loc := fresh.post("/ui/login", url.Values{"csrf": {fresh.csrf}, "email": {"pw@alfa.lt"}, "password": {"a brand new secret"}}); loc != "/ui/" {
		t.Errorf("the new password does not sign in: %s", loc)
	}

	acc := newBrowser(t, srv)
	acc.login("acc@alfa.lt")
	_, overview, h := acc.get("/ui/")
	if !strings.Contains(overview, "ALFA1") || strings.Contains(overview, "BETA1") {
		t.Fatalf("overview: %s", overview)
	}
	if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("security headers: %v", h)
	}
	// Find the receipt synced a moment ago, open it, then its document.
	_, list, _ := acc.get("/ui/receipts?store=ALFA1")
	m := regexp.MustCompile(`href="/ui/receipts/(\d+)"`).FindStringSubmatch(list)
	if m == nil || !strings.Contains(list, "24.20") {
		t.Fatalf("receipts: %s", list)
	}
	receiptID := m[1]
	_, rc, _ := acc.get("/ui/receipts/" + receiptID)
	dm := regexp.MustCompile(`href="/ui/documents/(\d+)">SF1`).FindStringSubmatch(rc)
	if dm == nil || !strings.Contains(rc, "ALFA-RECEIPT-1") {
		t.Fatalf("receipt page: %s", rc)
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

	// Forms without the session's CSRF token are refused.
	if code, _, _ := acc.post("/ui/documents/"+docID+"/cancel", url.Values{}); code != http.StatusForbidden {
		t.Fatalf("POST without CSRF: %d", code)
	}
	other := newBrowser(t, srv)
	other.login("acc@beta.lt")
	if code, _, _ := acc.post("/ui/documents/"+docID+"/cancel", url.Values{"csrf": {other.csrf}}); code != http.StatusForbidden {
		t.Fatalf("POST with another session's CSRF: %d", code)
	}
	// A viewer sees but cannot change.
	viewer := newBrowser(t, srv)
	viewer.login("view@alfa.lt")
	if _, page, _ := viewer.get("/ui/documents/" + docID); !strings.Contains(page, "SF1") || strings.Contains(page, "Cancel this document") {
		t.Fatal("a viewer sees the document but no cancel button")
	}
	for _, path := range []string{"/ui/documents/" + docID + "/cancel", "/ui/settings/enroll", "/ui/settings/company", "/ui/settings/pos", "/ui/orders/1/retry", "/ui/unresolved/1/resolve", "/ui/products/import",
		"/ui/unresolved/bulk", "/ui/products/save", "/ui/settings/fetch", "/ui/settings/classifier", "/ui/settings/operation", "/ui/settings/account", "/ui/settings/store-mode", "/ui/settings/market", "/ui/settings/market/update", "/ui/settings/token/create", "/ui/settings/token/revoke", "/ui/settings/agent/revoke", "/ui/settings/close", "/ui/settings/market/pause", "/ui/settings/vat-rates", "/ui/settings/reduced-rates", "/ui/settings/fx-rates", "/ui/settings/user/add", "/ui/settings/user/remove"} {
		if code, _, _ := viewer.post(path, url.Values{"csrf": {viewer.csrf}, "store": {"X"}, "name": {"X"}, "code": {"123456789"}}); code != http.StatusForbidden {
			t.Errorf("viewer POST %s: %d, want 403", path, code)
		}
	}
	if _, page, _ := viewer.get("/ui/settings"); !strings.Contains(page, "<td>DE</td><td class=\"num\">19</td>") || strings.Contains(page, `action="/ui/settings/vat-rates"`) {
		t.Error("a viewer sees the VAT rate table, without the import form")
	}
	if d, _ := st.Document(ctx, a.TenantID, mustInt(docID)); d.Status != "posted" {
		t.Fatal("a viewer's POST changed the document")
	}
	// Tenant B never sees tenant A's data.
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
	if code, _, _ := other.post("/ui/documents/"+docID+"/cancel", url.Values{"csrf": {other.csrf}}); code != http.StatusNotFound {
		t.Errorf("tenant B cancelling A's document: %d", code)
	}
	// API tokens: created (shown once), listed, revoked; an agent token revoked per store. B
	// reaches none of A's.
	code, page, _ := acc.post("/ui/settings/token/create", url.Values{"csrf": {acc.csrf}, "name": {"ALFA export"}})
	tm := regexp.MustCompile(`<code id="api-token">(tap_[^<]+)</code>`).FindStringSubmatch(page)
	if code != 200 || tm == nil {
		t.Fatalf("creating an API token: %d", code)
	}
	if tn, err := st.AuthAPI(ctx, tm[1]); err != nil || tn != a.TenantID {
		t.Fatalf("the shown API token does not work: %v", err)
	}
	if _, page, _ := acc.get("/ui/settings"); !strings.Contains(page, "<td>ALFA export</td>") || strings.Contains(page, tm[1]) {
		t.Error("the API token is not listed, or is shown again")
	}
	toks, _ := st.APITokens(ctx, a.TenantID)
	if code, _, _ := other.post("/ui/settings/token/revoke", url.Values{"csrf": {other.csrf}, "id": {fmt.Sprint(toks[0].ID)}}); code != http.StatusNotFound {
		t.Errorf("tenant B revoking A's API token: %d", code)
	}
	if code, _, _ := acc.post("/ui/settings/token/revoke", url.Values{"csrf": {acc.csrf}, "id": {fmt.Sprint(toks[0].ID)}}); code != http.StatusSeeOther {
		t.Errorf("revoking the API token: %d", code)
	}
	if _, err := st.AuthAPI(ctx, tm[1]); err == nil {
		t.Error("a revoked API token still works")
	}
	spare, _ := st.EnrollAgent(ctx, a.TenantID, "ALFA9", "")
	if code, _, _ := other.post("/ui/settings/agent/revoke", url.Values{"csrf": {other.csrf}, "store": {"ALFA9"}}); code != http.StatusNotFound {
		t.Errorf("tenant B revoking A's agent: %d", code)
	}
	if code, _, _ := acc.post("/ui/settings/agent/revoke", url.Values{"csrf": {acc.csrf}, "store": {"ALFA9"}}); code != http.StatusSeeOther {
		t.Errorf("revoking an agent token: %d", code)
	}
	if _, err := st.AuthAgent(ctx, spare); err == nil {
		t.Error("a revoked agent token still works")
	}

	// Users: an accountant adds a colleague who signs in; B cannot remove A's users; nobody
	// removes themselves; a removed user's sign-in ends.
	if code, page, _ := acc.post("/ui/settings/user/add", url.Values{"csrf": {acc.csrf}, "email": {"colleague@alfa.lt"}, "role": {"viewer"}, "password": {"short"}}); code != 200 || !strings.Contains(page, "at least 10 characters") {
		t.Errorf("a short first password: %d", code)
	}
	if code, _, _ := acc.post("/ui/settings/user/add", url.Values{"csrf": {acc.csrf}, "email": {"colleague@alfa.lt"}, "name": {"Kolegė"}, "role": {"viewer"}, "password": {password}}); code != http.StatusSeeOther {
		t.Fatalf("adding a user: %d", code)
	}
	colleague := newBrowser(t, srv)
	colleague.login("colleague@alfa.lt")
	users, _ := st.Users(ctx, a.TenantID)
	var colleagueID, accID int64
	for _, us := range users {
		switch us.Email {
		case "colleague@alfa.lt":
			colleagueID = us.ID
		case "acc@alfa.lt":
			accID = us.ID
		}
	}
	if _, page, _ := other.get("/ui/settings"); strings.Contains(page, "colleague@alfa.lt") {
		t.Error("tenant B sees A's users")
	}
	if code, _, _ := other.post("/ui/settings/user/remove", url.Values{"csrf": {other.csrf}, "id": {fmt.Sprint(colleagueID)}}); code != http.StatusNotFound {
		t.Errorf("tenant B removing A's user: %d", code)
	}
	if code, page, _ := acc.post("/ui/settings/user/remove", url.Values{"csrf": {acc.csrf}, "id": {fmt.Sprint(accID)}}); code != 200 || !strings.Contains(page, "cannot remove yourself") {
		t.Errorf("removing yourself: %d", code)
	}
	if code, _, _ := acc.post("/ui/settings/user/remove", url.Values{"csrf": {acc.csrf}, "id": {fmt.Sprint(colleagueID)}}); code != http.StatusSeeOther {
		t.Errorf("removing a user: %d", code)
	}
	if code, _, _ := colleague.get("/ui/"); code != http.StatusSeeOther {
		t.Errorf("a removed user's sign-in still works: %d", code)
	}

	// A store's own POS mode: set by A's accountant, refused for an unknown mode, and B cannot touch it.
	if code, _, _ := other.post("/ui/settings/store-mode", url.Values{"csrf": {other.csrf}, "store": {"ALFA1"}, "pos_mode": {"dayclose"}}); code != http.StatusNotFound {
		t.Errorf("tenant B setting A's store mode: %d, want 404", code)
	}
	if code, page, _ := acc.post("/ui/settings/store-mode", url.Values{"csrf": {acc.csrf}, "store": {"ALFA1"}, "pos_mode": {"weekly"}}); code != 200 || !strings.Contains(page, "weekly") {
		t.Errorf("an unknown store mode: %d", code)
	}
	if code, _, _ := acc.post("/ui/settings/store-mode", url.Values{"csrf": {acc.csrf}, "store": {"ALFA1"}, "pos_mode": {"dayclose"}}); code != http.StatusSeeOther {
		t.Errorf("setting a store mode: %d", code)
	}
	if sr, _ := st.StoreByCode(ctx, a.TenantID, "ALFA1"); sr.POSMode != "dayclose" {
		t.Errorf("store mode after the form: %q", sr.POSMode)
	}
	if _, page, _ := acc.get("/ui/settings"); !regexp.MustCompile(`<option value="dayclose" selected>day sheets per Z report</option></select></td>\s*<td><form method="post" action="/ui/settings/store-mode" id="mode-ALFA1">`).MatchString(page) {
		t.Errorf("settings page does not show ALFA1 in dayclose mode")
	}
	acc.post("/ui/settings/store-mode", url.Values{"csrf": {acc.csrf}, "store": {"ALFA1"}, "pos_mode": {""}})

	// Marketplace accounts from the settings form: a bad one comes back with every problem named
	// and the form filled again (secrets aside); a good one is added, its secret never shown.
	code, page, _ = acc.post("/ui/settings/market", url.Values{"csrf": {acc.csrf}, "kind": {"amazon"}, "name": {"ALFA Amazon"},
		"endpoint": {"http://example.com"}, "client_id": {"cid"}, "client_secret": {"ALFA-SECRET"}, "marketplace": {"A1PA6795UKMFR9"}})
	for _, want := range []string{"must use https", "refresh_token is required", `value="ALFA Amazon"`, `value="A1PA6795UKMFR9" checked`} {
		if code != 200 || !strings.Contains(page, want) {
			t.Errorf("a refused Amazon account: %d, page lacks %q", code, want)
		}
	}
	if strings.Contains(page, "ALFA-SECRET") {
		t.Error("a refused form echoes the secret")
	}
	if code, _, _ := acc.post("/ui/settings/market", url.Values{"csrf": {acc.csrf}, "kind": {"allegro"}, "name": {"ALFA Allegro"}, "api_url": {"http://127.0.0.1:9"},
		"auth_url": {"http://127.0.0.1:9"}, "client_id": {"cid"}, "client_secret": {"ALFA-SECRET"}, "refresh_token": {"rt"}, "every": {"5"}}); code != http.StatusSeeOther {
		t.Fatalf("adding an Allegro account: %d", code)
	}
	if _, page, _ := acc.get("/ui/settings"); !strings.Contains(page, "ALFA Allegro (allegro)") || strings.Contains(page, "ALFA-SECRET") {
		t.Errorf("the new account is not listed, or its secret is shown")
	}
	if accts, _ := st.MarketAccounts(ctx, a.TenantID); len(accts) != 1 || !strings.Contains(string(accts[0].Config), `"client_secret":"ALFA-SECRET"`) || accts[0].EveryS != 300 {
		t.Errorf("stored account: %+v", accts)
	}
	if _, page, _ := other.get("/ui/settings"); strings.Contains(page, "ALFA Allegro") {
		t.Error("tenant B sees A's marketplace account")
	}
	// A rotated client secret alone: the rest of the config stays. B cannot touch the account.
	accts, _ := st.MarketAccounts(ctx, a.TenantID)
	aid := fmt.Sprint(accts[0].ID)
	if code, _, _ := other.post("/ui/settings/market/update", url.Values{"csrf": {other.csrf}, "id": {aid}, "name": {"Mine"}}); code != http.StatusNotFound {
		t.Errorf("tenant B changing A's account: %d", code)
	}
	if code, _, _ := acc.post("/ui/settings/market/update", url.Values{"csrf": {acc.csrf}, "id": {aid}, "name": {"ALFA Allegro"}, "every": {"5"}, "client_secret": {"ROTATED"}}); code != http.StatusSeeOther {
		t.Fatalf("rotating the secret: %d", code)
	}
	if got, _ := st.MarketAccount(ctx, a.TenantID, accts[0].ID); !strings.Contains(string(got.Config), `"client_secret":"ROTATED"`) || !strings.Contains(string(got.Config), `"refresh_token":"rt"`) {
		t.Errorf("after rotating the secret: %s", got.Config)
	}
	if code, page, _ := acc.post("/ui/settings/market/update", url.Values{"csrf": {acc.csrf}, "id": {aid}, "name": {"ALFA Allegro"}, "api_url": {"http://allegro.example"}}); code != 200 || !strings.Contains(page, "must use https") {
		t.Errorf("a change that breaks the config: %d", code)
	}
	if code, _, _ := other.post("/ui/settings/market/pause", url.Values{"csrf": {other.csrf}, "id": {aid}, "paused": {"1"}}); code != http.StatusNotFound {
		t.Errorf("tenant B pausing A's account: %d", code)
	}
	if code, _, _ := acc.post("/ui/settings/market/pause", url.Values{"csrf": {acc.csrf}, "id": {aid}, "paused": {"1"}}); code != http.StatusSeeOther {
		t.Errorf("pausing: %d", code)
	}
	if _, page, _ := acc.get("/ui/"); !strings.Contains(page, "ALFA Allegro (allegro) <strong>paused</strong>") {
		t.Error("the overview does not show the account paused")
	}
	acc.post("/ui/settings/market/pause", url.Values{"csrf": {acc.csrf}, "id": {aid}, "paused": {"0"}})
	if got, _ := st.MarketAccount(ctx, a.TenantID, accts[0].ID); got.Paused {
		t.Error("resuming did not resume")
	}

	// CSV import with a bad row shows that row's error.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", acc.csrf)
	fw, _ := mw.CreateFormFile("file", "cards.csv")
	fw.Write([]byte("name;attributeName;groupName;measurementUnitName;priceWithoutVat;priceWithVat;vatRate;barcode\nDuona;Prekė;;vnt.;1,00;1,21;21;4770001\n;Prekė;;vnt.;1,00;1,21;21;4770002\nSKU-X;Prekė;;vnt.;10,00;12,10;21;SKU-X\n"))
	mw.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/ui/products/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := acc.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	imported, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(imported), "2 new") || !strings.Contains(string(imported), "<td>3</td>") || !strings.Contains(string(imported), "name is empty") {
		t.Fatalf("import page: %s", imported)
	}

	// A's card is A's: tenant B cannot open it.
	if code, _, _ := acc.get("/ui/products/edit?barcode=4770001"); code != 200 {
		t.Fatalf("A opening its own card: %d", code)
	}
	if code, _, _ := other.get("/ui/products/edit?barcode=4770001"); code != http.StatusNotFound {
		t.Errorf("tenant B opening A's product card: %d", code)
	}

	// An order in Errors (a SKU without a card) is retried from the UI once the card exists.
	acct, _ := st.CreateMarketAccount(ctx, a.TenantID, "amazon", "Amazon EU", []byte(`{}`), time.Hour)
	ma := db.MarketAccount{ID: acct, TenantID: a.TenantID, Kind: "amazon", Name: "Amazon EU"}
	o := posting.Order{Market: "amazon", ID: "302-1", Status: "Shipped", PurchasedAt: time.Now(), Currency: "EUR", ShipTo: "LT", Buyer: posting.OrderBuyer{Key: "x@example.com"},
		Lines: []posting.OrderLine{{Kind: posting.LineGoods, SKU: "SKU-Y", Name: "Y", Qty: d("1"), UnitGross: d("12.10")}}}
	st.SaveOrders(ctx, ma, []posting.Order{o})
	books.New(st).PostOrders(ctx, ma, posting.OrderRules{PostStatuses: map[string]bool{"Shipped": true}})
	_, errors, _ := acc.get("/ui/orders?state=errors")
	om := regexp.MustCompile(`action="/ui/orders/(\d+)/retry"`).FindStringSubmatch(errors)
	if om == nil || !strings.Contains(errors, "SKU-Y") || !strings.Contains(errors, "create the product card") {
		t.Fatalf("orders in Errors: %s", errors)
	}
	if _, overview, _ := acc.get("/ui/"); !strings.Contains(overview, `<a href="/ui/orders?state=errors" class="error">1</a>`) {
		t.Errorf("the overview does not show the account's order in Errors:\n%s", overview)
	}
	st.SaveCard(ctx, a.TenantID, domain.Card{Barcode: "SKU-Y", Name: "Y", Unit: "vnt.", PriceNet: d("10.00"), PriceGross: d("12.10"), VATRate: d("21"), Active: true}, true)
	if code, _, loc := acc.post("/ui/orders/"+om[1]+"/retry", url.Values{"csrf": {acc.csrf}}); code != http.StatusSeeOther || !strings.Contains(loc, "state=posted") {
		t.Fatalf("retry: %d %s", code, loc)
	}
	if _, posted, _ := acc.get("/ui/orders?state=posted"); !strings.Contains(posted, "302-1") {
		t.Fatalf("the retried order is not Posted: %s", posted)
	}
	if _, found, _ := acc.get("/ui/documents?account=Amazon+EU"); !strings.Contains(found, "<td>Amazon EU</td>") || strings.Contains(found, "<td>ALFA1</td>") {
		t.Errorf("documents of the marketplace account:\n%s", found)
	}

	// Settings: enrolling shows the token once; i.SAF downloads once the company is set.
	acc.get("/ui/settings")
	if _, page, _ := acc.post("/ui/settings/enroll", url.Values{"csrf": {acc.csrf}, "store": {"ALFA2"}}); !strings.Contains(page, "tag_") {
		t.Fatalf("enrollment: %s", page)
	}
	if code, _, loc := acc.post("/ui/settings/company", url.Values{"csrf": {acc.csrf}, "name": {"UAB Alfa"}, "code": {"304123456"}}); code != http.StatusSeeOther {
		t.Fatalf("company: %d %s", code, loc)
	}
	month := time.Now().Format("2006-01")
	if code, x, h := acc.get("/ui/reports/isaf?month=" + month); code != 200 || !strings.Contains(h.Get("Content-Disposition"), "isaf_304123456") || !strings.Contains(x, "<InvoiceNo>SF1</InvoiceNo>") {
		t.Fatalf("i.SAF download: %d %v %s", code, h, x)
	}

	// The journal, a product card edited by hand, settings saved, lines written off in bulk.
	if _, j, _ := acc.get("/ui/journal?from=2000-01-01"); !strings.Contains(j, "4492") || !strings.Contains(j, "/ui/documents/"+docID) {
		t.Fatalf("journal: %s", j)
	}
	acc.get("/ui/products/edit?barcode=SKU-Y")
	if code, _, loc := acc.post("/ui/products/save", url.Values{"csrf": {acc.csrf}, "barcode": {"SKU-Y"}, "name": {"Y pervadintas"}, "unit": {"vnt."},
		"price_net": {"10,00"}, "price_gross": {"12,10"}, "vat_rate": {"21"}, "active": {"on"}}); code != http.StatusSeeOther || !strings.Contains(loc, "SKU-Y") {
		t.Fatalf("edit a card: %d %s", code, loc)
	}
	if _, page, _ := acc.post("/ui/products/save", url.Values{"csrf": {acc.csrf}, "create": {"1"}, "barcode": {"NEW-1"}, "name": {"Naujas"}, "unit": {"vnt."},
		"price_net": {"1,00"}, "price_gross": {"1,30"}, "vat_rate": {"21"}}); !strings.Contains(page, "does not match") {
		t.Fatalf("a card whose prices disagree must be refused with the reason: %s", page)
	}
	if cards, _ := st.Cards(ctx, a.TenantID, "pervadintas", "", 10); len(cards) != 1 {
		t.Fatal("the edited card was not saved")
	}
	for path, form := range map[string]url.Values{
		"/ui/settings/classifier": {"rate": {"12"}, "code": {"PVM58"}, "name": {"12 % accommodation"}},
		"/ui/settings/operation":  {"code": {"sale"}, "name": {"Pardavimas"}, "series": {"KVT"}, "debit": {"2410"}, "credit": {"5000"}},
		"/ui/settings/account":    {"code": {"2722"}, "name": {"Antra kasa"}, "kind": {"asset"}, "active": {"on"}},
	} {
		form.Set("csrf", acc.csrf)
		if code, body, _ := acc.post(path, form); code != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", path, code, body)
		}
	}
	if _, page, _ := acc.post("/ui/settings/operation", url.Values{"csrf": {acc.csrf}, "code": {"sale"}, "series": {"KVT"}, "debit": {"9999"}, "credit": {"5000"}}); !strings.Contains(page, `account &#34;9999&#34; is not in the chart`) {
		t.Fatalf("an operation with an unknown account: %s", page)
	}
	books.New(st).StockIn(ctx, a.TenantID, "", "2026-11-01", "bulk", []books.StockInLine{{Barcode: "1", Qty: d("10"), UnitCost: d("5")}})
	un, _ := st.Unresolved(ctx, a.TenantID, 0, true)
	form := url.Values{"csrf": {acc.csrf}}
	for _, l := range un {
		form.Add("ids", fmt.Sprint(l.ID))
	}
	// Item 1 now has stock, SKU-Y has none: one line is written off, the other is named with its reason.
	if code, _, loc := acc.post("/ui/unresolved/bulk", form); code != http.StatusSeeOther || len(un) != 2 ||
		!strings.Contains(loc, url.QueryEscape("1 written off")) || !strings.Contains(loc, url.QueryEscape("no stock of SKU-Y")) {
		t.Fatalf("bulk write-off of %d lines: %d %s", len(un), code, loc)
	}

	// Signing out ends the session on the server: the old cookie no longer works.
	jarCookies := acc.http.Jar.Cookies(mustURL(srv.URL + "/ui/"))
	acc.post("/ui/logout", url.Values{"csrf": {acc.csrf}})
	replay := newBrowser(t, srv)
	replay.http.Jar.SetCookies(mustURL(srv.URL+"/ui/"), jarCookies)
	if code, _, _ := replay.get("/ui/"); code != http.StatusSeeOther {
		t.Fatalf("an ended session still works: %d", code)
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
