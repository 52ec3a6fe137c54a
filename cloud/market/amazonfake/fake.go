// Package amazonfake is a fake Selling Partner API (Orders v0) and Login with Amazon for tests
// and the demo. It follows the published model (amzn/selling-partner-api-models,
// models/orders-api-model/ordersV0.json): LWA refresh-token grants with expiring access tokens,
// getOrders by LastUpdatedAfter with NextToken paging, getOrderItems, usage plans enforced with
// 429 QuotaExceeded and advertised in x-amzn-RateLimit-Limit, and, on demand, server errors and
// garbled answers. Like SP-API, a 429 carries no Retry-After, only x-amzn-RequestId: a client
// waits out the usage plan's refill.
//
// What it answers is written as the model defines it and as its published examples show it
// (doc.go), field by field: never by encoding the client's Go types, so a field the client
// reads wrongly (a name, a type) fails against the fake as it would against Amazon.
package amazonfake

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
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"tiltas/cloud/market/amazon"
)

// Plan is an operation's usage plan.
type Plan struct {
	Rate  float64 // requests per second
	Burst int
}

// Server is the fake. Set fields before Start.
type Server struct {
	ClientID, ClientSecret, RefreshToken string
	TokenTTL                             time.Duration // default 1 h
	Plans                                map[string]Plan
	// Faults: the share of calls answered 429 (beyond the quota), 500, or with garbage.
	Throttle, ServerError, Garbage float64

	mu      sync.Mutex
	orders  map[string]doc   // AmazonOrderId → the Order as getOrders answers it
	items   map[string][]doc // AmazonOrderId → its OrderItems as getOrderItems answers them
	tokens  map[string]time.Time
	rdts    map[string]rdt // Restricted Data Tokens
	buckets map[string]*bucket
	rng     *mrand.Rand
	Calls   map[string]int
	srv     *httptest.Server
}

type bucket struct {
	tokens float64
	last   time.Time
}

// Start serves on a loopback port and returns the base URL.
func (s *Server) Start() string {
	s.init()
	s.srv = httptest.NewServer(s)
	return s.srv.URL
}

// Close stops it.
func (s *Server) Close() { s.srv.Close() }

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
	defer s.mu.Unlock()
	if s.orders == nil {
		s.orders, s.items = map[string]doc{}, map[string][]doc{}
	}
	s.tokens, s.rdts, s.buckets, s.Calls = map[string]time.Time{}, map[string]rdt{}, map[string]*bucket{}, map[string]int{}
	s.rng = mrand.New(mrand.NewPCG(1, 2))
	if s.TokenTTL == 0 {
		s.TokenTTL = time.Hour
	}
	if s.Plans == nil {
		s.Plans = map[string]Plan{}
	}
	// The published usage plans, for the operations a test leaves out.
	for op, p := range map[string]Plan{"getOrders": {0.0167, 20}, "getOrderItems": {0.5, 30}, "createRestrictedDataToken": {1, 10}} {
		if _, ok := s.Plans[op]; !ok {
			s.Plans[op] = p
		}
	}
}

// Put adds or replaces an order with its items. The values are taken from the Go structs a test
// fills in; what the fake answers is written from them as the model shapes it (doc.go).
func (s *Server) Put(o amazon.Order, items []amazon.OrderItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.orders == nil {
		s.orders, s.items = map[string]doc{}, map[string][]doc{}
	}
	od := orderDoc(o)
	od["NumberOfItemsShipped"], od["NumberOfItemsUnshipped"] = itemsShipped(o.OrderStatus, items)
	s.orders[o.AmazonOrderId] = od
	var docs []doc
	for _, it := range items {
		docs = append(docs, itemDoc(it))
	}
	s.items[o.AmazonOrderId] = docs
}

