package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
)

// Booking is what the accounting endpoints that write the books need (cloud/books).
type Booking interface {
	Cancel(ctx context.Context, tenantID, docID int64, by string) error
	StockIn(ctx context.Context, tenantID int64, warehouse, date, key string, lines []books.StockInLine) (int64, error)
	Resolve(ctx context.Context, tenantID, lineID int64, barcode string) (int64, error)
}

// Ledger is what the accounting endpoints read, and the settings they change.
type Ledger interface {
	Documents(ctx context.Context, q db.DocQuery) ([]db.DocSummary, error)
	Document(ctx context.Context, tenantID, id int64) (db.DocDetail, error)
	Journal(ctx context.Context, tenantID int64, from, to string, afterID int64, limit int) ([]db.EntryRecord, error)
	TrialBalance(ctx context.Context, tenantID int64, to string) ([]db.AccountBalance, error)
	StockBalances(ctx context.Context, tenantID int64, warehouse string) ([]db.StockBalance, error)
	Unresolved(ctx context.Context, tenantID, docID int64, openOnly bool) ([]db.Unresolved, error)
	Reconcile(ctx context.Context, tenantID int64, store, from, to string) ([]db.Reconciliation, error)
	PostingFailures(ctx context.Context, tenantID int64) ([]db.PostingFailure, error)
	RetryFailed(ctx context.Context, tenantID int64, kind string, row int64) error
	POSSettings(ctx context.Context, tenantID int64) (db.POSSettings, error)
	SetPOSSettings(ctx context.Context, tenantID int64, p db.POSSettings) error
	SetStorePOSMode(ctx context.Context, tenantID int64, code, mode string) error
	SetStoreStart(ctx context.Context, tenantID int64, code, date string, history bool) error
	BooksClosedUntil(ctx context.Context, tenantID int64) (string, error)
	CloseBooks(ctx context.Context, tenantID int64, until string) error
	Accounts(ctx context.Context, tenantID int64) ([]db.Account, error)
	SaveAccount(ctx context.Context, tenantID int64, a db.Account) error
	OperationTypes(ctx context.Context, tenantID int64) ([]db.OperationType, error)
	SaveOperationType(ctx context.Context, tenantID int64, o db.OperationType) error
	VATClassifiers(ctx context.Context, tenantID int64) ([]db.VATClassifier, error)
	SaveVATClassifier(ctx context.Context, tenantID int64, c db.VATClassifier) error
}

func (a *API) registerBooks(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/documents", a.auth(a.documents))
	mux.Handle("GET /api/v1/documents/{id}", a.auth(a.document))
	mux.Handle("POST /api/v1/documents/{id}/cancel", a.auth(a.cancel))
	mux.Handle("GET /api/v1/journal", a.auth(a.journal))
	mux.Handle("GET /api/v1/trial-balance", a.auth(a.trialBalance))
	mux.Handle("GET /api/v1/stock", a.auth(a.stock))
	mux.Handle("POST /api/v1/stock/receipts", a.auth(a.stockIn))
	mux.Handle("GET /api/v1/unresolved", a.auth(a.unresolved))
	mux.Handle("POST /api/v1/unresolved/{id}/resolve", a.auth(a.resolve))
	mux.Handle("GET /api/v1/reconciliation", a.auth(a.reconciliation))
	mux.Handle("GET /api/v1/posting-failures", a.auth(a.failures))
	mux.Handle("POST /api/v1/posting-failures/{kind}/{row}/retry", a.auth(a.retry))
	mux.Handle("GET /api/v1/settings/pos", a.auth(a.getPOSSettings))
	mux.Handle("PUT /api/v1/settings/pos", a.auth(a.putPOSSettings))
	mux.Handle("PUT /api/v1/stores/{store}/pos-mode", a.auth(a.putStorePOSMode))
	mux.Handle("PUT /api/v1/stores/{store}/start", a.auth(a.putStoreStart))
	mux.Handle("GET /api/v1/settings/books", a.auth(a.getBooksClosed))
	mux.Handle("PUT /api/v1/settings/books", a.auth(a.putBooksClosed))
	mux.Handle("GET /api/v1/accounts", a.auth(a.accounts))
	mux.Handle("PUT /api/v1/accounts/{code}", a.auth(a.putAccount))
	mux.Handle("GET /api/v1/operation-types", a.auth(a.operationTypes))
	mux.Handle("PUT /api/v1/operation-types/{code}", a.auth(a.putOperationType))
	mux.Handle("GET /api/v1/vat-classifiers", a.auth(a.vatClassifiers))
	mux.Handle("PUT /api/v1/vat-classifiers/{rate}", a.auth(a.putVATClassifier))
}

