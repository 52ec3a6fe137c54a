package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"tiltas/cloud/db"
	"tiltas/cloud/market"
)

// Orders is what the marketplace orders pages read and change.
type Orders interface {
	MarketOrdersBefore(ctx context.Context, tenantID int64, state string, beforeID int64, limit int) ([]db.MarketOrder, error)
	OrderCounts(ctx context.Context, tenantID int64) (map[int64]map[string]int, error)
	RetryOrder(ctx context.Context, tenantID, id int64) error
}

func (u *UI) orders(w http.ResponseWriter, r *http.Request, s *session) {
	state := r.URL.Query().Get("state")
	states := []string{db.OrderOpen, db.OrderPosted, db.OrderErrors, db.OrderCancelled}
	valid := false
	for _, st := range states {
		valid = valid || st == state
	}
	if !valid {
		state = db.OrderErrors
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	os, err := u.Store.MarketOrdersBefore(r.Context(), s.user.TenantID, state, before, 200)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	next := ""
	if len(os) == 200 {
		next = nextPage(url.Values{"state": {state}}, "before", fmt.Sprint(os[len(os)-1].ID))
	}
	u.render(w, r, s, "orders", "Marketplace orders", map[string]any{"Orders": os, "State": state, "States": states, "Next": next}, r.URL.Query().Get("flash"), r.URL.Query().Get("error"))
}

func (u *UI) retryOrder(w http.ResponseWriter, r *http.Request, s *session) {
	oid, ok := id(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if err := u.Store.RetryOrder(r.Context(), s.user.TenantID, oid); err != nil {
		u.fail(w, r, err)
		return
	}
	// Book it now rather than at the next pull; if that fails, the next pull books it.
	accts, err := u.Store.MarketAccounts(r.Context(), s.user.TenantID)
	for i := 0; err == nil && i < len(accts); i++ {
		_, err = u.Books.PostOrders(r.Context(), accts[i], market.RulesFor(accts[i]))
	}
	if err != nil {
		http.Redirect(w, r, "/ui/orders?state=open&error="+url.QueryEscape("Retried, but booking it now failed: "+u.explain(r, err).msg+
			". It is booked at its account's next pull."), http.StatusSeeOther)
		return
	}
	back(w, r, "/ui/orders?state=posted", "Retried.")
}
