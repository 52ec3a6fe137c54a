package api

import (
	"errors"
	"fmt"
	"math"
	"net/http"

	"tiltas/cloud/db"
	"tiltas/cloud/posting"
)

// httpErr is an answer a handler chose itself.
type httpErr struct {
	code int
	msg  string
}

func (e *httpErr) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpErr{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func unprocessable(err error) error { return &httpErr{http.StatusUnprocessableEntity, err.Error()} }

// answerError is the one translation of an error into the API's answer: its status and the
// JSON body {"error": message}, with "code" for a refusal of the books. Anything it does not
// know is logged and answered 500 without its details.
func (a *API) answerError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		he      *httpErr
		soon    *db.TooSoonError
		refused *posting.Error
		inv     *db.InvalidError
	)
	body := map[string]string{"error": err.Error()}
	status := http.StatusInternalServerError
	switch {
	case errors.As(err, &he):
		status, body["error"] = he.code, he.msg
	case errors.Is(err, db.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, db.ErrPaused), errors.Is(err, db.ErrExists):
		status = http.StatusConflict
	case errors.As(err, &soon):
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(soon.Wait.Seconds()))))
	case errors.As(err, &refused):
		status, body["code"] = http.StatusUnprocessableEntity, string(refused.Code)
	case errors.As(err, &inv):
		status = http.StatusUnprocessableEntity
	default:
		a.Log.Error("api", "path", r.URL.Path, "err", err)
		body["error"] = "internal error; see the cloud log"
	}
	writeJSON(w, status, body)
}