func (a *API) putVATClassifier(w http.ResponseWriter, r *http.Request, tenant int64) error {
	return put(w, r, tenant, func(v *db.VATClassifier) { v.Rate = r.PathValue("rate") }, a.Store.SaveVATClassifier)
}

// list writes {key: items} with an empty list rather than null.
func list[T any](w http.ResponseWriter, key string, items []T, err error) error {
	if err != nil {
		return err
	}
	if items == nil {
		items = []T{}
	}
	writeJSON(w, http.StatusOK, map[string]any{key: items})
	return nil
}

// dateParam reads a YYYY-MM-DD query parameter.
func dateParam(r *http.Request, name string) (string, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return "", nil
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return "", badRequest("%s=%q: use a date such as 2026-11-23", name, v)
	}
	return v, nil
}

func idParam(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("%s %q is not an id", name, r.PathValue(name))
	}
	return id, nil
}

func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 8<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("the body is not the expected JSON: %v", err)
	}
	return nil
}

// invalid maps the store's refusals to 422 with their message.

// DocQuery reads a document search from query parameters: series, number, customer, store,
// account (a marketplace account's name), operation, from, to (dates), min, max (amounts),
// after, limit. Every problem is named.
func DocQuery(tenant int64, v url.Values) (db.DocQuery, error) {
	q := db.DocQuery{TenantID: tenant, Series: v.Get("series"), Customer: v.Get("customer"), Store: v.Get("store"), Account: v.Get("account"), Op: v.Get("operation")}
	var problems []string
	for name, dst := range map[string]*string{"from": &q.From, "to": &q.To} {
		if x := v.Get(name); x != "" {
			if _, err := time.Parse(time.DateOnly, x); err != nil {
				problems = append(problems, fmt.Sprintf("%s=%q is not a date such as 2026-11-23", name, x))
			}
			*dst = x
		}
	}
	for name, dst := range map[string]*int64{"number": &q.Number, "after": &q.AfterID} {
		if x := v.Get(name); x != "" {
			n, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s=%q is not a whole number", name, x))
			}
			*dst = n
		}
	}
	for name, dst := range map[string]**decimal.Decimal{"min": &q.MinTotal, "max": &q.MaxTot} {
		if x := v.Get(name); x != "" {
			d, err := decimal.NewFromString(x)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s=%q is not an amount", name, x))
				continue
			}
			*dst = &d
		}
	}
	if x := v.Get("limit"); x != "" {
		n, err := strconv.Atoi(x)
		if err != nil || n < 1 || n > db.PageMax {
			problems = append(problems, fmt.Sprintf("limit=%q: use 1-%d", x, db.PageMax))
		}
		q.Limit = n
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return q, badRequest("%s", strings.Join(problems, "; "))
	}
	return q, nil
}

