package capture

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"tiltas/agent/outbox"
	"tiltas/agent/profile"
	"tiltas/shared/protocol"
)

// SampleOptions says what Sample reads.
type SampleOptions struct {
	From      time.Time // read what closed at or after this; zero: from the oldest
	Receipts  int       // at most this many closed receipts
	DayCloses int       // at most this many day closes
}

// Sampled is what Sample read: the items as capture would put them in the outbox (a rejected
// row carries its DecodeError and raw row), oldest first. Rows the POS marks closed without a
// closing time follow the others (they are shipped, rejected, whatever the date).
type Sampled struct {
	Receipts, DayCloses []outbox.Captured
}

// Sample reads the first closed receipts and day closes through the profile, oldest first,
// exactly as a capture pass would read them, in a read-only transaction. It touches no outbox
// and no cloud.
func Sample(ctx context.Context, db *sql.DB, p *profile.Profile, opt SampleOptions) (Sampled, error) {
	var s Sampled
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return s, fmt.Errorf("begin a read-only transaction: %w", err)
	}
	defer tx.Rollback()
	r := &Reader{DB: db, Profile: p, tx: tx}
	if s.Receipts, err = r.sample(ctx, protocol.KindReceipt, &p.Receipts.Scan, p.Receipts.ClosedWithoutTime, opt.From, opt.Receipts, r.receipts); err != nil {
		return s, err
	}
	if s.DayCloses, err = r.sample(ctx, protocol.KindDayClose, &p.DayCloses.Scan, p.DayCloses.ClosedWithoutTime, opt.From, opt.DayCloses, r.dayCloses); err != nil {
		return s, err
	}
	return s, tx.Commit()
}

func (r *Reader) sample(ctx context.Context, kind string, scanQ, brokenQ *profile.Query, from time.Time, n int, fetch fetchFn) ([]outbox.Captured, error) {
	if n <= 0 {
		return nil, nil
	}
	// The scan's keyset starts just before from: (from, below every id).
	rows, err := Query(ctx, r.db(), scanQ, profile.ScanParams(from, firstID(scanQ.Type("id")), n))
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() && len(ids) < n {
		if err := rows.Scan(); err != nil {
			rows.Close()
			return nil, err
		}
		id, at := rows.Str("id"), rows.Time("closed_at")
		if !id.Valid || !at.Valid {
			rows.Close()
			return nil, rows.errorf("returned a row with a NULL id or closed_at: select only closed rows with a closing time")
		}
		ids = append(ids, id.String)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if brokenQ != nil {
		broken, err := Query(ctx, r.db(), brokenQ, nil)
		if err != nil {
			return nil, err
		}
		k := 0
		for broken.Next() && k < n {
			if err := broken.Scan(); err != nil {
				broken.Close()
				return nil, err
			}
			if id := broken.Str("id"); id.Valid {
				ids = append(ids, id.String)
				k++
			}
		}
		if err := broken.Close(); err != nil {
			return nil, err
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return fetch(ctx, ids)
}
