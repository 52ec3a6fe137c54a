package capture

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"tiltas/agent/profile"
)

// Rows is a profile query's result, read by declared column name.
type Rows struct {
	q    *profile.Query
	rows *sql.Rows
	vals []any // *sql.NullString, or *sql.NullTime for time columns
	err  error
}

// Querier runs a read: a *sql.DB, or a *sql.Tx.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Query runs a profile read with the named parameter values, and checks that it returns the
// columns it declares. Every error names the query's profile key.
func Query(ctx context.Context, db Querier, q *profile.Query, values map[string]any) (*Rows, error) {
	text, args, err := profile.Bind(q.SQL, q.Params, values)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", q.Key, err)
	}
	rows, err := db.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q.Key, err)
	}
	cols, err := rows.Columns()
	if err == nil {
		err = q.CheckResult(cols)
	}
	if err != nil {
		rows.Close()
		return nil, err
	}
	r := &Rows{q: q, rows: rows}
	for _, c := range q.Cols {
		if c.Type == profile.Time {
			r.vals = append(r.vals, new(sql.NullTime))
		} else {
			r.vals = append(r.vals, new(sql.NullString))
		}
	}
	return r, nil
}

// Each runs a profile read and hands every row, scanned, to fn. The result is always closed
// and its reading error checked; the first error fn returns ends the read.
func Each(ctx context.Context, db Querier, q *profile.Query, values map[string]any, fn func(*Rows) error) error {
	rows, err := Query(ctx, db, q, values)
	if err != nil {
		return err
	}
	for rows.Next() {
		err := rows.Scan()
		if err == nil {
			err = fn(rows)
		}
		if err != nil {
			rows.Close()
			return err
		}
	}
	return rows.Close()
}

// ColumnTypes are the result's column types as the database gives them.
func (r *Rows) ColumnTypes() ([]*sql.ColumnType, error) { return r.rows.ColumnTypes() }

// Next advances to the next row.
func (r *Rows) Next() bool { return r.rows.Next() }

// Scan reads the current row.
func (r *Rows) Scan() error {
	if err := r.rows.Scan(r.vals...); err != nil {
		return fmt.Errorf("%s: %w: check the declared column types", r.q.Key, err)
	}
	return nil
}

// Close closes the result and returns any error met while reading it.
func (r *Rows) Close() error {
	err := r.rows.Err()
	r.rows.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", r.q.Key, err)
	}
	return nil
}

func (r *Rows) errorf(format string, a ...any) error {
	return fmt.Errorf("%s: %s", r.q.Key, fmt.Sprintf(format, a...))
}

// Str is a column as text; NULL (invalid) when NULL or not returned.
func (r *Rows) Str(name string) sql.NullString {
	if i := r.q.Index(name); i >= 0 {
		if v, ok := r.vals[i].(*sql.NullString); ok {
			return *v
		}
	}
	return sql.NullString{}
}

// Time is a time column; NULL (invalid) when NULL or not returned.
func (r *Rows) Time(name string) sql.NullTime {
	if i := r.q.Index(name); i >= 0 {
		if v, ok := r.vals[i].(*sql.NullTime); ok {
			return *v
		}
	}
	return sql.NullTime{}
}

// Raw is a column's value for a rejected row's raw record: an int column as a number, the
// rest as text.
func (r *Rows) Raw(name string) any {
	v := r.Str(name)
	if r.q.Type(name) == profile.Int {
		if n, err := strconv.ParseInt(v.String, 10, 64); err == nil {
			return n
		}
	}
	return v.String
}

// Int is an int column; ok is false when it is NULL or not a whole number.
func (r *Rows) Int(name string) (int64, bool) {
	v := r.Str(name)
	n, err := strconv.ParseInt(v.String, 10, 64)
	return n, v.Valid && err == nil
}

// firstID is the keyset's starting id: below every id of that type.
func firstID(typ string) any {
	if typ == profile.Int {
		return int64(-1)
	}
	return ""
}

// typedID is an id as the scan's after_id parameter takes it.
func typedID(typ, id string) (any, error) {
	if typ == profile.Int {
		return strconv.ParseInt(id, 10, 64)
	}
	return id, nil
}
