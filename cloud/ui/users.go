package ui

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"tiltas/cloud/db"
)

// People is what the users section of the settings and a person's own account page read and
// change.
type People interface {
	Users(ctx context.Context, tenantID int64) ([]db.User, error)
	CreateUser(ctx context.Context, tenantID int64, email, name, password, role string) error
	RemoveUser(ctx context.Context, tenantID, userID int64) error
	ChangePassword(ctx context.Context, userID int64, current, next, keep string) error
}

func (u *UI) addUser(w http.ResponseWriter, r *http.Request, s *session) {
	email := strings.TrimSpace(r.FormValue("email"))
	err := u.Store.CreateUser(r.Context(), s.user.TenantID, email, strings.TrimSpace(r.FormValue("name")), r.FormValue("password"), r.FormValue("role"))
	if err == nil {
		u.Log.Warn("user added", "tenant", s.user.TenantID, "user", email, "role", r.FormValue("role"), "by", s.user.Email)
	}
	u.settingsAnswer(w, r, s, err, fmt.Sprintf("User %s added: give them the first password; they change it under their name.", email))
}

func (u *UI) removeUser(w http.ResponseWriter, r *http.Request, s *session) {
	uid, _ := strconv.ParseInt(r.FormValue("id"), 10, 64)
	if uid == s.user.ID {
		u.settingsPage(w, r, s, nil, "", "You cannot remove yourself: ask another accountant.")
		return
	}
	err := u.Store.RemoveUser(r.Context(), s.user.TenantID, uid)
	if err == nil {
		u.Log.Warn("user removed", "tenant", s.user.TenantID, "user", uid, "by", s.user.Email)
	}
	u.settingsAnswer(w, r, s, err, "User removed; their sign-ins have ended.")
}

func (u *UI) account(w http.ResponseWriter, r *http.Request, s *session) {
	u.render(w, r, s, "account", "Your account", nil, r.URL.Query().Get("flash"), "")
}

func (u *UI) changePassword(w http.ResponseWriter, r *http.Request, s *session) {
	if r.FormValue("new") != r.FormValue("repeat") {
		u.render(w, r, s, "account", "Your account", nil, "", "The two new passwords differ: type the same one twice.")
		return
	}
	err := u.Store.ChangePassword(r.Context(), s.user.ID, r.FormValue("current"), r.FormValue("new"), s.token)
	if err != nil {
		u.refused(w, r, err, func(msg string) { u.render(w, r, s, "account", "Your account", nil, "", msg) })
		return
	}
	back(w, r, "/ui/account", "Password changed; your other sign-ins have ended.")
}
