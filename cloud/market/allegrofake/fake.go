// Package allegrofake is a fake Allegro REST API (orders) for tests and the demo: OAuth with
// refresh tokens rotated on every use (the old one stops working), expiring access tokens, the
// order event journal with a retention window, event stats, checkout forms by id and by
// updatedAt with offset paging (at most 10,000 results a search), the vendor media type, a
// request quota answering 429, and, on demand, server errors and garbled answers. What it
// answers is written as Allegro's OpenAPI file shapes it (doc.go), never by encoding the
// client's structs.
package allegrofake

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"tiltas/cloud/market/allegro"
)

// Server is the fake. Set fields before Start.
type Server struct {
	ClientID, ClientSecret         string
	RefreshToken                   string // the current one; rotated on each use
	TokenTTL                       time.Duration
	Rate                           float64 // requests per second allowed; default 150
	Throttle, ServerError, Garbage float64

	mu     sync.Mutex
	forms  map[string]allegro.CheckoutForm
	events []allegro.Event
	seq    int
	tokens map[string]time.Time
	bucket float64
	last   time.Time
	rng    *mrand.Rand
	Calls  map[string]int
	srv    *httptest.Server
	// Rotations counts refresh-token rotations.
	Rotations int
}

// Start serves on a loopback port and returns the base URL (API and auth on one host).
func (s *Server) Start() string {
	s.init()
	s.srv = httptest.NewServer(s)
	return s.srv.URL
}

// Listen serves on addr (for the demo) and returns the base URL.
func (s *Server) Listen(addr string) (string, error) {
	s.init()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	s.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}}
	s.srv.Start()
	return s.srv.URL, nil
}

func (s *Server) init() {
	s.mu.Lock()
	if s.forms == nil {
		s.forms = map[string]allegro.CheckoutForm{}
	}
	s.tokens, s.Calls = map[string]time.Time{}, map[string]int{}
	s.rng = mrand.New(mrand.NewPCG(3, 4))
	if s.TokenTTL == 0 {
		s.TokenTTL = 12 * time.Hour
	}
	if s.Rate == 0 {
		s.Rate = 150
	}
	s.bucket, s.last = s.Rate, time.Now()
	s.mu.Unlock()
}

// Close stops it.
func (s *Server) Close() { s.srv.Close() }

// Put stores an order and journals an event of typ for it.
func (s *Server) Put(f allegro.CheckoutForm, typ string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.forms == nil {
		s.forms = map[string]allegro.CheckoutForm{}
	}
	f.UpdatedAt = at.UTC().Format(time.RFC3339Nano)
	s.forms[f.ID] = f
	s.seq++
	e := allegro.Event{ID: fmt.Sprintf("%016d", s.seq), Type: typ, OccurredAt: f.UpdatedAt}
	e.Order.CheckoutForm.ID = f.ID
	s.events = append(s.events, e)
}

// Forget drops events older than keep from the journal, as Allegro does after about 60 days.
func (s *Server) Forget(before time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var kept []allegro.Event
	for _, e := range s.events {
		if t, _ := time.Parse(time.RFC3339Nano, e.OccurredAt); !t.Before(before) {
			kept = append(kept, e)
		}
	}
	s.events = kept
}

// ExpireTokens expires every access token issued so far.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.tokens {
		s.tokens[t] = time.Now().Add(-time.Second)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", allegro.MediaType)
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, code int, c, msg string) {
	writeJSON(w, code, doc{"errors": []doc{{"code": c, "message": msg, "userMessage": msg}}})
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/auth/oauth/token" && r.Method == "POST" {
		s.oauth(w, r)
		return
	}
	if r.Method != "GET" || !strings.HasPrefix(r.URL.Path, "/order/") {
		fail(w, 404, "NotFoundException", "Not found")
		return
	}
	if r.Header.Get("Accept") != allegro.MediaType {
		fail(w, 406, "NotAcceptableException", "Use Accept: "+allegro.MediaType)
		return
	}
	route := r.URL.Path
	if strings.HasPrefix(route, "/order/checkout-forms/") {
		route = "/order/checkout-forms/{id}"
	}
	s.mu.Lock()
	s.Calls[route]++
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	exp, known := s.tokens[tok]
	now := time.Now()
	s.bucket = math.Min(s.Rate, s.bucket+now.Sub(s.last).Seconds()*s.Rate)
	s.last = now
	allowed := s.bucket >= 1
	if allowed {
		s.bucket--
	}
	roll := s.rng.Float64()
	s.mu.Unlock()
	switch {
	case !known || now.After(exp):
		writeJSON(w, 401, map[string]string{"error": "invalid_token", "error_description": "Access token expired: " + tok[:min(8, len(tok))]})
	case !allowed || roll < s.Throttle:
		w.Header().Set("Retry-After", "0.05")
		fail(w, 429, "TooManyRequestsException", "Too many requests")
	case roll < s.Throttle+s.ServerError:
		fail(w, 500, "InternalServerErrorException", "Internal server error")
	case roll < s.Throttle+s.ServerError+s.Garbage:
		w.Header().Set("Content-Type", allegro.MediaType)
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"events": [{"id": "00`))
	case r.URL.Path == "/order/events":
		s.eventsPage(w, r)
	case r.URL.Path == "/order/event-stats":
		s.stats(w)
	case r.URL.Path == "/order/checkout-forms":
		s.list(w, r)
	default:
		s.form(w, strings.TrimPrefix(r.URL.Path, "/order/checkout-forms/"))
	}
}

func (s *Server) oauth(w http.ResponseWriter, r *http.Request) {
	auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
	b, _ := base64.StdEncoding.DecodeString(auth)
	if string(b) != s.ClientID+":"+s.ClientSecret {
		writeJSON(w, 401, map[string]string{"error": "unauthorized", "error_description": "Bad credentials"})
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	if q.Get("grant_type") != "refresh_token" || q.Get("refresh_token") != s.RefreshToken {
		writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "Invalid refresh token: " + q.Get("refresh_token")})
		return
	}
	s.RefreshToken = randomToken() // rotated: the one just used is dead
	s.Rotations++
	access := randomToken()
	s.tokens[access] = time.Now().Add(s.TokenTTL)
	// The token endpoint is OAuth's, not in swagger.yaml: RFC 6749 section 5.1, with Allegro's jti.
	writeJSON(w, 200, doc{"access_token": access, "token_type": "bearer", "refresh_token": s.RefreshToken, "expires_in": int(s.TokenTTL.Seconds()),
		"scope": "allegro:api:orders:read", "allegro_api": true, "jti": randomToken()})
}

