// Package server puts the cloud's HTTP endpoints together: /healthz, the agent websocket, the
// read API and the web UI. Generated files name the build (version.Version).
package server

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"tiltas/cloud/agentlink"
	"tiltas/cloud/api"
	"tiltas/cloud/books"
	"tiltas/cloud/db"
	_ "tiltas/cloud/market/all" // the marketplaces the API and the UI add, fetch and book
	"tiltas/cloud/ui"
	"tiltas/cloud/version"
	"tiltas/shared/protocol"
)

// Options tune the handler.
type Options struct {
	Zone      *time.Location // the shops' time zone, for plain dates in queries
	PingEvery time.Duration
	// SecureCookies marks the UI's cookies Secure and sends Strict-Transport-Security: served
	// over TLS or behind a TLS proxy.
	SecureCookies bool
}

// Handler serves every cloud endpoint from st.
func Handler(st *db.DB, log *slog.Logger, o Options) http.Handler {
	b := books.New(st)
	if o.Zone == nil {
		o.Zone = time.UTC
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if err := st.DB().PingContext(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(map[string]string{"status": "database unavailable", "error": err.Error()})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok", "store": string(st.Dialect())})
	})
	mux.Handle("GET "+protocol.Path, &agentlink.Handler{Store: st, Log: log.With("component", "agentlink"), PingEvery: o.PingEvery})
	(&api.API{Store: st, Books: b, Log: log.With("component", "api"), Zone: o.Zone, Version: version.Version, SessionCookie: ui.SessionCookie}).Register(mux)
	(&ui.UI{Store: st, Books: b, Log: log.With("component", "ui"), SecureCookies: o.SecureCookies, Version: version.Version, Zone: o.Zone}).Register(mux)
	mux.Handle("GET /{$}", http.RedirectHandler("/ui/", http.StatusFound))
	if !o.SecureCookies {
		return mux
	}
	// Served over TLS (or behind a TLS proxy): browsers are told to use nothing else.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		mux.ServeHTTP(w, r)
	})
}
