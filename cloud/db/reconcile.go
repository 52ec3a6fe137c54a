package db

import (
	"context"
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// Difference is one mismatch between a Z report and its receipts.
type Difference struct {
	What     string          `json:"what"` // "VAT 21%" or "payment CASH"
	Z        decimal.Decimal `json:"z"`
	Receipts decimal.Decimal `json:"receipts"`
	Diff     decimal.Decimal `json:"difference"`
}

// Reconciliation compares one Z report with the receipts the cloud holds for its session.
type Reconciliation struct {
	Store       string       `json:"store"`
	Register    string       `json:"register"`
	ZNumber     string       `json:"z_number"`
	Date        string       `json:"date"`
	ZReceipts   int          `json:"z_receipts"`
	Held        int          `json:"receipts_held"`
	OK          bool         `json:"ok"`
	Differences []Difference `json:"differences"`
}

// Reconcile checks every Z report closed in [from, to] (dates in the shops' zone, inclusive;
// empty for open-ended): receipts per VAT rate (gross) and per payment code against the Z's
// totals.
func (s *DB) Reconcile(ctx context.Context, tenantID int64, store, from, to string) ([]Reconciliation, error) {
	q := Query{TenantID: tenantID}
	if store != "" {
		st, err := s.StoreByCode(ctx, tenantID, store)
		if err != nil {
			return nil, err
		}
		q.StoreID = st.ID
	}
	if d, err := time.ParseInLocation(time.DateOnly, from, s.zone); err == nil {
		q.From = d
	}
	if d, err := time.ParseInLocation(time.DateOnly, to, s.zone); err == nil {
		q.To = d.AddDate(0, 0, 1)
	}
	zs, err := s.allDayCloses(ctx, q)
	if err != nil {
		return nil, err
	}
	stores, err := s.Stores(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	storeID := map[string]int64{}
	for _, st := range stores {
		storeID[st.Code] = st.ID
	}
	var out []Reconciliation
	for _, z := range zs {
		date := z.ClosedAt.In(s.zone).Format("2006-01-02")
		if (from != "" && date < from) || (to != "" && date > to) {
			continue
		}
		rs, err := s.sessionReceipts(ctx, s.db, tenantID, storeID[z.Store], z.SourceID, false)
		if err != nil {
			return nil, err
		}
		rec := Reconciliation{Store: z.Store, Register: z.Register, ZNumber: z.ZNumber, Date: date, ZReceipts: z.ReceiptsCount, Held: len(rs), Differences: []Difference{}}
		zsum, rsum := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
		for _, v := range z.VAT {
			zsum["VAT "+v.Rate.String()+"%"] = zsum["VAT "+v.Rate.String()+"%"].Add(v.Gross)
		}
		for _, p := range z.Payments {
			zsum["payment "+p.Code] = zsum["payment "+p.Code].Add(p.Amount)
		}
		for _, held := range rs {
			r := held.Receipt
			for _, v := range r.Rates() {
				rsum["VAT "+v.Rate.String()+"%"] = rsum["VAT "+v.Rate.String()+"%"].Add(v.Gross)
			}
			for _, p := range r.Payments {
				rsum["payment "+p.Code] = rsum["payment "+p.Code].Add(p.Amount)
			}
		}
		keys := map[string]bool{}
		for k := range zsum {
			keys[k] = true
		}
		for k := range rsum {
			keys[k] = true
		}
		var sorted []string
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			if d := zsum[k].Sub(rsum[k]); !d.IsZero() {
				rec.Differences = append(rec.Differences, Difference{What: k, Z: zsum[k], Receipts: rsum[k], Diff: d})
			}
		}
		if rec.Held != rec.ZReceipts {
			rec.Differences = append(rec.Differences, Difference{What: "receipt count", Z: decimal.NewFromInt(int64(rec.ZReceipts)), Receipts: decimal.NewFromInt(int64(rec.Held)),
				Diff: decimal.NewFromInt(int64(rec.ZReceipts - rec.Held))})
		}
		rec.OK = len(rec.Differences) == 0
		out = append(out, rec)
	}
	return out, nil
}

// allDayCloses reads every day close q selects, a page at a time.
func (s *DB) allDayCloses(ctx context.Context, q Query) ([]DayCloseRecord, error) {
	q.Limit = PageMax
	var all []DayCloseRecord
	for {
		page, err := s.DayCloses(ctx, q)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < q.Limit {
			return all, nil
		}
		q.AfterID = page[len(page)-1].ID
	}
}
