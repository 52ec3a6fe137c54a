package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"tiltas/cloud/isaf"
	"tiltas/cloud/report"
)

// Reports is what the reports pages read; isaf.Source is what the i.SAF file is made from.
type Reports interface {
	VATSummary(ctx context.Context, tenantID int64, from, to string) (report.Table, error)
	SalesJournal(ctx context.Context, tenantID int64, from, to string) (report.Table, error)
	OSS(ctx context.Context, tenantID int64, quarter string) (report.Table, error)
	isaf.Source
}

func (u *UI) reports(w http.ResponseWriter, r *http.Request, s *session) {
	now := time.Now().In(u.zone())
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, u.zone())
	u.render(w, r, s, "reports", "Reports", map[string]any{"From": first.Format(time.DateOnly), "To": now.Format(time.DateOnly),
		"Quarter": report.QuarterOf(now.Format(time.DateOnly)), "Month": now.Format("2006-01")}, "", r.URL.Query().Get("error"))
}

func (u *UI) reportView(w http.ResponseWriter, r *http.Request, s *session) {
	v := r.URL.Query()
	var t report.Table
	var err error
	switch v.Get("name") {
	case "vat-summary":
		t, err = u.Store.VATSummary(r.Context(), s.user.TenantID, v.Get("from"), v.Get("to"))
	case "sales-journal":
		t, err = u.Store.SalesJournal(r.Context(), s.user.TenantID, v.Get("from"), v.Get("to"))
	case "oss":
		t, err = u.Store.OSS(r.Context(), s.user.TenantID, v.Get("quarter"))
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		u.refused(w, r, err, func(msg string) { reportsAgain(w, r, msg) })
		return
	}
	if v.Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, v.Get("name")))
		_ = t.WriteCSV(w)
		return
	}
	u.render(w, r, s, "table", t.Title, t, "", "")
}

func (u *UI) isaf(w http.ResponseWriter, r *http.Request, s *session) {
	x, name, err := isaf.Month(r.Context(), u.Store, s.user.TenantID, r.URL.Query().Get("month"), u.Version)
	if err != nil {
		u.refused(w, r, err, func(msg string) { reportsAgain(w, r, msg) })
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	_, _ = w.Write(x)
}

// reportsAgain sends the person back to the reports page, showing why a report could not be
// made.
func reportsAgain(w http.ResponseWriter, r *http.Request, msg string) {
	http.Redirect(w, r, "/ui/reports?error="+url.QueryEscape(msg), http.StatusSeeOther)
}
