// Package ui is the accountants' web UI: server-rendered pages from templates embedded in the
// binary, no build step. Sign-in with bcrypt passwords and server-side sessions; a CSRF token
// on every form; viewers may look but not change; every query is scoped to the user's tenant.
// The pages read and change through interfaces defined here, one per page group, composed into
// Store (served by *db.DB) and Booking (served by *books.Books).
package ui

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/cloud/posting"
)

//go:embed templates static
var files embed.FS

// SessionCookie names the cookie that carries a signed-in session; the JSON API accepts it too.
const SessionCookie = "tiltas_session"
const loginCookie = "tiltas_login_csrf"

// Store is everything the UI reads and changes outside the books, one interface per page
// group; *db.DB is one.
type Store interface {
	Sessions
	Shops
	Ledger
	Stock
	Orders
	Marketplaces
	Catalogue
	Reports
	Settings
	People
	Tokens
}

// Sessions is what signing in and out needs: sessions and the counts of failed sign-ins.
type Sessions interface {
	Session(ctx context.Context, token string) (db.User, string, error)
	Login(ctx context.Context, email, password string) (token, csrf string, err error)
	Logout(ctx context.Context, token string) error
	FailedSignIns
}

// Booking is what the UI asks the books to do; *books.Books is one.
type Booking interface {
	Cancel(ctx context.Context, tenantID, docID int64, by string) error
	Resolve(ctx context.Context, tenantID, lineID int64, barcode string) (int64, error)
	PostOrders(ctx context.Context, acct db.MarketAccount, rules posting.OrderRules) (books.Result, error)
}

// UI serves /ui/.
type UI struct {
	Store Store
	Books Booking
	Log   *slog.Logger
	// SecureCookies marks cookies Secure (TLS, or a TLS proxy in front).
	SecureCookies bool
	// Version names this build in generated files (i.SAF's SoftwareVersion).
	Version string
	// Zone is the shops' time zone: "today", plain dates in filters and times shown are there.
	// Default: the machine's.
	Zone   *time.Location
	pages  map[string]*template.Template
	logins *loginGuard
}

func (u *UI) zone() *time.Location {
	if u.Zone == nil {
		return time.Local
	}
	return u.Zone
}

type session struct {
	user  db.User
	csrf  string
	token string
}

// page is what every template gets.
type page struct {
	Title     string
	User      *db.User
	CSRF      string
	CanChange bool
	Flash     string
	Error     string
	Data      any
}

var funcs = template.FuncMap{
	"pretty": func(raw []byte) string {
		var b bytes.Buffer
		if json.Indent(&b, raw, "", "  ") != nil {
			return string(raw)
		}
		return b.String()
	},
	"money":   func(d decimal.Decimal) string { return d.StringFixed(2) },
	"posting": func(state string) string { return postingText[state] },
	"minutes": func(seconds int) int { return seconds / 60 },
}