func (a *API) documents(w http.ResponseWriter, r *http.Request, tenant int64) error {
	q, err := DocQuery(tenant, r.URL.Query())
	if err != nil {
		return err
	}
	docs, err := a.Store.Documents(r.Context(), q)
	if err != nil {
		return err
	}
	if docs == nil {
		docs = []db.DocSummary{}
	}
	out := map[string]any{"documents": docs}
	if len(docs) == db.PageLimit(q.Limit) {
		out["next_after"] = docs[len(docs)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) document(w http.ResponseWriter, r *http.Request, tenant int64) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	d, err := a.Store.Document(r.Context(), tenant, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (a *API) cancel(w http.ResponseWriter, r *http.Request, tenant int64) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := a.Books.Cancel(r.Context(), tenant, id, "API"); err != nil {
		return err
	}
	return a.document(w, r, tenant)
}

func (a *API) journal(w http.ResponseWriter, r *http.Request, tenant int64) error {
	from, err := dateParam(r, "from")
	if err != nil {
		return err
	}
	to, err := dateParam(r, "to")
	if err != nil {
		return err
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	es, err := a.Store.Journal(r.Context(), tenant, from, to, after, limit)
	return list(w, "entries", es, err)
}

func (a *API) trialBalance(w http.ResponseWriter, r *http.Request, tenant int64) error {
	to, err := dateParam(r, "to")
	if err != nil {
		return err
	}
	tb, err := a.Store.TrialBalance(r.Context(), tenant, to)
	return list(w, "accounts", tb, err)
}

func (a *API) stock(w http.ResponseWriter, r *http.Request, tenant int64) error {
	bs, err := a.Store.StockBalances(r.Context(), tenant, r.URL.Query().Get("warehouse"))
	return list(w, "stock", bs, err)
}

func (a *API) stockIn(w http.ResponseWriter, r *http.Request, tenant int64) error {
	var body struct {
		Warehouse string              `json:"warehouse"`
		Date      string              `json:"date"`
		Key       string              `json:"key"` // your request id: the same key twice receives once
		Lines     []books.StockInLine `json:"lines"`
	}
	if err := readJSON(r, &body); err != nil {
		return err
	}
	if body.Key == "" {
		return badRequest("key is required: an id of your own for this delivery, so a retried request receives it once")
	}
	id, err := a.Books.StockIn(r.Context(), tenant, body.Warehouse, body.Date, body.Key, body.Lines)
	if err != nil {
		return err
	}
	d, err := a.Store.Document(r.Context(), tenant, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

func (a *API) unresolved(w http.ResponseWriter, r *http.Request, tenant int64) error {
	un, err := a.Store.Unresolved(r.Context(), tenant, 0, r.URL.Query().Get("all") == "")
	return list(w, "unresolved", un, err)
}

func (a *API) resolve(w http.ResponseWriter, r *http.Request, tenant int64) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		Barcode string `json:"barcode"` // write off another item instead
	}
	if r.ContentLength != 0 {
		if err := readJSON(r, &body); err != nil {
			return err
		}
	}
	docID, err := a.Books.Resolve(r.Context(), tenant, id, body.Barcode)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"writeoff_document": docID})
	return nil
}

func (a *API) reconciliation(w http.ResponseWriter, r *http.Request, tenant int64) error {
	from, err := dateParam(r, "from")
	if err != nil {
		return err
	}
	to, err := dateParam(r, "to")
	if err != nil {
		return err
	}
	rec, err := a.Store.Reconcile(r.Context(), tenant, r.URL.Query().Get("store"), from, to)
	return list(w, "dayclosures", rec, err)
}

func (a *API) failures(w http.ResponseWriter, r *http.Request, tenant int64) error {
	fs, err := a.Store.PostingFailures(r.Context(), tenant)
	return list(w, "failures", fs, err)
}

func (a *API) retry(w http.ResponseWriter, r *http.Request, tenant int64) error {
	row, err := idParam(r, "row")
	if err != nil {
		return err
	}
	if err := a.Store.RetryFailed(r.Context(), tenant, r.PathValue("kind"), row); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "queued for posting"})
	return nil
}

func (a *API) getPOSSettings(w http.ResponseWriter, r *http.Request, tenant int64) error {
	s, err := a.Store.POSSettings(r.Context(), tenant)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}

func (a *API) putPOSSettings(w http.ResponseWriter, r *http.Request, tenant int64) error {
	var s db.POSSettings
	if err := readJSON(r, &s); err != nil {
		return err
	}
	if err := a.Store.SetPOSSettings(r.Context(), tenant, s); err != nil {
		return err
	}
	return a.getPOSSettings(w, r, tenant)
}

