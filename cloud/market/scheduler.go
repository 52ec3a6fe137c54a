package market

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/cloud/posting"
)

// Store is what the scheduler needs.
type Store interface {
	MarketAccounts(ctx context.Context, tenantID int64) ([]db.MarketAccount, error)
	SaveOrders(ctx context.Context, acct db.MarketAccount, orders []posting.Order) (int, error)
	PullDone(ctx context.Context, accountID int64, cursor string, next time.Time, pullErr error) error
	SaveMarketConfig(ctx context.Context, accountID int64, config json.RawMessage) error
}

// DefaultTick is how often the scheduler looks for due accounts unless told otherwise, so that
// an account made due (fetched now, changed or resumed) is pulled within seconds.
const DefaultTick = 5 * time.Second

// Scheduler pulls every account when it is due, and keeps retrying failing accounts with
// backoff (1, 2, 4, 8 then every 15 minutes) without ever disabling them; the last error
// stays visible on the account. Accounts are pulled one after another: one made due while
// others are being pulled is pulled at the first look after they are done.
type Scheduler struct {
	Store Store
	// Books books the orders a pull saved (cloud/books).
	Books interface {
		PostOrders(ctx context.Context, acct db.MarketAccount, rules posting.OrderRules) (books.Result, error)
	}
	Log  *slog.Logger
	Tick time.Duration // how often due accounts are looked for; default DefaultTick (5 s)
}

// Backoff is the wait after the n-th failure in a row.
func Backoff(n int) time.Duration {
	return min(time.Minute<<max(n-1, 0), 15*time.Minute)
}

// Run runs until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	tick := s.Tick
	if tick <= 0 {
		tick = DefaultTick
	}
	for {
		if err := s.RunDue(ctx, time.Now()); err != nil && ctx.Err() == nil {
			s.Log.Error("marketplace pulls", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(tick):
		}
	}
}

// RunDue pulls the accounts due at now.
func (s *Scheduler) RunDue(ctx context.Context, now time.Time) error {
	accts, err := s.Store.MarketAccounts(ctx, 0)
	if err != nil {
		return err
	}
	for _, a := range accts {
		if a.Paused || a.NextPull != nil && a.NextPull.After(now) {
			continue
		}
		if err := s.Pull(ctx, a); err != nil && ctx.Err() != nil {
			return err
		}
	}
	return nil
}

// Pull pulls one account now, saves what changed and books what is due. A failed pull is
// recorded with its error and retried after Backoff.
func (s *Scheduler) Pull(ctx context.Context, a db.MarketAccount) error {
	k, err := Lookup(a.Kind)
	if err != nil {
		return fmt.Errorf("account %s: %w", a.Name, err)
	}
	var orders []posting.Order
	cursor, err := a.Cursor, a.ConfigErr
	if err == nil {
		orders, cursor, err = k.Pull(ctx, a.Config, a.Cursor, func(cfg json.RawMessage) error { return s.Store.SaveMarketConfig(ctx, a.ID, cfg) })
	}
	if err == nil {
		_, err = s.Store.SaveOrders(ctx, a, orders)
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := Backoff(a.Failures + 1)
		s.Log.Warn("marketplace pull failed; will retry", "account", a.Name, "failures", a.Failures+1, "in", wait, "err", err)
		return s.Store.PullDone(ctx, a.ID, a.Cursor, time.Now().Add(wait), err)
	}
	if _, err := s.Books.PostOrders(ctx, a, k.Rules(a.Config)); err != nil {
		return err
	}
	return s.Store.PullDone(ctx, a.ID, cursor, time.Now().Add(time.Duration(a.EveryS)*time.Second), nil)
}
