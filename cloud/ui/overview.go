package ui

import (
	"net/http"
	"time"

	"tiltas/cloud/db"
)

// storeRow and accountRow are the overview's lines: status, and what was sold today.
type storeRow struct {
	db.StoreStatus
	Today db.DaySales
}

type accountRow struct {
	db.MarketAccount
	Open, Errors int
	Today        db.DaySales
}

func (u *UI) overview(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, t := r.Context(), s.user.TenantID
	stores, err := u.Store.Stores(ctx, t)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	today := time.Now().In(u.zone()).Format(time.DateOnly)
	byStore, byAccount, err := u.Store.SalesOn(ctx, t, today)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	var rows []storeRow
	total := db.DaySales{}
	for _, st := range stores {
		ss, err := u.Store.StoreStatus(ctx, st)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		rows = append(rows, storeRow{ss, byStore[st.ID]})
	}
	accts, err := u.Store.MarketAccounts(ctx, t)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	counts, err := u.Store.OrderCounts(ctx, t)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	var arows []accountRow
	for _, a := range accts {
		arows = append(arows, accountRow{a, counts[a.ID][db.OrderOpen], counts[a.ID][db.OrderErrors], byAccount[a.ID]})
	}
	for _, m := range []map[int64]db.DaySales{byStore, byAccount} {
		for _, ds := range m {
			total.Docs += ds.Docs
			total.Total = total.Total.Add(ds.Total)
		}
	}
	fails, err := u.Store.PostingFailures(ctx, t)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.render(w, r, s, "overview", "Overview", map[string]any{"Stores": rows, "Accounts": arows, "Day": today,
		"Today": total, "Failures": len(fails)}, r.URL.Query().Get("flash"), "")
}
