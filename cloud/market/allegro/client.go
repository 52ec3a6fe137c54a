package allegro

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"tiltas/cloud/market/httpapi"
)

// Config is an account's connection. RefreshToken changes on every refresh.
type Config struct {
	APIURL       string `json:"api_url"`  // https://api.allegro.pl
	AuthURL      string `json:"auth_url"` // https://allegro.pl
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	RefreshToken string `json:"refresh_token"`
	// The access token last issued and when it expires (RFC 3339), kept with the account so that
	// pulls use it for its 12 hours instead of rotating the refresh token every time.
	AccessToken   string `json:"access_token,omitempty"`
	AccessExpires string `json:"access_expires,omitempty"`
	// AccessFor is the connection the access token was issued for (Fingerprint): a config whose
	// client, URLs or refresh token were changed since does not use it.
	AccessFor string `json:"access_for,omitempty"`
}

// Fingerprint names a connection: client id, URLs and refresh token.
func (c Config) Fingerprint() string {
	sum := sha256.Sum256([]byte(c.ClientID + "\x00" + c.APIURL + "\x00" + c.AuthURL + "\x00" + c.RefreshToken))
	return hex.EncodeToString(sum[:8])
}

// Client talks to one seller account.
type Client struct {
	cfg     Config
	http    *http.Client
	limiter *rate.Limiter
	// Rotated is called with the new refresh token (and the access token issued with it, until
	// when it holds) as soon as Allegro issues them: the old refresh token no longer works, so
	// they must be stored before anything else happens.
	Rotated func(refreshToken, accessToken string, expires time.Time) error

	tokens httpapi.Token
}

// New makes a client. Allegro allows about 9,000 requests a minute per client: it paces itself
// at 100 a second.
func New(cfg Config, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	c := &Client{cfg: cfg, http: hc, limiter: rate.NewLimiter(100, 20)}
	c.tokens.Fetch = c.refresh
	if exp, err := time.Parse(time.RFC3339, cfg.AccessExpires); err == nil && cfg.AccessFor == cfg.Fingerprint() {
		c.tokens.Seed(cfg.AccessToken, exp)
	}
	return c
}

// APIError is an answer with Allegro's error list.
type APIError = httpapi.APIError[Error]

// oauth is Allegro's authorization service, which issues the tokens.
var oauth = httpapi.Grant{Service: "Allegro OAuth", Fix: "connect the account again"}

// refresh trades the refresh token for an access token; Allegro answers with a new refresh
// token too, and the old one stops working, so it is saved before anything else.
func (c *Client) refresh(ctx context.Context) (string, time.Duration, error) {
	q := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {c.cfg.RefreshToken}}
	req, err := http.NewRequestWithContext(ctx, "POST", c.cfg.AuthURL+"/auth/oauth/token?"+q.Encode(), nil)
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.cfg.ClientID+":"+c.cfg.ClientSecret)))
	var t Token
	if err := oauth.Exchange(c.http, req, &t, func() bool { return t.AccessToken != "" && t.RefreshToken != "" }); err != nil {
		return "", 0, err
	}
	expires := time.Now().Add(time.Duration(t.ExpiresIn) * time.Second)
	if c.Rotated != nil {
		if err := c.Rotated(t.RefreshToken, t.AccessToken, expires); err != nil {
			return "", 0, fmt.Errorf("save the rotated refresh token: %w", err)
		}
	}
	c.cfg.RefreshToken = t.RefreshToken
	return t.AccessToken, time.Duration(t.ExpiresIn) * time.Second, nil
}