// Register adds the UI's routes to mux.
func (u *UI) Register(mux *http.ServeMux) {
	u.pages = map[string]*template.Template{}
	u.logins = &loginGuard{store: u.Store}
	fm := template.FuncMap{"when": func(v any) string {
		var t time.Time
		switch x := v.(type) {
		case time.Time:
			t = x
		case *time.Time:
			if x != nil {
				t = *x
			}
		}
		if t.IsZero() {
			return "never"
		}
		return t.In(u.zone()).Format("2006-01-02 15:04")
	}}
	for k, f := range funcs {
		fm[k] = f
	}
	for _, p := range []string{"login", "account", "overview", "receipts", "receipt", "documents", "document", "orders", "unresolved", "table", "products", "product", "reports", "settings", "journal"} {
		u.pages[p] = template.Must(template.New("layout.html").Funcs(fm).ParseFS(files, "templates/layout.html", "templates/"+p+".html"))
	}
	static, _ := fs.Sub(files, "static")
	mux.Handle("GET /ui/static/", http.StripPrefix("/ui/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /ui/login", u.loginForm)
	mux.HandleFunc("POST /ui/login", u.login)
	for route, h := range map[string]func(http.ResponseWriter, *http.Request, *session){
		"POST /ui/logout":                  u.logout,
		"GET /ui/account":                  u.account,
		"POST /ui/account/password":        u.changePassword,
		"GET /ui/{$}":                      u.overview,
		"GET /ui/receipts":                 u.receipts,
		"GET /ui/receipts/{id}":            u.receipt,
		"GET /ui/documents":                u.documents,
		"GET /ui/documents/{id}":           u.document,
		"POST /ui/documents/{id}/cancel":   u.cancel,
		"GET /ui/orders":                   u.orders,
		"POST /ui/orders/{id}/retry":       u.retryOrder,
		"GET /ui/unresolved":               u.unresolved,
		"POST /ui/unresolved/{id}/resolve": u.resolve,
		"GET /ui/stock":                    u.stock,
		"GET /ui/journal":                  u.journal,
		"POST /ui/unresolved/bulk":         u.resolveBulk,
		"GET /ui/products/new":             u.productForm,
		"GET /ui/products/edit":            u.productForm,
		"POST /ui/products/save":           u.saveProduct,
		"POST /ui/settings/fetch":          u.fetchNow,
		"POST /ui/settings/market":         u.addMarket,
		"POST /ui/settings/market/update":  u.updateMarket,
		"POST /ui/settings/market/pause":   u.pauseMarket,
		"POST /ui/settings/classifier":     u.saveClassifier,
		"POST /ui/settings/operation":      u.saveOperation,
		"POST /ui/settings/account":        u.saveAccount,
		"GET /ui/trial-balance":            u.trialBalance,
		"GET /ui/products":                 u.products,
		"POST /ui/products/import":         u.importProducts,
		"GET /ui/reports":                  u.reports,
		"GET /ui/reports/view":             u.reportView,
		"GET /ui/reports/isaf":             u.isaf,
		"GET /ui/settings":                 u.settings,
		"POST /ui/settings/company":        u.saveCompany,
		"POST /ui/settings/pos":            u.savePOS,
		"POST /ui/settings/close":          u.closeBooks,
		"POST /ui/settings/user/add":       u.addUser,
		"POST /ui/settings/user/remove":    u.removeUser,
		"POST /ui/settings/store-mode":     u.saveStoreMode,
		"POST /ui/settings/store-start":    u.saveStoreStart,
		"POST /ui/settings/enroll":         u.enroll,
		"POST /ui/settings/agent/revoke":   u.revokeAgent,
		"POST /ui/settings/token/create":   u.createAPIToken,
		"POST /ui/settings/token/revoke":   u.revokeAPIToken,
		"POST /ui/settings/vat-rates":      u.importVAT,
		"POST /ui/settings/reduced-rates":  u.importReduced,
		"POST /ui/settings/fx-rates":       u.importFX,
	} {
		mux.Handle(route, u.guard(h))
	}
	mux.Handle("GET /ui", http.RedirectHandler("/ui/", http.StatusFound))
}

func secureHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// guard requires a session; on POST it requires the session's CSRF token and a role that may
// change things.
func (u *UI) guard(h func(http.ResponseWriter, *http.Request, *session)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secureHeaders(w)
		c, err := r.Cookie(SessionCookie)
		if err != nil {
			http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
			return
		}
		user, csrf, err := u.Store.Session(r.Context(), c.Value)
		if errors.Is(err, db.ErrNotFound) {
			http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
			return
		}
		if err != nil {
			u.Log.Error("session", "err", err)
			http.Error(w, "the database is unavailable; try again shortly", http.StatusServiceUnavailable)
			return
		}
		s := &session{user: user, csrf: csrf, token: c.Value}
		if r.Method == http.MethodPost {
			if err := r.ParseMultipartForm(64 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
				http.Error(w, "the form could not be read", http.StatusBadRequest)
				return
			}
			if subtle.ConstantTimeCompare([]byte(r.FormValue("csrf")), []byte(csrf)) != 1 {
				http.Error(w, "this form has expired or did not come from Tiltas (CSRF check): reload the page and try again", http.StatusForbidden)
				return
			}
			// Anyone may sign out and change their own password; only accountants change the books.
			if user.Role != db.RoleAccountant && r.URL.Path != "/ui/logout" && r.URL.Path != "/ui/account/password" {
				http.Error(w, "your role ("+user.Role+") may look but not change anything: ask an accountant", http.StatusForbidden)
				return
			}
		}
		h(w, r, s)
	})
}

