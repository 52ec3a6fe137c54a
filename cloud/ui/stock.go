package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"tiltas/cloud/db"
	"tiltas/cloud/report"
)

// Stock is what the stock and unresolved write-off pages read.
type Stock interface {
	StockBalances(ctx context.Context, tenantID int64, warehouse string) ([]db.StockBalance, error)
	Unresolved(ctx context.Context, tenantID, docID int64, openOnly bool) ([]db.Unresolved, error)
}

func (u *UI) unresolved(w http.ResponseWriter, r *http.Request, s *session) {
	un, err := u.Store.Unresolved(r.Context(), s.user.TenantID, 0, true)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.render(w, r, s, "unresolved", "Unresolved write-offs", un, r.URL.Query().Get("flash"), r.URL.Query().Get("error"))
}

func (u *UI) resolve(w http.ResponseWriter, r *http.Request, s *session) {
	lid, ok := id(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if _, err := u.Books.Resolve(r.Context(), s.user.TenantID, lid, strings.TrimSpace(r.FormValue("barcode"))); err != nil {
		u.refused(w, r, err, func(msg string) {
			http.Redirect(w, r, "/ui/unresolved?error="+url.QueryEscape(msg), http.StatusSeeOther)
		})
		return
	}
	back(w, r, "/ui/unresolved", "Written off.")
}

func (u *UI) stock(w http.ResponseWriter, r *http.Request, s *session) {
	bs, err := u.Store.StockBalances(r.Context(), s.user.TenantID, "")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	t := report.Table{Columns: []string{"Warehouse", "Item", "Quantity", "Value"}}
	for _, b := range bs {
		t.Rows = append(t.Rows, []string{b.Warehouse, b.Barcode, b.Qty.String(), b.Value.StringFixed(2)})
	}
	u.render(w, r, s, "table", "Stock", t, "", "")
}

// resolveBulk writes off every selected line as its own item; it says which could not.
func (u *UI) resolveBulk(w http.ResponseWriter, r *http.Request, s *session) {
	done := 0
	var failed []string
	for _, v := range r.Form["ids"] {
		lid, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			continue
		}
		if _, err := u.Books.Resolve(r.Context(), s.user.TenantID, lid, ""); err != nil {
			failed = append(failed, fmt.Sprintf("line %d: %s", lid, u.explain(r, err).msg))
			continue
		}
		done++
	}
	to := "/ui/unresolved?flash=" + url.QueryEscape(fmt.Sprintf("%d written off.", done))
	if len(failed) > 0 {
		to += "&error=" + url.QueryEscape(strings.Join(failed, "; "))
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
