package httpapi

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Entry is one error of an API's error list.
type Entry interface {
	// Text is the entry as a person reads it: "code: message".
	Text() string
}

// APIError is an answer with the API's error list, {"errors": [...]}, as both the SP-API and
// Allegro send it. An answer that is no such list keeps the start of its body instead.
type APIError[E Entry] struct {
	API    string // who answered, e.g. "SP-API"
	Status int
	Errors []E
	Body   string // the start of an answer that is not an error list
	// RequestID is the answer's request id (SP-API's x-amzn-RequestId), which the marketplace's
	// support asks for.
	RequestID string
}

func (e *APIError[E]) Error() string {
	var parts []string
	for _, x := range e.Errors {
		parts = append(parts, x.Text())
	}
	if len(e.Errors) == 0 {
		parts = append(parts, "Unparseable: "+e.Body)
	}
	s := fmt.Sprintf("%s HTTP %d: %s", e.API, e.Status, strings.Join(parts, "; "))
	if e.RequestID != "" {
		s += " (request id " + e.RequestID + ")"
	}
	return s
}

// ErrorFrom reads an answer's error list; requestID is the answer's request id ("" if none).
func ErrorFrom[E Entry](api string, status int, body []byte, requestID string) *APIError[E] {
	var list struct{ Errors []E }
	if json.Unmarshal(body, &list) != nil || len(list.Errors) == 0 {
		return &APIError[E]{API: api, Status: status, Body: fmt.Sprintf("%.200s", body), RequestID: requestID}
	}
	return &APIError[E]{API: api, Status: status, Errors: list.Errors, RequestID: requestID}
}
