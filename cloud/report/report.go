// Package report is the shape of the cloud's reports: a Table of strings that serves the
// screen (JSON, HTML) and the download (CSV) alike, the quarters OSS returns are made for, and
// how amounts are written in them. It holds no queries: cloud/db fills the tables.
package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"tiltas/shared/domain"
)

// Table is a report: a title, column names and rows of cells.
type Table struct {
	Title   string     `json:"title"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// WriteCSV writes the table as a ';'-separated CSV (what Lithuanian spreadsheets expect): the
// column names, then the rows.
func (t Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	if err := cw.Write(t.Columns); err != nil {
		return err
	}
	return cw.WriteAll(t.Rows)
}

// Quarter parses a quarter written as 2026Q4 (or 2026q4) into its first and last day, in UTC.
// Quarters before 2021, when OSS began, are refused.
func Quarter(q string) (first, last time.Time, err error) {
	var year, n int
	var rest string
	if k, _ := fmt.Sscanf(strings.ToUpper(q), "%dQ%d%s", &year, &n, &rest); k != 2 || n < 1 || n > 4 || year < 2021 || year > 9999 {
		return first, last, fmt.Errorf("quarter %q: write it as 2026Q4 (a year from 2021, then Q1 to Q4)", q)
	}
	first = time.Date(year, time.Month(3*n-2), 1, 0, 0, 0, 0, time.UTC)
	return first, first.AddDate(0, 3, -1), nil
}

// QuarterOf names the quarter of a date (YYYY-MM-DD), as 2026Q4; a string that is not a date
// is returned as it is.
func QuarterOf(date string) string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return fmt.Sprintf("%dQ%d", d.Year(), (int(d.Month())-1)/3+1)
}

// Cents writes an amount in cents as a report shows it: with two decimals, 1234 as 12.34.
func Cents(c int64) string { return domain.FromCents(c).StringFixed(2) }
