package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tiltas/cloud/api"
	"tiltas/cloud/db"
	"tiltas/cloud/report"
)

// Ledger is what the documents, journal and trial balance pages read.
type Ledger interface {
	Documents(ctx context.Context, q db.DocQuery) ([]db.DocSummary, error)
	Document(ctx context.Context, tenantID, id int64) (db.DocDetail, error)
	Journal(ctx context.Context, tenantID int64, from, to string, afterID int64, limit int) ([]db.EntryRecord, error)
	TrialBalance(ctx context.Context, tenantID int64, to string) ([]db.AccountBalance, error)
	PostingFailures(ctx context.Context, tenantID int64) ([]db.PostingFailure, error)
}

func (u *UI) documents(w http.ResponseWriter, r *http.Request, s *session) {
	v := r.URL.Query()
	params := url.Values{}
	for k := range v {
		params.Set(k, v.Get(k))
	}
	for _, k := range []string{"min", "max"} {
		params.Set(k, strings.ReplaceAll(params.Get(k), ",", ".")) // people type decimal commas
	}
	params.Del("limit")
	params.Del("operation")
	q, err := api.DocQuery(s.user.TenantID, params)
	q.Limit = 100
	var docs []db.DocSummary
	errMsg := ""
	if err != nil {
		errMsg = err.Error()
	} else if docs, err = u.Store.Documents(r.Context(), q); err != nil {
		u.fail(w, r, err)
		return
	}
	next := ""
	if len(docs) == q.Limit {
		next = nextPage(v, "after", fmt.Sprint(docs[len(docs)-1].ID))
	}
	qm := map[string]string{}
	for _, k := range []string{"series", "number", "customer", "from", "to", "min", "max", "store", "account"} {
		qm[k] = v.Get(k)
	}
	// The accounts only fill the Marketplace filter: without them the documents still show.
	accts, err := u.Store.MarketAccounts(r.Context(), s.user.TenantID)
	if err != nil {
		errMsg = strings.TrimSpace(errMsg + " " + u.unread(r, "The marketplace accounts (for the Marketplace filter)", err))
	}
	u.render(w, r, s, "documents", "Documents", map[string]any{"Documents": docs, "Q": qm, "Next": next, "Accounts": accts}, "", errMsg)
}

func (u *UI) document(w http.ResponseWriter, r *http.Request, s *session) {
	did, ok := id(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	d, err := u.Store.Document(r.Context(), s.user.TenantID, did)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.render(w, r, s, "document", fmt.Sprintf("%s%d", d.Series, d.Number), map[string]any{"Doc": d}, r.URL.Query().Get("flash"), r.URL.Query().Get("error"))
}

func (u *UI) cancel(w http.ResponseWriter, r *http.Request, s *session) {
	did, ok := id(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if err := u.Books.Cancel(r.Context(), s.user.TenantID, did, s.user.Email); err != nil {
		u.refused(w, r, err, func(msg string) {
			http.Redirect(w, r, fmt.Sprintf("/ui/documents/%d?error=%s", did, url.QueryEscape(msg)), http.StatusSeeOther)
		})
		return
	}
	back(w, r, fmt.Sprintf("/ui/documents/%d", did), "Cancelled: the number is kept and a reversal entry was added.")
}

func (u *UI) trialBalance(w http.ResponseWriter, r *http.Request, s *session) {
	tb, err := u.Store.TrialBalance(r.Context(), s.user.TenantID, r.URL.Query().Get("to"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	t := report.Table{Columns: []string{"Account", "Name", "Debit", "Credit", "Balance"}}
	for _, a := range tb {
		t.Rows = append(t.Rows, []string{a.Account, a.Name, a.Debit.StringFixed(2), a.Credit.StringFixed(2), a.Balance.StringFixed(2)})
	}
	u.render(w, r, s, "table", "Trial balance", t, "", "")
}

func (u *UI) journal(w http.ResponseWriter, r *http.Request, s *session) {
	v := r.URL.Query()
	from, to := v.Get("from"), v.Get("to")
	if from == "" {
		from = time.Now().AddDate(0, 0, -7).Format(time.DateOnly)
	}
	after, _ := strconv.ParseInt(v.Get("after"), 10, 64)
	es, err := u.Store.Journal(r.Context(), s.user.TenantID, from, to, after, 200)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	next := ""
	if len(es) == 200 {
		next = url.Values{"from": {from}, "to": {to}, "after": {fmt.Sprint(es[len(es)-1].ID)}}.Encode()
	}
	u.render(w, r, s, "journal", "Journal", map[string]any{"Entries": es, "From": from, "To": to, "Next": next}, "", "")
}
