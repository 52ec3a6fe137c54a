// Package rates reads the rate tables an accountant imports: the standard VAT rate of each
// country (country;standard_rate), reduced VAT rates by product category
// (country;category;rate) and the ECB's euro exchange rates (its daily and its history CSV).
// It parses and checks them and stores nothing: cloud/db keeps what it returns.
//
// A file with bad lines is refused whole with an *Error naming each line, what is wrong with
// it and what to write instead. EU is the table of standard rates every new tenant starts with.
package rates

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/posting"
	"tiltas/shared/domain"
)

// Standard is a country's standard VAT rate, in percent.
type Standard struct {
	Country string // ISO 3166 code, upper case: DE
	Rate    decimal.Decimal
}

// Reduced is a country's VAT rate for a product category, in percent.
type Reduced struct {
	Country  string // an EU member state, upper case: DE
	Category string // a card's VAT category, lower case: books
	Rate     decimal.Decimal
}

// FX is an exchange rate the ECB published: units of Currency per euro on Date.
type FX struct {
	Currency string // upper case: USD
	Date     string // YYYY-MM-DD
	Rate     decimal.Decimal
}

// Error is a rates file refused: every bad line (up to maxShown are spelt out), or why the file
// holds no rates at all.
type Error struct {
	Problems []string
}

// maxShown is how many bad lines an Error spells out; the rest are counted.
const maxShown = 20

func (e *Error) Error() string {
	if len(e.Problems) <= maxShown {
		return strings.Join(e.Problems, "; ")
	}
	return strings.Join(e.Problems[:maxShown], "; ") + fmt.Sprintf("; and %d more bad lines", len(e.Problems)-maxShown)
}

//go:embed eu-rates.csv
var euCSV string

// EU is the standard VAT rate of each of the 27 EU member states (eu-rates.csv, in this
// package), which every new tenant starts with and an accountant may import again.
func EU() []Standard {
	rows, err := ParseStandard(strings.NewReader(euCSV))
	if err != nil {
		panic("rates: eu-rates.csv: " + err.Error())
	}
	return rows
}

// maxLine is the longest line read: an ECB history line has a rate for some 40 currencies.
const maxLine = 1 << 20

// lines calls fn with each non-empty line of r, trimmed, and its number (from 1), and says
// whether it is the first non-empty line (where a header may be).
func lines(r io.Reader, what string, fn func(n int, text string, first bool)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	n, first := 0, true
	for sc.Scan() {
		n++
		text := strings.TrimSpace(sc.Text())
		if n == 1 {
			text = strings.TrimPrefix(text, "\ufeff") // a spreadsheet's byte order mark
		}
		if text == "" {
			continue
		}
		fn(n, text, first)
		first = false
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return &Error{[]string{fmt.Sprintf("line %d is longer than %d bytes: is this a %s file?", n+1, maxLine, what)}}
	}
	if sc.Err() != nil {
		return fmt.Errorf("read the %s file: %w", what, sc.Err())
	}
	return nil
}

// fields splits a line at ';', or at tabs when it has no ';', or at ',' when it has neither,
// and trims each field.
func fields(text string) []string {
	sep := ","
	switch {
	case strings.Contains(text, ";"):
		sep = ";"
	case strings.Contains(text, "\t"):
		sep = "\t"
	}
	f := strings.Split(text, sep)
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	return f
}

// percent reads a VAT rate: a percentage below 100 with at most two decimals, a decimal
// comma allowed (5,5).
func percent(s string) (decimal.Decimal, string) {
	rate, err := decimal.NewFromString(strings.ReplaceAll(s, ",", "."))
	if err != nil || rate.IsNegative() || rate.GreaterThanOrEqual(decimal.NewFromInt(100)) {
		return rate, fmt.Sprintf("rate %q is not a percentage: write it like 21 or 5.5", s)
	}
	if _, err := domain.Cents(rate); err != nil {
		return rate, fmt.Sprintf("rate %q has more than two decimals: write it like 5.5", s)
	}
	return rate, ""
}

