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
	u.render(w, r, s, "orders", "Marketplace orders", map[string]any{"Orders": os, "State": state, "States": states, "Next": next}, r.URL.Query().Get("flash"), "")
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
	// Book it now rather than at the next pull.
	if accts, err := u.Store.MarketAccounts(r.Context(), s.user.TenantID); err == nil {
		for _, a := range accts {
			_, _ = u.Books.PostOrders(r.Context(), a, market.RulesFor(a))
		}
	}
	back(w, r, "/ui/orders?state=posted", "Retried.")
}