// ExpireTokens makes every access token issued so far expired.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.tokens {
		s.tokens[t] = time.Now().Add(-time.Second)
	}
	for t, r := range s.rdts {
		r.expires = time.Now().Add(-time.Second)
		s.rdts[t] = r
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers the model's ErrorList.
func fail(w http.ResponseWriter, code int, c, msg, details string) {
	e := doc{"code": c, "message": msg}
	if details != "" {
		e["details"] = details
	}
	writeJSON(w, code, doc{"errors": []doc{e}})
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == "POST" && r.URL.Path == "/auth/o2/token" {
		s.token(w, r)
		return
	}
	op := ""
	switch {
	case r.Method == "POST" && r.URL.Path == "/tokens/2021-03-01/restrictedDataToken":
		op = "createRestrictedDataToken"
	case r.Method == "GET" && r.URL.Path == "/orders/v0/orders":
		op = "getOrders"
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/orders/v0/orders/") && strings.HasSuffix(r.URL.Path, "/orderItems"):
		op = "getOrderItems"
	default:
		fail(w, 404, "NotFound", "Resource not found.", "")
		return
	}
	s.mu.Lock()
	s.Calls[op]++
	tok := r.Header.Get("x-amz-access-token")
	exp, known := s.tokens[tok]
	granted, isRDT := s.rdts[tok]
	if isRDT && op != "createRestrictedDataToken" {
		exp, known = granted.expires, true
	}
	plan := s.Plans[op]
	allowed := s.take(op, plan)
	roll := s.rng.Float64()
	s.mu.Unlock()
	w.Header().Set("x-amzn-RequestId", requestID())
	w.Header().Set("x-amzn-RateLimit-Limit", strconv.FormatFloat(plan.Rate, 'f', -1, 64))
	switch {
	case !known:
		fail(w, 403, "Unauthorized", "Access to requested resource is denied.", "The access token you provided is not valid.")
	case time.Now().After(exp):
		fail(w, 403, "Unauthorized", "Access to requested resource is denied.", "The access token you provided has expired.")
	case !allowed || roll < s.Throttle: // no Retry-After: SP-API sends none
		fail(w, 429, "QuotaExceeded", "You exceeded your quota for the requested resource.", "")
	case roll < s.Throttle+s.ServerError:
		fail(w, 500, "InternalFailure", "We encountered an internal error. Please try again.", "")
	case roll < s.Throttle+s.ServerError+s.Garbage:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"payload": {"Orders": [{"AmazonOrderId": "`)) // cut off
	case op == "createRestrictedDataToken":
		s.createRDT(w, r)
	case op == "getOrders":
		s.getOrders(w, r, granted.elements("/orders/v0/orders"))
	default:
		s.getOrderItems(w, r, granted)
	}
}

// take spends a request from the operation's token bucket.
func (s *Server) take(op string, p Plan) bool {
	b := s.buckets[op]
	now := time.Now()
	if b == nil {
		b = &bucket{tokens: float64(p.Burst), last: now}
		s.buckets[op] = b
	}
	b.tokens = math.Min(float64(p.Burst), b.tokens+now.Sub(b.last).Seconds()*p.Rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	if r.Form.Get("grant_type") != "refresh_token" || r.Form.Get("client_id") != s.ClientID || r.Form.Get("client_secret") != s.ClientSecret {
		writeJSON(w, 401, map[string]string{"error": "invalid_client", "error_description": "Client authentication failed"})
		return
	}
	if r.Form.Get("refresh_token") != s.RefreshToken {
		writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "The request has an invalid grant parameter : refresh_token"})
		return
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := "Atza|" + hex.EncodeToString(b)
	s.mu.Lock()
	s.tokens[tok] = time.Now().Add(s.TokenTTL)
	s.mu.Unlock()
	writeJSON(w, 200, doc{"access_token": tok, "token_type": "bearer", "expires_in": int(s.TokenTTL.Seconds()), "refresh_token": s.RefreshToken})
}

// createRDT is the Tokens API's createRestrictedDataToken: a token for up to 50 restricted
// resources of the Orders API, each a GET with the data elements it may carry.
func (s *Server) createRDT(w http.ResponseWriter, r *http.Request) {
	var req struct {
		RestrictedResources []struct {
			Method       string   `json:"method"`
			Path         string   `json:"path"`
			DataElements []string `json:"dataElements"`
		} `json:"restrictedResources"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.RestrictedResources) == 0 || len(req.RestrictedResources) > 50 {
		fail(w, 400, "InvalidInput", "restrictedResources must list 1 to 50 resources.", "")
		return
	}
	t := rdt{expires: time.Now().Add(s.TokenTTL), resources: map[string]map[string]bool{}}
	for _, res := range req.RestrictedResources {
		allowed, ok := restrictedPaths[res.Path]
		for p, els := range restrictedPaths { // or a specific order's path
			if !ok && matches(p, res.Path) {
				allowed, ok = els, true
			}
		}
		if res.Method != "GET" || !ok {
			fail(w, 400, "InvalidInput", fmt.Sprintf("%s %s is not a restricted resource.", res.Method, res.Path), "")
			return
		}
		els := map[string]bool{}
		for _, e := range res.DataElements {
			if !slices.Contains(allowed, e) {
				fail(w, 400, "InvalidInput", fmt.Sprintf("dataElements %q is not valid for %s.", e, res.Path), "")
				return
			}
			els[e] = true
		}
		t.resources[res.Path] = els
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := "Atz.sprdt|" + hex.EncodeToString(b)
	s.mu.Lock()
	s.rdts[tok] = t
	s.mu.Unlock()
	writeJSON(w, 200, doc{"restrictedDataToken": tok, "expiresIn": int(s.TokenTTL.Seconds())})
}

type pageToken struct {
	After   string `json:"a"`
	Markets string `json:"m"`
	Offset  int    `json:"o"`
}

func (s *Server) getOrders(w http.ResponseWriter, r *http.Request, pii map[string]bool) {
	q := r.URL.Query()
	pt := pageToken{After: q.Get("LastUpdatedAfter"), Markets: q.Get("MarketplaceIds")}
	if nt := q.Get("NextToken"); nt != "" {
		b, err := base64.RawURLEncoding.DecodeString(nt)
		if err != nil || json.Unmarshal(b, &pt) != nil {
			fail(w, 400, "InvalidInput", "Invalid NextToken.", "")
			return
		}
	}
	if pt.Markets == "" {
		fail(w, 400, "InvalidInput", "MarketplaceIds is required.", "")
		return
	}
	after, err := time.Parse(time.RFC3339, pt.After)
	if err != nil {
		fail(w, 400, "InvalidInput", "Either CreatedAfter or LastUpdatedAfter must be specified as an ISO 8601 date.", "")
		return
	}
	markets := map[string]bool{}
	for _, m := range strings.Split(pt.Markets, ",") {
		markets[m] = true
	}
	s.mu.Lock()
	var all []doc
	for _, o := range s.orders {
		if t, _ := time.Parse(time.RFC3339, o.str("LastUpdateDate")); !t.Before(after) && markets[o.str("MarketplaceId")] {
			all = append(all, o)
		}
	}
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool {
		if a, b := all[i].str("LastUpdateDate"), all[j].str("LastUpdateDate"); a != b {
			return a < b
		}
		return all[i].str("AmazonOrderId") < all[j].str("AmazonOrderId")
	})
	size := 100
	if n, err := strconv.Atoi(q.Get("MaxResultsPerPage")); err == nil && n >= 1 && n <= 100 {
		size = n
	}
	end := min(pt.Offset+size, len(all))
	orders := []doc{}
	if pt.Offset < len(all) {
		for _, o := range all[pt.Offset:end] {
			orders = append(orders, restrictOrder(o, pii))
		}
	}
	page := doc{"Orders": orders, "LastUpdatedBefore": time.Now().UTC().Add(-2 * time.Minute).Format(time.RFC3339)}
	if end < len(all) {
		next := pt
		next.Offset = end
		b, _ := json.Marshal(next)
		page["NextToken"] = base64.RawURLEncoding.EncodeToString(b)
	}
	writeJSON(w, 200, doc{"payload": page})
}

func (s *Server) getOrderItems(w http.ResponseWriter, r *http.Request, granted rdt) {
	id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/orders/v0/orders/"), "/orderItems")
	s.mu.Lock()
	stored, ok := s.items[id]
	s.mu.Unlock()
	if !ok {
		fail(w, 404, "NotFound", fmt.Sprintf("Order %s not found.", id), "")
		return
	}
	pii := granted.elements(r.URL.Path)
	items := []doc{}
	for _, it := range stored {
		items = append(items, restrictItem(it, pii))
	}
	writeJSON(w, 200, doc{"payload": doc{"OrderItems": items, "AmazonOrderId": id}})
}

// Update changes an order's status and its LastUpdateDate to now, as Amazon does.
func (s *Server) Update(id, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.orders[id]; o != nil {
		o["OrderStatus"] = status
		o["LastUpdateDate"] = time.Now().UTC().Format(time.RFC3339)
	}
}

// Each calls fn for every stored order, as the documents the fake answers (getOrders' Order and
// getOrderItems' OrderItems, JSON).
func (s *Server) Each(fn func(order json.RawMessage, items []json.RawMessage)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, o := range s.orders {
		ob, _ := json.Marshal(o)
		var ib []json.RawMessage
		for _, it := range s.items[id] {
			b, _ := json.Marshal(it)
			ib = append(ib, b)
		}
		fn(ob, ib)
	}
}
