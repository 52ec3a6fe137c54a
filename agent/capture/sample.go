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
	var ids []string
	if err := Each(ctx, r.db(), scanQ, profile.ScanParams(from, firstID(scanQ.Type("id")), n), func(rows *Rows) error {
		if len(ids) >= n {
			return nil // past the sample: not looked at
		}
		id, _, err := scanned(rows)
		ids = append(ids, id)
		return err
	}); err != nil {
		return nil, err
	}
	if brokenQ != nil {
		broken, err := r.idsWithoutTime(ctx, brokenQ, n)
		if err != nil {
			return nil, err
		}
		ids = append(ids, broken...)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return fetch(ctx, ids)
}
