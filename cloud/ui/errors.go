package ui

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"tiltas/cloud/db"
	"tiltas/cloud/posting"
)

// internalError is what a person reads of a failure of the cloud itself; the details go to the
// log.
const internalError = "something went wrong; see the cloud log"

// answer is how the UI answers an error: the status of its error page and what the person
// reads. The classes are the API's (cloud/api answerError).
type answer struct {
	status int
	msg    string
	wait   time.Duration // 429: how long until a try may succeed
}

// yours says whether the person who sent the form can do something about the error: fix what
// they typed (a refusal of the books or the database), pick another name, resume the account, or
// wait. Such an error comes back on its form; others (not found, the cloud's own failures) get
// an error page.
func (a answer) yours() bool {
	return a.status == http.StatusConflict || a.status == http.StatusUnprocessableEntity || a.status == http.StatusTooManyRequests
}

// classify is the one translation of an error into the UI's answer: db.ErrNotFound 404;
// db.ErrPaused and db.ErrExists 409; *db.TooSoonError 429; a refusal of the books
// (*posting.Error) or of the database (*db.InvalidError) 422; anything else 500, with its
// message kept for the log only.
func classify(err error) answer {
	var (
		soon    *db.TooSoonError
		refused *posting.Error
		inv     *db.InvalidError
	)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return answer{status: http.StatusNotFound, msg: err.Error()}
	case errors.Is(err, db.ErrPaused), errors.Is(err, db.ErrExists):
		return answer{status: http.StatusConflict, msg: err.Error()}
	case errors.As(err, &soon):
		return answer{status: http.StatusTooManyRequests, msg: err.Error(), wait: soon.Wait}
	case errors.As(err, &refused), errors.As(err, &inv):
		return answer{status: http.StatusUnprocessableEntity, msg: err.Error()}
	default:
		return answer{status: http.StatusInternalServerError, msg: internalError}
	}
}

// explain is what the person reads of err; a failure of the cloud itself is logged.
func (u *UI) explain(r *http.Request, err error) answer {
	a := classify(err)
	if a.status == http.StatusInternalServerError {
		u.Log.Error("ui", "path", r.URL.Path, "err", err)
	}
	return a
}

// fail answers err with an error page of its class.
func (u *UI) fail(w http.ResponseWriter, r *http.Request, err error) {
	a := u.explain(r, err)
	if a.wait > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(a.wait.Seconds()))))
	}
	http.Error(w, a.msg, a.status)
}

// refused answers err from a form: an error the person can do something about comes back
// through again, which shows the form with the message; any other is answered as fail does.
func (u *UI) refused(w http.ResponseWriter, r *http.Request, err error, again func(msg string)) {
	if a := classify(err); a.yours() {
		again(a.msg)
		return
	}
	u.fail(w, r, err)
}

// unread says that a part of a page could not be read, and why; the page shows the rest with
// this message.
func (u *UI) unread(r *http.Request, what string, err error) string {
	return what + " could not be read: " + u.explain(r, err).msg + "."
}