func isLetters(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

// result is what a parser answers: the read error, or every problem, or the rows, or why there
// are none.
func result[T any](rows []T, problems []string, err error, none string) ([]T, error) {
	switch {
	case err != nil:
		return nil, err
	case len(problems) > 0:
		return nil, &Error{problems}
	case len(rows) == 0:
		return nil, &Error{[]string{none}}
	}
	return rows, nil
}

// ParseStandard reads standard VAT rates from lines of country;standard_rate (DE;19), with an
// optional header line "country;standard_rate". The separator may also be a tab or a comma.
func ParseStandard(r io.Reader) ([]Standard, error) {
	var out []Standard
	var problems []string
	err := lines(r, "VAT rates", func(n int, text string, first bool) {
		f := fields(text)
		if first && strings.EqualFold(f[0], "country") {
			return
		}
		if len(f) != 2 {
			problems = append(problems, fmt.Sprintf("line %d: want country;standard_rate (e.g. DE;19), got %q", n, text))
			return
		}
		bad := len(problems)
		if !isLetters(f[0], 2) {
			problems = append(problems, fmt.Sprintf("line %d: country %q: write its two-letter ISO code, e.g. DE", n, f[0]))
		}
		rate, why := percent(f[1])
		if why != "" {
			problems = append(problems, fmt.Sprintf("line %d: %s", n, why))
		}
		if len(problems) == bad {
			out = append(out, Standard{Country: strings.ToUpper(f[0]), Rate: rate})
		}
	})
	return result(out, problems, err, "no VAT rates in the file: want lines of country;standard_rate, e.g. DE;19")
}

// ParseReduced reads reduced VAT rates by product category from lines of country;category;rate
// (DE;books;7), with an optional header line "country;category;rate". The country must be an
// EU member state and the category a card's VAT category code.
func ParseReduced(r io.Reader) ([]Reduced, error) {
	var out []Reduced
	var problems []string
	err := lines(r, "reduced VAT rates", func(n int, text string, first bool) {
		f := fields(text)
		if first && strings.EqualFold(f[0], "country") {
			return
		}
		if len(f) != 3 {
			problems = append(problems, fmt.Sprintf("line %d: want country;category;rate (e.g. DE;books;7), got %q", n, text))
			return
		}
		bad := len(problems)
		country, category := strings.ToUpper(f[0]), strings.ToLower(f[1])
		if !posting.EU[country] {
			problems = append(problems, fmt.Sprintf("line %d: %q is not an EU member state (ISO code, GR for Greece)", n, f[0]))
		}
		if category == "" || !domain.ValidVATCategory(category) {
			problems = append(problems, fmt.Sprintf("line %d: category %q: up to 40 lowercase letters, digits, - or _", n, f[1]))
		}
		rate, why := percent(f[2])
		if why != "" {
			problems = append(problems, fmt.Sprintf("line %d: %s", n, why))
		}
		if len(problems) == bad {
			out = append(out, Reduced{Country: country, Category: category, Rate: rate})
		}
	})
	return result(out, problems, err, "no reduced rates in the file: want lines of country;category;rate, e.g. DE;books;7")
}

// ecbDays are the date layouts of the ECB's files: the history's and the daily one's.
var ecbDays = []string{time.DateOnly, "2 January 2006", "02 January 2006"}

// ParseECB reads the ECB's exchange-rate CSV: the daily file ("Date, USD, JPY, ...", then
// "21 November 2026, 1.0543, 161.20, ...") or the history ("Date,USD,...", then
// "2026-11-21,1.0543,..."). Empty and N/A rates are skipped.
func ParseECB(r io.Reader) ([]FX, error) {
	var out []FX
	var problems []string
	var header []string
	err := lines(r, "ECB exchange rates", func(n int, text string, _ bool) {
		f := strings.Split(text, ",")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		if len(f) < 2 {
			return
		}
		if header == nil {
			if !strings.EqualFold(f[0], "Date") {
				problems = append(problems, fmt.Sprintf("line %d: not an ECB rates file: its first line must start with Date, then the currencies (Date,USD,JPY,...)", n))
				header = []string{} // report this once, then read on to name the rest
				return
			}
			for i, cur := range f[1:] {
				if cur != "" && !isLetters(cur, 3) {
					problems = append(problems, fmt.Sprintf("line %d, column %d: %q is not a currency code like USD", n, i+2, cur))
				}
			}
			header = f
			return
		}
		if len(header) == 0 {
			return
		}
		var day time.Time
		var err error
		for _, layout := range ecbDays {
			if day, err = time.Parse(layout, f[0]); err == nil {
				break
			}
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("line %d: date %q: write it as 2026-11-21 or 21 November 2026", n, f[0]))
			return
		}
		for i := 1; i < len(f) && i < len(header); i++ {
			if header[i] == "" || f[i] == "" || f[i] == "N/A" {
				continue
			}
			rate, err := decimal.NewFromString(f[i])
			if err != nil || !rate.IsPositive() {
				problems = append(problems, fmt.Sprintf("line %d: %s rate %q is not a positive number like 1.0543", n, header[i], f[i]))
				continue
			}
			out = append(out, FX{Currency: strings.ToUpper(header[i]), Date: day.Format(time.DateOnly), Rate: rate})
		}
	})
	return result(out, problems, err, "no exchange rates in the file: want the ECB's CSV, a line \"Date,USD,JPY,...\" then a line of rates per day")
}