func (u *UI) render(w http.ResponseWriter, r *http.Request, s *session, name, title string, data any, flash, errMsg string) {
	p := page{Title: title, Data: data, Flash: flash, Error: errMsg}
	if s != nil {
		p.User, p.CSRF, p.CanChange = &s.user, s.csrf, s.user.Role == db.RoleAccountant
	}
	if r.Context().Value(loginCSRFKey{}) != nil {
		p.CSRF = r.Context().Value(loginCSRFKey{}).(string)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := u.pages[name].Execute(w, p); err != nil {
		u.Log.Error("render", "page", name, "err", err)
	}
}

type loginCSRFKey struct{}

func randomHex() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// cookie makes one of the UI's cookies. The session cookie is for the whole site, so that a
// signed-in browser may call /api/v1 too; the sign-in form's cookie stays under /ui.
func (u *UI) cookie(name, value string, maxAge int) *http.Cookie {
	path := "/ui"
	if name == SessionCookie {
		path = "/"
	}
	return &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: u.SecureCookies, MaxAge: maxAge}
}

// The login form carries a token matched against a cookie, so a forged sign-in is refused too.
func (u *UI) loginForm(w http.ResponseWriter, r *http.Request) {
	secureHeaders(w)
	tok := randomHex()
	http.SetCookie(w, u.cookie(loginCookie, tok, 600))
	u.render(w, r.WithContext(context.WithValue(r.Context(), loginCSRFKey{}, tok)), nil, "login", "Sign in", nil, "", r.URL.Query().Get("error"))
}

func (u *UI) login(w http.ResponseWriter, r *http.Request) {
	secureHeaders(w)
	c, err := r.Cookie(loginCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.FormValue("csrf"))) != 1 {
		http.Error(w, "this sign-in form has expired (CSRF check): open the sign-in page again", http.StatusForbidden)
		return
	}
	account := "email:" + strings.ToLower(strings.TrimSpace(r.FormValue("email")))
	addr := "addr:" + r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		addr = "addr:" + host
	}
	until, blocked, err := u.logins.blocked(r.Context(), account, addr)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if blocked {
		u.Log.Warn("sign-in refused: too many failures", "account", account, "addr", addr, "until", until)
		http.Redirect(w, r, "/ui/login?error="+url.QueryEscape(fmt.Sprintf("Too many failed sign-ins: try again after %s, or ask an accountant of your company to check your account.",
			until.In(u.zone()).Format("15:04"))), http.StatusSeeOther)
		return
	}
	token, _, err := u.Store.Login(r.Context(), r.FormValue("email"), r.FormValue("password"))
	if errors.Is(err, db.ErrBadLogin) {
		if err := u.logins.failed(r.Context(), account, addr); err != nil {
			u.Log.Error("count a failed sign-in", "err", err)
		}
		http.Redirect(w, r, "/ui/login?error="+url.QueryEscape("Wrong e-mail or password."), http.StatusSeeOther)
		return
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if err := u.logins.succeeded(r.Context(), account); err != nil {
		u.Log.Error("clear failed sign-ins", "err", err)
	}
	http.SetCookie(w, u.cookie(loginCookie, "", -1))
	http.SetCookie(w, u.cookie(SessionCookie, token, int(db.SessionTTL.Seconds())))
	http.Redirect(w, r, "/ui/", http.StatusSeeOther)
}

func (u *UI) logout(w http.ResponseWriter, r *http.Request, s *session) {
	if err := u.Store.Logout(r.Context(), s.token); err != nil {
		u.fail(w, r, err) // the session still works: say so rather than seem signed out
		return
	}
	http.SetCookie(w, u.cookie(SessionCookie, "", -1))
	http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
}

func id(r *http.Request) (int64, bool) {
	v, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return v, err == nil && v > 0
}

func back(w http.ResponseWriter, r *http.Request, to, flash string) {
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	http.Redirect(w, r, to+sep+"flash="+url.QueryEscape(flash), http.StatusSeeOther)
}

// nextPage is the query string of the page after this one: the same filters, key set to value.
func nextPage(v url.Values, key, value string) string {
	nv := url.Values{}
	for k := range v {
		nv.Set(k, v.Get(k))
	}
	nv.Set(key, value)
	return nv.Encode()
}
