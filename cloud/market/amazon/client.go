package amazon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"tiltas/cloud/market/httpapi"
)

// Config is an account's connection.
type Config struct {
	Endpoint       string   `json:"endpoint"`  // regional SP-API endpoint, e.g. Endpoints["eu"]
	TokenURL       string   `json:"token_url"` // default TokenURL
	ClientID       string   `json:"client_id"`
	ClientSecret   string   `json:"client_secret"`
	RefreshToken   string   `json:"refresh_token"`
	MarketplaceIDs []string `json:"marketplace_ids"`
}

// Client talks to one seller account. It paces each operation with a token bucket set from
// the published usage plan and corrected by the x-amzn-RateLimit-Limit header, and retries
// 429 and 5xx answers with backoff, honouring Retry-After.
type Client struct {
	cfg  Config
	http *http.Client

	mu       sync.Mutex    // guards Calls
	tokens   httpapi.Token // Login with Amazon's access token
	rdt      httpapi.Token // a Restricted Data Token for the orders' personal data
	limiters map[string]*rate.Limiter
	// Calls counts requests by operation, for tests and status.
	Calls map[string]int
}

// OrdersAPI is the version of the Orders API the client reads: Orders v0 (ordersV0.json), the
// one place the choice is made. The newer 2026-01-01 version (orders_2026-01-01.json) returns
// the items with each order (no getOrderItems call per order) and the buyer's tax registrations
// (tax.taxRegistrations with entityType BUYER, taxRegistrationType VAT): the EU business VAT
// numbers Orders v0 does not have (its BuyerTaxInfo is for Brazil, Mexico and India, and
// BuyerTaxInformation for Turkey only). Its search is slower (0.0056 requests a second, burst 20,
// against getOrders' 0.0167) but needs no item calls. v0 stays until the client, its fake and
// its contract tests are moved together; that move is what books EU business buyers at 0 %.
const OrdersAPI = "/orders/v0"

// Usage plans from the model (requests per second, burst).
var usage = map[string]struct {
	rate  float64
	burst int
}{"getOrders": {0.0167, 20}, "getOrderItems": {0.5, 30}, "createRestrictedDataToken": {1, 10}}

// Restricted are the restricted resources the client asks one Restricted Data Token for: the
// buyer and the shipping address on getOrders (the VAT destination and the customer), and the
// buyer information on any order's items, where gift wrapping is charged. Without the token
// SP-API leaves these out, and gift wrap would never be booked.
var Restricted = []RestrictedResource{
	{Method: "GET", Path: OrdersAPI + "/orders", DataElements: []string{"buyerInfo", "shippingAddress"}},
	{Method: "GET", Path: OrdersAPI + "/orders/{orderId}/orderItems", DataElements: []string{"buyerInfo"}},
}

