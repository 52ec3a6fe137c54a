package ui

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"tiltas/cloud/db"
)

// Tokens is what the agents and API tokens section of the settings reads and changes.
type Tokens interface {
	EnrollAgent(ctx context.Context, tenantID int64, storeCode, storeName string) (string, error)
	RevokeAgentTokens(ctx context.Context, tenantID int64, storeCode string) (int, error)
	APITokens(ctx context.Context, tenantID int64) ([]db.APIToken, error)
	CreateAPIToken(ctx context.Context, tenantID int64, name string) (string, error)
	RevokeAPIToken(ctx context.Context, tenantID, id int64) error
}

func (u *UI) enroll(w http.ResponseWriter, r *http.Request, s *session) {
	code := strings.TrimSpace(r.FormValue("store"))
	tok, err := u.Store.EnrollAgent(r.Context(), s.user.TenantID, code, strings.TrimSpace(r.FormValue("store_name")))
	if err != nil {
		u.refused(w, r, err, func(msg string) { u.settingsPage(w, r, s, nil, "", msg) })
		return
	}
	u.settingsPage(w, r, s, map[string]any{"Token": tok, "TokenStore": code}, "", "")
}

func (u *UI) revokeAgent(w http.ResponseWriter, r *http.Request, s *session) {
	code := r.FormValue("store")
	n, err := u.Store.RevokeAgentTokens(r.Context(), s.user.TenantID, code)
	if err != nil {
		u.fail(w, r, err) // another tenant's store is not found
		return
	}
	u.Log.Warn("agent tokens revoked", "tenant", s.user.TenantID, "store", code, "by", s.user.Email, "tokens", n)
	back(w, r, "/ui/settings", fmt.Sprintf("Revoked %d agent token(s) of store %s: its agent is stopped. Create a new token to enroll it again.", n, code))
}

func (u *UI) createAPIToken(w http.ResponseWriter, r *http.Request, s *session) {
	name := strings.TrimSpace(r.FormValue("name"))
	if name == "" || len(name) > 100 {
		u.settingsPage(w, r, s, nil, "", "An API token needs a name (up to 100 characters) saying what uses it.")
		return
	}
	tok, err := u.Store.CreateAPIToken(r.Context(), s.user.TenantID, name)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.settingsPage(w, r, s, map[string]any{"APIToken": tok, "APITokenName": name}, "", "")
}

func (u *UI) revokeAPIToken(w http.ResponseWriter, r *http.Request, s *session) {
	tid, _ := strconv.ParseInt(r.FormValue("id"), 10, 64)
	err := u.Store.RevokeAPIToken(r.Context(), s.user.TenantID, tid)
	if err == nil {
		u.Log.Warn("API token revoked", "tenant", s.user.TenantID, "id", tid, "by", s.user.Email)
	}
	u.settingsAnswer(w, r, s, err, "API token revoked: it stopped working.")
}
