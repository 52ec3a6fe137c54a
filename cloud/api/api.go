// Package api is the cloud's read API: JSON over HTTP, authenticated with a tenant's API token.
// Every query is scoped to the token's tenant.
package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tiltas/cloud/db"
)

// Store is what the API reads.
type Store interface {
	AuthAPI(ctx context.Context, token string) (int64, error)
	Session(ctx context.Context, token string) (db.User, string, error)
	Stores(ctx context.Context, tenantID int64) ([]db.StoreRef, error)
	StoreByCode(ctx context.Context, tenantID int64, code string) (db.StoreRef, error)
	StoreStatus(ctx context.Context, st db.StoreRef) (db.StoreStatus, error)
	Receipts(ctx context.Context, q db.Query) ([]db.ReceiptRecord, error)
	DayCloses(ctx context.Context, q db.Query) ([]db.DayCloseRecord, error)
	Rejected(ctx context.Context, tenantID, storeID int64, limit int) ([]db.RejectedItem, error)
	Catalogue
	Ledger
	Market
	Reports
}

// API serves /api/v1/.
type API struct {
	Store Store
	Books Booking
	Log   *slog.Logger
	// Zone is where the shops are: plain dates in from/to are days there.
	Zone *time.Location
	// Version names this build in generated files.
	Version string
	// SessionCookie, when set, names the web UI's session cookie: a signed-in accountant's
	// browser may call the API too. Changes then need the session's CSRF token in X-CSRF-Token.
	SessionCookie string
}

// Register adds the API's routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/stores", a.auth(a.stores))
	mux.Handle("GET /api/v1/stores/{store}/status", a.auth(a.status))
	mux.Handle("GET /api/v1/receipts", a.auth(a.receipts))
	mux.Handle("GET /api/v1/dayclosures", a.auth(a.dayCloses))
	mux.Handle("GET /api/v1/rejected", a.auth(a.rejected))
	a.registerProducts(mux)
	a.registerBooks(mux)
	a.registerMarket(mux)
	a.registerReports(mux)
}

type handler func(w http.ResponseWriter, r *http.Request, tenant int64) error

// auth finds the caller's tenant from an API token or, failing that, a signed-in UI session,
// and answers errors as JSON.
func (a *API) auth(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant, err := a.authenticate(r)
		if err == nil {
			err = h(w, r, tenant)
		}
		if err != nil {
			a.answerError(w, r, err)
		}
	})
}

func (a *API) authenticate(r *http.Request) (int64, error) {
	token, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if bearer && token != "" {
		tenant, err := a.Store.AuthAPI(r.Context(), token)
		if errors.Is(err, db.ErrNotFound) {
			return 0, &httpErr{http.StatusUnauthorized, "API token not recognised or revoked"}
		}
		return tenant, err
	}
	if c, err := r.Cookie(a.SessionCookie); a.SessionCookie != "" && err == nil {
		user, csrf, err := a.Store.Session(r.Context(), c.Value)
		if errors.Is(err, db.ErrNotFound) {
			return 0, &httpErr{http.StatusUnauthorized, "the session has ended: sign in again at /ui/login"}
		}
		if err != nil {
			return 0, err
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-CSRF-Token")), []byte(csrf)) != 1 {
				return 0, &httpErr{http.StatusForbidden, "a change made with a session cookie needs the session's CSRF token in the X-CSRF-Token header"}
			}
			if user.Role != db.RoleAccountant {
				return 0, &httpErr{http.StatusForbidden, "your role (" + user.Role + ") may look but not change anything: ask an accountant"}
			}
		}
		return user.TenantID, nil
	}
	return 0, &httpErr{http.StatusUnauthorized, "missing Authorization: Bearer <API token> (create one with `tiltas-cloud token create --tenant NAME`), or sign in at /ui/login"}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	_ = enc.Encode(v)
}

func (a *API) stores(w http.ResponseWriter, r *http.Request, tenant int64) error {
	st, err := a.Store.Stores(r.Context(), tenant)
	if err != nil {
		return err
	}
	if st == nil {
		st = []db.StoreRef{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"stores": st})
	return nil
}

func (a *API) status(w http.ResponseWriter, r *http.Request, tenant int64) error {
	st, err := a.Store.StoreByCode(r.Context(), tenant, r.PathValue("store"))
	if err != nil {
		return err
	}
	out, err := a.Store.StoreStatus(r.Context(), st)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// query reads ?store=&from=&to=&after=&limit=.
func (a *API) query(r *http.Request, tenant int64) (db.Query, error) {
	q := db.Query{TenantID: tenant}
	v := r.URL.Query()
	if code := v.Get("store"); code != "" {
		st, err := a.Store.StoreByCode(r.Context(), tenant, code)
		if err != nil {
			return q, err
		}
		q.StoreID = st.ID
	}
	var err error
	if q.From, err = a.parseTime(v.Get("from"), false); err != nil {
		return q, badRequest("from: %v", err)
	}
	if q.To, err = a.parseTime(v.Get("to"), true); err != nil {
		return q, badRequest("to: %v", err)
	}
	if s := v.Get("after"); s != "" {
		if q.AfterID, err = strconv.ParseInt(s, 10, 64); err != nil || q.AfterID < 0 {
			return q, badRequest("after=%q is not a record id", s)
		}
	}
	q.Limit, err = limitParam(r)
	return q, err
}

// limitParam reads ?limit=, 1 to db.PageMax; 0 when there is none (the list's default page).
func limitParam(r *http.Request) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > db.PageMax {
		return 0, badRequest("limit=%q: use 1-%d", s, db.PageMax)
	}
	return n, nil
}

// parseTime takes RFC 3339 or a plain date (a day in the shops' zone). A plain "to" date is
// inclusive: it means up to the end of that day.
func (a *API) parseTime(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, a.Zone)
	if err != nil {
		return t, fmt.Errorf("%q is neither a date (2026-11-23) nor a time (2026-11-23T10:00:00Z)", s)
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

func (a *API) receipts(w http.ResponseWriter, r *http.Request, tenant int64) error {
	return listRecords(a, w, r, tenant, "receipts", a.Store.Receipts, func(rec db.ReceiptRecord) int64 { return rec.ID })
}

func (a *API) dayCloses(w http.ResponseWriter, r *http.Request, tenant int64) error {
	return listRecords(a, w, r, tenant, "dayclosures", a.Store.DayCloses, func(rec db.DayCloseRecord) int64 { return rec.ID })
}

// listRecords answers a paged list: {key: [...], next_after: id} while a full page came back.
func listRecords[T any](a *API, w http.ResponseWriter, r *http.Request, tenant int64, key string,
	fetch func(context.Context, db.Query) ([]T, error), id func(T) int64) error {
	q, err := a.query(r, tenant)
	if err != nil {
		return err
	}
	recs, err := fetch(r.Context(), q)
	if err != nil {
		return err
	}
	if recs == nil {
		recs = []T{}
	}
	out := map[string]any{key: recs}
	if n := len(recs); n > 0 && n == db.PageLimit(q.Limit) {
		out["next_after"] = id(recs[n-1])
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) rejected(w http.ResponseWriter, r *http.Request, tenant int64) error {
	q, err := a.query(r, tenant)
	if err != nil {
		return err
	}
	rj, err := a.Store.Rejected(r.Context(), tenant, q.StoreID, q.Limit)
	if err != nil {
		return err
	}
	if rj == nil {
		rj = []db.RejectedItem{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"rejected": rj})
	return nil
}