func (s *Server) eventsPage(w http.ResponseWriter, r *http.Request) {
	from := r.URL.Query().Get("from")
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit < 1 || limit > 1000 {
		limit = 100
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	start := 0
	if from != "" {
		start = -1
		for i, e := range s.events {
			if e.ID == from {
				start = i + 1
			}
		}
		if start < 0 {
			fail(w, 400, "VALIDATION_ERROR", fmt.Sprintf("Event with id %s not found", from))
			return
		}
	}
	end := min(start+limit, len(s.events))
	events := []doc{}
	for _, e := range s.events[start:end] {
		events = append(events, eventDoc(e, s.forms[e.Order.CheckoutForm.ID]))
	}
	writeJSON(w, 200, doc{"events": events})
}

func (s *Server) stats(w http.ResponseWriter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := doc{}
	if n := len(s.events); n > 0 {
		st["latestEvent"] = doc{"id": s.events[n-1].ID, "occurredAt": s.events[n-1].OccurredAt}
	}
	writeJSON(w, 200, st)
}

func (s *Server) form(w http.ResponseWriter, id string) {
	s.mu.Lock()
	f, ok := s.forms[id]
	s.mu.Unlock()
	if !ok {
		fail(w, 404, "NotFoundException", "Checkout form "+id+" not found")
		return
	}
	writeJSON(w, 200, formDoc(f))
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, err := time.Parse(time.RFC3339, q.Get("updatedAt.gte"))
	if err != nil {
		fail(w, 422, "VALIDATION_ERROR", "updatedAt.gte must be an ISO 8601 date")
		return
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit < 1 || limit > 100 {
		limit = 100
	}
	if offset+limit > allegro.MaxListing { // Allegro lists at most 10,000 results of a search
		fail(w, 422, "VALIDATION_ERROR", fmt.Sprintf("offset + limit must not exceed %d", allegro.MaxListing))
		return
	}
	until := time.Time{}
	if v := q.Get("updatedAt.lte"); v != "" {
		if until, err = time.Parse(time.RFC3339, v); err != nil {
			fail(w, 422, "VALIDATION_ERROR", "updatedAt.lte must be an ISO 8601 date")
			return
		}
	}
	s.mu.Lock()
	var all []allegro.CheckoutForm
	for _, f := range s.forms {
		if t, _ := time.Parse(time.RFC3339Nano, f.UpdatedAt); !t.Before(since) && (until.IsZero() || !t.After(until)) {
			all = append(all, f)
		}
	}
	s.mu.Unlock()
	// Forms of one instant come in an order that holds from one request to the next (by id here),
	// as a database's does; which order is not promised, and the client does not rely on it
	// except for more than a page of forms in one millisecond.
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	switch q.Get("sort") {
	case "updatedAt":
		sort.SliceStable(all, func(i, j int) bool { return all[i].UpdatedAt < all[j].UpdatedAt })
	case "-updatedAt":
		sort.SliceStable(all, func(i, j int) bool { return all[i].UpdatedAt > all[j].UpdatedAt })
	default: // the spec: without sort, by line item boughtAt, descending
		boughtAt := func(f allegro.CheckoutForm) string {
			if len(f.LineItems) > 0 {
				return f.LineItems[0].BoughtAt
			}
			return ""
		}
		sort.SliceStable(all, func(i, j int) bool { return boughtAt(all[i]) > boughtAt(all[j]) })
	}
	page := []allegro.CheckoutForm{}
	if offset < len(all) {
		page = all[offset:min(offset+limit, len(all))]
	}
	forms := []doc{}
	for _, f := range page {
		forms = append(forms, formDoc(f))
	}
	writeJSON(w, 200, doc{"checkoutForms": forms, "count": len(page), "totalCount": len(all)})
}