// putStorePOSMode sets one store's POS mode: {"pos_mode": "receipt" | "dayclose" | ""}, where
// "" follows the tenant's POS settings.
func (a *API) putStorePOSMode(w http.ResponseWriter, r *http.Request, tenant int64) error {
	var body struct {
		Mode *string `json:"pos_mode"`
	}
	if err := readJSON(r, &body); err != nil {
		return err
	}
	if body.Mode == nil {
		return badRequest(`body needs "pos_mode": "receipt", "dayclose", or "" for the tenant's setting`)
	}
	code := r.PathValue("store")
	if err := a.Store.SetStorePOSMode(r.Context(), tenant, code, *body.Mode); err != nil {
		return err
	}
	st, err := a.Store.StoreByCode(r.Context(), tenant, code)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// putStoreStart sets one store's start date: {"start_date": "2026-01-01", "history": false}.
// Nothing closed before it is booked; with history the agent ships the older receipts too, held
// and listed as history, otherwise they stay in the POS. "" for the whole history.
func (a *API) putStoreStart(w http.ResponseWriter, r *http.Request, tenant int64) error {
	var body struct {
		Date    *string `json:"start_date"`
		History bool    `json:"history"`
	}
	if err := readJSON(r, &body); err != nil {
		return err
	}
	if body.Date == nil {
		return badRequest(`body needs "start_date": "YYYY-MM-DD", or "" for the whole history, and may say "history": true`)
	}
	code := r.PathValue("store")
	if err := a.Store.SetStoreStart(r.Context(), tenant, code, *body.Date, body.History); err != nil {
		return err
	}
	st, err := a.Store.StoreByCode(r.Context(), tenant, code)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (a *API) getBooksClosed(w http.ResponseWriter, r *http.Request, tenant int64) error {
	d, err := a.Store.BooksClosedUntil(r.Context(), tenant)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"closed_until": d})
	return nil
}

// putBooksClosed closes the books up to a day: {"closed_until": "2026-10-31"}, or "" to open.
func (a *API) putBooksClosed(w http.ResponseWriter, r *http.Request, tenant int64) error {
	var body struct {
		Until *string `json:"closed_until"`
	}
	if err := readJSON(r, &body); err != nil {
		return err
	}
	if body.Until == nil {
		return badRequest(`body needs "closed_until": a day such as "2026-10-31", or "" to open the books`)
	}
	if err := a.Store.CloseBooks(r.Context(), tenant, *body.Until); err != nil {
		return err
	}
	a.Log.Warn("books closed", "tenant", tenant, "until", *body.Until, "by", "API")
	return a.getBooksClosed(w, r, tenant)
}

func (a *API) accounts(w http.ResponseWriter, r *http.Request, tenant int64) error {
	as, err := a.Store.Accounts(r.Context(), tenant)
	return list(w, "accounts", as, err)
}

func (a *API) putAccount(w http.ResponseWriter, r *http.Request, tenant int64) error {
	return put(w, r, tenant, func(v *db.Account) { v.Code = r.PathValue("code") }, a.Store.SaveAccount)
}

// put answers a PUT of one settings item: decode it, take its key from the path, save it,
// and answer it back (422 with the reason when refused).
func put[T any](w http.ResponseWriter, r *http.Request, tenant int64, key func(*T), save func(context.Context, int64, T) error) error {
	var v T
	if err := readJSON(r, &v); err != nil {
		return err
	}
	key(&v)
	if err := save(r.Context(), tenant, v); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (a *API) operationTypes(w http.ResponseWriter, r *http.Request, tenant int64) error {
	os, err := a.Store.OperationTypes(r.Context(), tenant)
	return list(w, "operation_types", os, err)
}

func (a *API) putOperationType(w http.ResponseWriter, r *http.Request, tenant int64) error {
	return put(w, r, tenant, func(v *db.OperationType) { v.Code = r.PathValue("code") }, a.Store.SaveOperationType)
}

func (a *API) vatClassifiers(w http.ResponseWriter, r *http.Request, tenant int64) error {
	cs, err := a.Store.VATClassifiers(r.Context(), tenant)
	return list(w, "vat_classifiers", cs, err)
}