func (c *Client) get(ctx context.Context, path string, q url.Values, out any) error {
	u := c.cfg.APIURL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	call := httpapi.Call{
		HTTP:      c.http,
		Wait:      c.limiter.Wait,
		Token:     &c.tokens,
		Authorize: func(req *http.Request, token string) { req.Header.Set("Authorization", "Bearer "+token) },
		Expired:   func(status int, _ []byte) bool { return status == 401 },
		APIError: func(status int, _ http.Header, body []byte) error {
			return httpapi.ErrorFrom[Error]("Allegro", status, body, "")
		},
	}
	if err := call.GetJSON(ctx, u, http.Header{"Accept": {MediaType}}, out); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

// Events reads the order event journal after event from (empty: from the oldest kept).
func (c *Client) Events(ctx context.Context, from string) ([]Event, error) {
	q := url.Values{"limit": {"1000"}}
	if from != "" {
		q.Set("from", from)
	}
	var r EventsResponse
	err := c.get(ctx, "/order/events", q, &r)
	return r.Events, err
}

// LatestEvent is the newest event id and time.
func (c *Client) LatestEvent(ctx context.Context) (string, string, error) {
	var r EventStats
	err := c.get(ctx, "/order/event-stats", nil, &r)
	return r.LatestEvent.ID, r.LatestEvent.OccurredAt, err
}

// CheckoutForm reads one order.
func (c *Client) CheckoutForm(ctx context.Context, id string) (CheckoutForm, error) {
	var f CheckoutForm
	err := c.get(ctx, "/order/checkout-forms/"+url.PathEscape(id), nil, &f)
	return f, err
}

// CheckoutFormsSince lists every order updated at or after since, page by page.
func (c *Client) CheckoutFormsSince(ctx context.Context, since time.Time) ([]CheckoutForm, error) {
	// Paged by time, not by offset: each page asks for the forms updated at or after the newest
	// one seen so far, sorted by updatedAt explicitly (the default is by boughtAt, descending).
	// Everything older than a page's newest form is in that page, however Allegro orders forms
	// of the same instant, and the forms of that instant come again and are dropped as seen. So
	// the listing never meets Allegro's cap of MaxListing results a search (offset + limit).
	var out []CheckoutForm
	seen := map[string]bool{}
	from := since.UTC()
	for {
		var r CheckoutForms
		q := url.Values{"updatedAt.gte": {from.Format(listingTime)}, "sort": {"updatedAt"}, "limit": {"100"}}
		if err := c.get(ctx, "/order/checkout-forms", q, &r); err != nil {
			return nil, err
		}
		newest, fresh := from, 0
		for _, f := range r.CheckoutForms {
			if !seen[f.ID] {
				seen[f.ID] = true
				out = append(out, f)
				fresh++
			}
			t, err := time.Parse(time.RFC3339Nano, f.UpdatedAt)
			if err != nil {
				return nil, fmt.Errorf("checkout form %s: updatedAt %q is not a time", f.ID, f.UpdatedAt)
			}
			if t.After(newest) {
				newest = t
			}
		}
		switch {
		case len(r.CheckoutForms) < 100 || r.TotalCount <= len(r.CheckoutForms):
			return out, nil // the last page
		case newest.After(from):
			from = newest
		default:
			// A full page of forms all updated at the same instant: read that instant by offset.
			rest, err := c.formsAt(ctx, from, seen)
			if err != nil {
				return nil, err
			}
			out = append(out, rest...)
			from = from.Add(time.Millisecond)
		}
	}
}

// listingTime is how the listing's time filters are written: ISO 8601 with milliseconds.
const listingTime = "2006-01-02T15:04:05.000Z07:00"

// formsAt reads, by offset, the forms updated at exactly one instant that are not seen yet: the
// one place the listing relies on Allegro keeping the order of forms of one instant from one
// request to the next. It is reached only by more than a page (100) of forms updated in the same
// millisecond.
func (c *Client) formsAt(ctx context.Context, at time.Time, seen map[string]bool) ([]CheckoutForm, error) {
	var out []CheckoutForm
	for offset := 0; ; {
		if offset+100 > MaxListing {
			return nil, fmt.Errorf("more than %d checkout forms were updated at %s: Allegro's listing cannot page past them", MaxListing, at.Format(time.RFC3339Nano))
		}
		var r CheckoutForms
		q := url.Values{"updatedAt.gte": {at.Format(listingTime)}, "updatedAt.lte": {at.Format(listingTime)}, "sort": {"updatedAt"}, "limit": {"100"}, "offset": {fmt.Sprint(offset)}}
		if err := c.get(ctx, "/order/checkout-forms", q, &r); err != nil {
			return nil, err
		}
		for _, f := range r.CheckoutForms {
			if !seen[f.ID] {
				seen[f.ID] = true
				out = append(out, f)
			}
		}
		offset += len(r.CheckoutForms)
		if len(r.CheckoutForms) == 0 || offset >= r.TotalCount {
			return out, nil
		}
	}
}

// MaxListing is how many results Allegro's checkout-form search returns at most (offset +
// limit): past it the listing is sliced by updatedAt.
const MaxListing = 10000

// ErrEventGone says the saved event has left the journal (Allegro keeps events about 60 days).
var ErrEventGone = errors.New("the saved order event is no longer in Allegro's journal")

// IsEventGone says whether err is Allegro refusing a from id it no longer has.
func IsEventGone(err error) bool {
	var ae *APIError
	return errors.Is(err, ErrEventGone) || errors.As(err, &ae) && ae.Status == 400 && strings.Contains(strings.ToLower(fmt.Sprint(ae.Errors)+ae.Body), "not found")
}