// New makes a client.
func New(cfg Config, hc *http.Client) *Client {
	if cfg.TokenURL == "" {
		cfg.TokenURL = TokenURL
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	c := &Client{cfg: cfg, http: hc, limiters: map[string]*rate.Limiter{}, Calls: map[string]int{}}
	c.tokens.Fetch = c.refresh
	c.rdt.Fetch = c.restrictedToken
	for op, u := range usage {
		// Start a little under the plan so we are never the one who is throttled.
		c.limiters[op] = rate.NewLimiter(rate.Limit(u.rate*0.9), u.burst)
	}
	return c
}

// APIError is an answer the SP-API gave with its error list.
type APIError = httpapi.APIError[Error]

// lwa is Login with Amazon, which issues the access tokens.
var lwa = httpapi.Grant{Service: "Login with Amazon", Fix: "authorise the app again in Seller Central and store the new refresh token"}

// refresh trades the refresh token for an access token at Login with Amazon.
func (c *Client) refresh(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {c.cfg.RefreshToken}, "client_id": {c.cfg.ClientID}, "client_secret": {c.cfg.ClientSecret}}
	req, err := http.NewRequestWithContext(ctx, "POST", c.cfg.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
	var t TokenResponse
	if err := lwa.Exchange(c.http, req, &t, func() bool { return t.AccessToken != "" }); err != nil {
		return "", 0, err
	}
	return t.AccessToken, time.Duration(t.ExpiresIn) * time.Second, nil
}

// restrictedToken asks the Tokens API for a Restricted Data Token covering Restricted, with
// Login with Amazon's access token; the token is cached for its lifetime (httpapi.Token).
func (c *Client) restrictedToken(ctx context.Context) (string, time.Duration, error) {
	body, _ := json.Marshal(CreateRestrictedDataTokenRequest{RestrictedResources: Restricted})
	refresh := false
	var last error
	for attempt := 0; attempt < 8; attempt++ {
		if err := c.limiters["createRestrictedDataToken"].Wait(ctx); err != nil {
			return "", 0, err
		}
		lwa, err := c.tokens.Get(ctx, refresh)
		if err != nil {
			return "", 0, err
		}
		req, err := http.NewRequestWithContext(ctx, "POST", c.cfg.Endpoint+"/tokens/2021-03-01/restrictedDataToken", bytes.NewReader(body))
		if err != nil {
			return "", 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("x-amz-access-token", lwa)
		c.mu.Lock()
		c.Calls["createRestrictedDataToken"]++
		c.mu.Unlock()
		resp, err := c.http.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return "", 0, ctx.Err()
			}
			last = err
			httpapi.Sleep(ctx, httpapi.Backoff(attempt, ""))
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		refresh = false
		switch {
		case resp.StatusCode == 200:
			var t CreateRestrictedDataTokenResponse
			if err := json.Unmarshal(b, &t); err == nil && t.RestrictedDataToken != "" && t.ExpiresIn > 0 {
				return t.RestrictedDataToken, time.Duration(t.ExpiresIn) * time.Second, nil
			}
			last = errors.New("the answer was HTTP 200 but not a complete token (restrictedDataToken and expiresIn)") // asked for again, never trusted; its body is not quoted, it may hold a token
			httpapi.Sleep(ctx, httpapi.Backoff(attempt, ""))
		case resp.StatusCode == 403 && strings.Contains(string(b), "expired") && attempt == 0:
			refresh = true // Login with Amazon's token expired: once more with a new one
		case resp.StatusCode == 429 || resp.StatusCode >= 500:
			last = httpapi.ErrorFrom[Error]("SP-API", resp.StatusCode, b, resp.Header.Get("x-amzn-RequestId"))
			httpapi.Sleep(ctx, httpapi.Backoff(attempt, resp.Header.Get("Retry-After")))
		case resp.StatusCode == 403:
			return "", 0, fmt.Errorf("createRestrictedDataToken: %w: the app needs the restricted roles for buyer and shipping data (Seller Central, Develop apps) to read gift wrapping and the destination; authorise it again after granting them", httpapi.ErrorFrom[Error]("SP-API", resp.StatusCode, b, resp.Header.Get("x-amzn-RequestId")))
		default:
			return "", 0, fmt.Errorf("createRestrictedDataToken: %w", httpapi.ErrorFrom[Error]("SP-API", resp.StatusCode, b, resp.Header.Get("x-amzn-RequestId")))
		}
	}
	return "", 0, fmt.Errorf("createRestrictedDataToken failed after 8 tries: %w", last)
}

// get calls an operation and decodes its JSON into out, retrying throttling and server errors.
// getOrders and getOrderItems go with the Restricted Data Token, so their personal data come.
func (c *Client) get(ctx context.Context, op, path string, q url.Values, out any) error {
	call := httpapi.Call{
		HTTP:  c.http,
		Wait:  c.limiters[op].Wait,
		Token: &c.rdt,
		Authorize: func(req *http.Request, token string) {
			req.Header.Set("x-amz-access-token", token)
			c.mu.Lock()
			c.Calls[op]++
			c.mu.Unlock()
		},
		Expired: func(status int, body []byte) bool { return status == 403 && strings.Contains(string(body), "expired") },
		Observe: func(h http.Header) { c.adapt(op, h.Get("x-amzn-RateLimit-Limit")) },
		APIError: func(status int, h http.Header, body []byte) error {
			return httpapi.ErrorFrom[Error]("SP-API", status, body, h.Get("x-amzn-RequestId"))
		},
	}
	if err := call.GetJSON(ctx, c.cfg.Endpoint+path+"?"+q.Encode(), http.Header{"Accept": {"application/json"}}, out); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// adapt sets an operation's pace from the usage plan the API says it applied.
func (c *Client) adapt(op, header string) {
	r, err := strconv.ParseFloat(strings.TrimSpace(header), 64)
	if err != nil || r <= 0 {
		return
	}
	if l := c.limiters[op]; l.Limit() != rate.Limit(r*0.9) {
		l.SetLimit(rate.Limit(r * 0.9))
	}
}

// Orders returns every order updated at or after since, following NextToken.
func (c *Client) Orders(ctx context.Context, since time.Time) ([]Order, error) {
	if len(c.cfg.MarketplaceIDs) == 0 {
		return nil, errors.New("the account names no marketplace_ids")
	}
	q := url.Values{"MarketplaceIds": {strings.Join(c.cfg.MarketplaceIDs, ",")}, "LastUpdatedAfter": {since.UTC().Format(time.RFC3339)}, "MaxResultsPerPage": {"100"}}
	var out []Order
	for {
		var r GetOrdersResponse
		if err := c.get(ctx, "getOrders", OrdersAPI+"/orders", q, &r); err != nil {
			return nil, err
		}
		if r.Payload == nil {
			return nil, errors.New("getOrders answered without a payload")
		}
		out = append(out, r.Payload.Orders...)
		if r.Payload.NextToken == "" {
			return out, nil
		}
		q = url.Values{"MarketplaceIds": {strings.Join(c.cfg.MarketplaceIDs, ",")}, "NextToken": {r.Payload.NextToken}}
	}
}

// OrderItems returns an order's items, following NextToken.
func (c *Client) OrderItems(ctx context.Context, orderID string) ([]OrderItem, error) {
	q := url.Values{}
	var out []OrderItem
	for {
		var r GetOrderItemsResponse
		if err := c.get(ctx, "getOrderItems", OrdersAPI+"/orders/"+url.PathEscape(orderID)+"/orderItems", q, &r); err != nil {
			return nil, err
		}
		if r.Payload == nil {
			return nil, errors.New("getOrderItems answered without a payload")
		}
		out = append(out, r.Payload.OrderItems...)
		if r.Payload.NextToken == "" {
			return out, nil
		}
		q = url.Values{"NextToken": {r.Payload.NextToken}}
	}
}
