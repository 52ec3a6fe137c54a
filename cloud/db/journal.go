package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"tiltas/cloud/posting"
	"tiltas/shared/domain"
)

// EntryRecord is a stored journal entry.
type EntryRecord struct {
	ID         int64  `json:"id"`
	DocumentID int64  `json:"document_id"`
	Date       string `json:"date"`
	Reverses   int64  `json:"reverses_entry,omitempty"`
	posting.Entry
}

// entries reads entries matching where (on journal_entries e) with their moves.
func (s *DB) entries(ctx context.Context, q queryer, tenantID int64, where string, args ...any) ([]EntryRecord, error) {
	var out []EntryRecord
	err := queryEach(ctx, q, func(sc scanner) error {
		var e EntryRecord
		var m posting.Move
		var cents int64
		if err := sc.Scan(&e.ID, &e.DocumentID, &e.Date, &e.Memo, &e.Reverses, &m.Debit, &m.Credit, &cents); err != nil {
			return err
		}
		m.Amount = domain.FromCents(cents)
		if n := len(out); n > 0 && out[n-1].ID == e.ID {
			out[n-1].Moves = append(out[n-1].Moves, m)
			return nil
		}
		e.Moves = []posting.Move{m}
		out = append(out, e)
		return nil
	}, `SELECT e.id, e.document_id, e.entry_date, e.memo, e.reverses_entry, p.debit, p.credit, p.amount_cents
		FROM journal_entries e JOIN postings p ON p.entry_id = e.id WHERE e.tenant_id = ? AND `+where+` ORDER BY e.id, p.line_no`, append([]any{tenantID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	return out, nil
}

// Journal lists entries dated in [from, to] (YYYY-MM-DD; empty for open-ended), a page of
// limit entries after afterID.
func (s *DB) Journal(ctx context.Context, tenantID int64, from, to string, afterID int64, limit int) ([]EntryRecord, error) {
	limit = PageLimit(limit)
	q, args := `SELECT id FROM journal_entries WHERE tenant_id = ? AND id > ?`, []any{tenantID, afterID}
	if from != "" {
		q, args = q+` AND entry_date >= ?`, append(args, from)
	}
	if to != "" {
		q, args = q+` AND entry_date <= ?`, append(args, to)
	}
	ids, err := queryAll(ctx, s.db, func(sc scanner) (any, error) { return scanOne[int64](sc) }, q+fmt.Sprintf(` ORDER BY id LIMIT %d`, limit), args...)
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return s.entries(ctx, s.db, tenantID, "e.id IN (?"+strings.Repeat(",?", len(ids)-1)+")", ids...)
}

// AccountBalance is one line of the trial balance.
type AccountBalance struct {
	Account string          `json:"account"`
	Name    string          `json:"name"`
	Debit   decimal.Decimal `json:"debit"`
	Credit  decimal.Decimal `json:"credit"`
	Balance decimal.Decimal `json:"balance"` // debit − credit
}

// TrialBalance sums every account's moves dated up to and including to (empty: all).
func (s *DB) TrialBalance(ctx context.Context, tenantID int64, to string) ([]AccountBalance, error) {
	if to == "" {
		to = "9999-12-31"
	}
	names, err := s.accountNames(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out, err := queryAll(ctx, s.db, func(sc scanner) (AccountBalance, error) {
		var a AccountBalance
		var dr, cr int64
		err := sc.Scan(&a.Account, &dr, &cr)
		a.Name = names[a.Account]
		a.Debit, a.Credit, a.Balance = domain.FromCents(dr), domain.FromCents(cr), domain.FromCents(dr-cr)
		return a, err
	}, `SELECT acct, SUM(dr), SUM(cr) FROM (
		SELECT p.debit AS acct, p.amount_cents AS dr, 0 AS cr FROM postings p JOIN journal_entries e ON e.id = p.entry_id WHERE p.tenant_id = ? AND e.entry_date <= ?
		UNION ALL
		SELECT p.credit AS acct, 0 AS dr, p.amount_cents AS cr FROM postings p JOIN journal_entries e ON e.id = p.entry_id WHERE p.tenant_id = ? AND e.entry_date <= ?
	) m GROUP BY acct ORDER BY acct`, tenantID, to, tenantID, to)
	if err != nil {
		return nil, fmt.Errorf("trial balance: %w", err)
	}
	return out, nil
}

func (s *DB) accountNames(ctx context.Context, tenantID int64) (map[string]string, error) {
	out := map[string]string{}
	err := queryEach(ctx, s.db, func(sc scanner) error {
		var c, n string
		if err := sc.Scan(&c, &n); err != nil {
			return err
		}
		out[c] = n
		return nil
	}, `SELECT code, name FROM accounts WHERE tenant_id = ?`, tenantID)
	return out, err
}

// insertEntry stores a journal entry after checking it again inside the transaction.
func (s *DB) insertEntry(ctx context.Context, tx *sql.Tx, tenantID, docID int64, date string, e posting.Entry, reverses int64) (int64, error) {
	if err := e.Check(); err != nil {
		return 0, &posting.Error{Msg: "journal entry refused: " + err.Error()}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO journal_entries (tenant_id, document_id, entry_date, memo, reverses_entry, created_ms) VALUES (?, ?, ?, ?, ?, ?)`,
		tenantID, docID, date, e.Memo, reverses, s.nowMS())
	if err != nil {
		return 0, fmt.Errorf("store journal entry: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	var args []any
	for i, m := range e.Moves {
		amt, _ := domain.Cents(m.Amount)
		args = append(args, id, i+1, tenantID, m.Debit, m.Credit, amt)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO postings (entry_id, line_no, tenant_id, debit, credit, amount_cents) VALUES `+rowsOf(6, len(e.Moves)), args...); err != nil {
		return 0, fmt.Errorf("store postings: %w", err)
	}
	// Read back inside the transaction: what is stored is the whole entry.
	var n int
	var sum sql.NullInt64
	var want int64
	for _, m := range e.Moves {
		c, _ := domain.Cents(m.Amount)
		want += c
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), SUM(amount_cents) FROM postings WHERE entry_id = ?`, id).Scan(&n, &sum); err != nil {
		return 0, err
	}
	if n != len(e.Moves) || sum.Int64 != want {
		return 0, fmt.Errorf("entry %d stored %d moves worth %d cents, want %d worth %d", id, n, sum.Int64, len(e.Moves), want)
	}
	return id, nil
}
