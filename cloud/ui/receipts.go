package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"tiltas/cloud/db"
)

// Shops is what the overview and the receipts pages read of the tenant's stores.
type Shops interface {
	Stores(ctx context.Context, tenantID int64) ([]db.StoreRef, error)
	StoreByCode(ctx context.Context, tenantID int64, code string) (db.StoreRef, error)
	StoreStatus(ctx context.Context, st db.StoreRef) (db.StoreStatus, error)
	Receipts(ctx context.Context, q db.Query) ([]db.ReceiptRecord, error)
	SalesOn(ctx context.Context, tenantID int64, day string) (byStore, byAccount map[int64]db.DaySales, err error)
}

func (u *UI) receipts(w http.ResponseWriter, r *http.Request, s *session) {
	v := r.URL.Query()
	q := db.Query{TenantID: s.user.TenantID, Limit: 100}
	var errMsg string
	if code := v.Get("store"); code != "" {
		st, err := u.Store.StoreByCode(r.Context(), s.user.TenantID, code)
		switch {
		case errors.Is(err, db.ErrNotFound):
			errMsg = fmt.Sprintf("No store %q.", code)
			st.ID = -1 // matches nothing
		case err != nil:
			u.fail(w, r, err)
			return
		}
		q.StoreID = st.ID
	}
	if t, err := time.ParseInLocation(time.DateOnly, v.Get("from"), u.zone()); err == nil {
		q.From = t
	}
	if t, err := time.ParseInLocation(time.DateOnly, v.Get("to"), u.zone()); err == nil {
		q.To = t.AddDate(0, 0, 1)
	}
	q.AfterID, _ = strconv.ParseInt(v.Get("after"), 10, 64)
	var out []db.ReceiptRecord
	var next string
	// Filter by type while paging on: a page shows up to 100 of the asked type.
	for len(out) < 100 {
		rs, err := u.Store.Receipts(r.Context(), q)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		for _, rc := range rs {
			if (v.Get("type") == "" || string(rc.Type) == v.Get("type")) && (v.Get("register") == "" || rc.Register == v.Get("register")) {
				out = append(out, rc)
			}
			q.AfterID = rc.ID
		}
		if len(rs) < q.Limit {
			break
		}
	}
	if len(out) >= 100 {
		next = nextPage(v, "after", fmt.Sprint(q.AfterID))
	}
	starts, err := u.startDates(r.Context(), s.user.TenantID, q.StoreID)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	q2 := map[string]string{"store": v.Get("store"), "register": v.Get("register"), "from": v.Get("from"), "to": v.Get("to"), "type": v.Get("type")}
	u.render(w, r, s, "receipts", "Receipts", map[string]any{"Receipts": out, "Q": q2, "Types": []string{"sale", "return", "invoice"}, "Next": next, "Starts": starts}, "", errMsg)
}

// postingText says where a receipt or Z stands in the books (db.ReceiptRecord.Posting).
var postingText = map[string]string{"pending": "not booked yet", "booked": "booked", "refused": "refused (see Unresolved)",
	"in_day_sheet": "in its Z's day sheet", "history": "history: before the start date, never booked"}

// startDate is a store with a start date: set in the cloud (Cloud), or its agent's pos.start_date.
type startDate struct {
	Store, Date    string
	Cloud, History bool
}

// startDates are the start dates of the tenant's stores (of one store when storeID is not 0),
// for the receipts page to say what happens to older receipts.
func (u *UI) startDates(ctx context.Context, tenantID, storeID int64) ([]startDate, error) {
	stores, err := u.Store.Stores(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var out []startDate
	for _, st := range stores {
		if storeID != 0 && st.ID != storeID {
			continue
		}
		if st.StartDate != "" {
			out = append(out, startDate{st.Code, st.StartDate, true, st.History})
			continue
		}
		ss, err := u.Store.StoreStatus(ctx, st)
		if err != nil {
			return nil, err
		}
		if ss.StartDate != "" {
			out = append(out, startDate{Store: st.Code, Date: ss.StartDate})
		}
	}
	return out, nil
}

func (u *UI) receipt(w http.ResponseWriter, r *http.Request, s *session) {
	rid, ok := id(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	rs, err := u.Store.Receipts(r.Context(), db.Query{TenantID: s.user.TenantID, AfterID: rid - 1, Limit: 1})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if len(rs) == 0 || rs[0].ID != rid {
		http.NotFound(w, r) // not this tenant's, or no such receipt
		return
	}
	docs, err := u.Store.Documents(r.Context(), db.DocQuery{TenantID: s.user.TenantID, SourceKind: "receipt", SourceID: rs[0].SourceID, Store: rs[0].Store})
	if err != nil {
		u.fail(w, r, err) // never "not booked yet" for documents that could not be read
		return
	}
	u.render(w, r, s, "receipt", "Receipt "+rs[0].Number, map[string]any{"Receipt": rs[0], "Documents": docs}, "", "")
}
