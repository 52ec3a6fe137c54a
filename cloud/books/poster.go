package books

import (
	"context"
	"log/slog"
	"time"
)

// Poster books what agents deliver in the background: it turns held receipts and Z reports
// into documents as fast as they arrive, and keeps going after errors.
type Poster struct {
	Books interface {
		PostPending(ctx context.Context, limit int) (Result, error)
	}
	Log   *slog.Logger
	Every time.Duration // pause when caught up; default 1 s
	Batch int           // items per pass; default 500
}

// Run posts until ctx ends. Each item is its own transaction under an idempotency key, so a
// crash at any point loses nothing and books nothing twice: the next run carries on.
func (p *Poster) Run(ctx context.Context) {
	every, batch := p.Every, p.Batch
	if every <= 0 {
		every = time.Second
	}
	if batch <= 0 {
		batch = 500
	}
	backoff := every
	for {
		res, err := p.Books.PostPending(ctx, batch)
		wait := every
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			backoff = min(backoff*2, time.Minute)
			wait = backoff
			p.Log.Error("posting paused; will retry", "err", err, "in", wait)
		default:
			backoff = every
			if res.Posted+res.Failed > 0 {
				p.Log.Info("posted", "documents_from", res.Posted, "refused", res.Failed, "waiting", res.Deferred)
			}
			if res.Posted+res.Failed >= batch {
				wait = 0 // a backlog: keep going
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}
