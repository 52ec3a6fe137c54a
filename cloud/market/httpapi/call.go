// Package httpapi is what the marketplace API clients share: JSON GETs retried with backoff
// (Retry-After when the server says, otherwise exponential with jitter), an OAuth access
// token cached until it expires and refreshed once when an answer says it has, and the error
// list both APIs answer with. Each client keeps only what differs: its token request, how it
// sets the token on a request, and its error entries.
package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Backoff is how long to wait before try attempt+1.
func Backoff(attempt int, retryAfter string) time.Duration {
	if s, err := strconv.ParseFloat(retryAfter, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
	}
	d := min(time.Duration(100<<attempt)*time.Millisecond, 20*time.Second)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// Sleep waits d or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// Call says how to make one kind of JSON GET against a marketplace API.
type Call struct {
	HTTP *http.Client
	// Wait paces the call (a token bucket); it returns when the call may go.
	Wait func(ctx context.Context) error
	// Token is the access token; it is refreshed once when Expired says so.
	Token *Token
	// Authorize sets the access token on a request (and may count the call).
	Authorize func(req *http.Request, token string)
	// Expired says whether an answer means the access token expired.
	Expired func(status int, body []byte) bool
	// Observe sees every answer's headers (for example to follow a usage plan); optional.
	Observe func(h http.Header)
	// APIError makes the marketplace's error out of an answer.
	APIError func(status int, header http.Header, body []byte) error
	// Attempts is how many tries at most; default 8.
	Attempts int
}

// GetJSON GETs url and decodes the answer into out. Throttling (429) and server errors are
// retried after Backoff, honouring Retry-After; an expired token is refreshed once; an answer
// that is not the expected JSON is asked for again, never trusted.
func (c Call) GetJSON(ctx context.Context, url string, header http.Header, out any) error {
	attempts := c.Attempts
	if attempts <= 0 {
		attempts = 8
	}
	var last error
	refresh := false
	for attempt := 0; attempt < attempts; attempt++ {
		if err := c.Wait(ctx); err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
		if err != nil {
			return err
		}
		for k, vs := range header {
			req.Header[k] = vs
		}
		token, err := c.Token.Get(ctx, refresh)
		if err != nil {
			return err
		}
		c.Authorize(req, token)
		refreshed := refresh
		refresh = false
		resp, err := c.HTTP.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			last = err
			Sleep(ctx, Backoff(attempt, ""))
			continue
		}
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
		resp.Body.Close()
		if c.Observe != nil {
			c.Observe(resp.Header)
		}
		switch {
		case rerr != nil:
			last = rerr
			Sleep(ctx, Backoff(attempt, ""))
		case resp.StatusCode == 200:
			if err := json.Unmarshal(body, out); err == nil {
				return nil
			} else {
				last = fmt.Errorf("the answer was HTTP 200 but not the expected JSON: %w", err)
			}
			Sleep(ctx, Backoff(attempt, ""))
		case c.Expired(resp.StatusCode, body) && !refreshed:
			refresh = true
		case resp.StatusCode == 429 || resp.StatusCode >= 500:
			last = c.APIError(resp.StatusCode, resp.Header, body)
			Sleep(ctx, Backoff(attempt, resp.Header.Get("Retry-After")))
		default:
			return c.APIError(resp.StatusCode, resp.Header, body)
		}
	}
	return fmt.Errorf("failed after %d tries: %w", attempts, last)
}
