// Package capture reads closed receipts and closed day sessions from the POS database into
// the outbox, with the SQL of the POS profile (agent/profile).
//
// Receipt ids are given when a receipt opens and closed_at is set inside the register's
// transaction, so a receipt can become visible after a later one was already read. Capture
// therefore rereads everything closed since (watermark − lookback) each time and lets the
// outbox's seen set drop what it already has. Only ids are reread; full rows are fetched for
// new ones only.
package capture

import (
	"context"
	"database/sql"
	"time"

	"tiltas/agent/outbox"
	"tiltas/agent/profile"
	"tiltas/shared/protocol"
)

// Outbox is where captures go.
type Outbox interface {
	Watermark(kind string) (time.Time, error)
	Unseen(kind string, ids []string) ([]string, error)
	Capture(kind string, items []outbox.Captured, wm time.Time) (int, error)
	PruneSeen(kind string, before time.Time) (int, error)
}

// Reader captures from one POS database.
type Reader struct {
	DB       *sql.DB
	Outbox   Outbox
	Profile  *profile.Profile // the POS's SQL; default: the reference profile
	Lookback time.Duration    // how far before the watermark to reread; default 10 min
	Batch    int              // rows fetched in full at a time; default 500
	// Start is pos.start_date's first instant: rows closed before it are not captured. The
	// scan starts at the later of it and (watermark − lookback). Zero: the whole history.
	Start time.Time
	scans int
	tx    Querier // reads go here instead of DB when set (Sample's read-only transaction)
}

// PageSize is how many ids one keyset page of a scan holds.
const PageSize = 5000

// Result is what one pass captured.
type Result struct {
	Receipts, DayCloses int
}

// db is where reads go.
func (r *Reader) db() Querier {
	if r.tx != nil {
		return r.tx
	}
	return r.DB
}

func (r *Reader) profile() *profile.Profile {
	if r.Profile == nil {
		r.Profile = profile.Reference()
	}
	return r.Profile
}

// Once runs one capture pass: receipts, then day closes.
func (r *Reader) Once(ctx context.Context) (Result, error) {
	var res Result
	var err error
	p := r.profile()
	if res.Receipts, err = r.pass(ctx, protocol.KindReceipt, &p.Receipts.Scan, p.Receipts.ClosedWithoutTime, r.receipts); err != nil {
		return res, err
	}
	if res.DayCloses, err = r.pass(ctx, protocol.KindDayClose, &p.DayCloses.Scan, p.DayCloses.ClosedWithoutTime, r.dayCloses); err != nil {
		return res, err
	}
	r.scans++
	return res, nil
}

type fetchFn func(ctx context.Context, ids []string) ([]outbox.Captured, error)

func (r *Reader) lookback() time.Duration {
	if r.Lookback <= 0 {
		return 10 * time.Minute
	}
	return r.Lookback
}

func (r *Reader) pass(ctx context.Context, kind string, scanQ, brokenQ *profile.Query, fetch fetchFn) (int, error) {
	wm, err := r.Outbox.Watermark(kind)
	if err != nil {
		return 0, err
	}
	since := time.Time{}
	if !wm.IsZero() {
		since = wm.Add(-r.lookback())
	}
	if r.Start.After(since) {
		// The keyset's first page takes rows closed at exactly since too (any id).
		since = r.Start
	}
	batch := r.Batch
	if batch <= 0 {
		batch = 500
	}
	total := 0
	// Keyset pages over (closed time, id), ids only.
	lastAt, lastID := since, firstID(scanQ.Type("id"))
	for {
		var ids []string
		closed := map[string]time.Time{}
		n := 0
		if err := Each(ctx, r.db(), scanQ, profile.ScanParams(lastAt, lastID, PageSize), func(rows *Rows) error {
			id, at, err := scanned(rows)
			if err != nil {
				return err
			}
			n++
			lastAt = at
			if lastID, err = typedID(scanQ.Type("id"), id); err != nil {
				return rows.errorf("id %q: %v", id, err)
			}
			ids = append(ids, id)
			closed[id] = at
			return nil
		}); err != nil {
			return total, err
		}
		fresh, err := r.Outbox.Unseen(kind, ids)
		if err != nil {
			return total, err
		}
		for start := 0; start < len(fresh); start += batch {
			chunk := fresh[start:min(start+batch, len(fresh))]
			items, err := fetch(ctx, chunk)
			if err != nil {
				return total, err
			}
			// A seen mark is kept as long as its scan time is within the window, so it takes
			// the scan's closing time (a profile may scan by the session's close, not the
			// receipt's own time).
			for i := range items {
				if at, ok := closed[items[i].SourceID]; ok {
					items[i].ClosedAt = at
				}
			}
			// The watermark is the newest closing time in this chunk: everything up to it is
			// in the outbox once this transaction commits.
			wm := time.Time{}
			for _, id := range chunk {
				if closed[id].After(wm) {
					wm = closed[id]
				}
			}
			c, err := r.Outbox.Capture(kind, items, wm)
			if err != nil {
				return total, err
			}
			total += c
		}
		if n < PageSize {
			break
		}
	}
	// Rows marked closed without a closing time fall outside every window: ship them too, so
	// the cloud reports them instead of them being lost in silence.
	if brokenQ != nil {
		broken, err := r.closedWithoutTime(ctx, kind, brokenQ)
		if err != nil {
			return total, err
		}
		if len(broken) > 0 {
			items, err := fetch(ctx, broken)
			if err != nil {
				return total, err
			}
			c, err := r.Outbox.Capture(kind, items, time.Time{})
			if err != nil {
				return total, err
			}
			total += c
		}
	}
	if r.scans%100 == 0 && !wm.IsZero() {
		if _, err := r.Outbox.PruneSeen(kind, wm.Add(-3*r.lookback())); err != nil {
			return total, err
		}
	}
	return total, nil
}

func (r *Reader) closedWithoutTime(ctx context.Context, kind string, q *profile.Query) ([]string, error) {
	ids, err := r.idsWithoutTime(ctx, q, 0)
	if err != nil {
		return nil, err
	}
	return r.Outbox.Unseen(kind, ids)
}

// idsWithoutTime are the ids a closed_without_time query returns, at most limit (0: all).
func (r *Reader) idsWithoutTime(ctx context.Context, q *profile.Query, limit int) ([]string, error) {
	var ids []string
	err := Each(ctx, r.db(), q, nil, func(rows *Rows) error {
		if id := rows.Str("id"); id.Valid && (limit == 0 || len(ids) < limit) {
			ids = append(ids, id.String)
		}
		return nil
	})
	return ids, err
}

// scanned is a scan row's id and closing time; a scan must return both.
func scanned(rows *Rows) (string, time.Time, error) {
	id, at := rows.Str("id"), rows.Time("closed_at")
	if !id.Valid || !at.Valid {
		return "", time.Time{}, rows.errorf("returned a row with a NULL id or closed_at: select only closed rows with a closing time")
	}
	return id.String, at.Time, nil
}
