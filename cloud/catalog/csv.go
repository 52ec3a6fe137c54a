// Package catalog reads product cards from the CSV files shops already keep, with the column
// names they use: name, attributeName, groupName, measurementUnitName, priceWithoutVat,
// priceWithVat, vatRate, barcode. Good rows are kept; each bad row gets its line number and
// what is wrong with it.
package catalog

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shopspring/decimal"

	"tiltas/shared/domain"
)

// RowError is one refused row.
type RowError struct {
	Line    int    `json:"line"`
	Barcode string `json:"barcode,omitempty"`
	Message string `json:"message"`
}

// Columns are the names the file must have (in any order; case and spaces ignored).
var Columns = []string{"name", "attributeName", "groupName", "measurementUnitName", "priceWithoutVat", "priceWithVat", "vatRate", "barcode"}

// Optional are columns a file may have: vatCategory, the card's VAT category for reduced
// rates abroad (books, food, ...).
var Optional = []string{"vatCategory"}

// MaxRows bounds one import.
const MaxRows = 200000

// ParseCSV reads cards from r. It returns the valid cards, distinct by barcode, and an error
// per refused row. A file it cannot read at all (no header, missing columns) is an error.
func ParseCSV(r io.Reader) ([]domain.Card, []RowError, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(4096)
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	firstLine, _, _ := bytes.Cut(head, []byte("\n"))
	delim := ','
	if bytes.Count(firstLine, []byte(";")) > bytes.Count(firstLine, []byte(",")) {
		delim = ';'
	} else if bytes.Count(firstLine, []byte("\t")) > bytes.Count(firstLine, []byte(",")) {
		delim = '\t'
	}
	cr := csv.NewReader(br)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, errors.New("the file is empty: it needs a header line with " + strings.Join(Columns, ", "))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read the header line: %w", err)
	}
	idx := map[string]int{}
	for i, h := range header {
		idx[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var missing []string
	col := map[string]int{}
	for _, c := range Columns {
		i, ok := idx[strings.ToLower(c)]
		if !ok {
			missing = append(missing, c)
		}
		col[c] = i
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("the header lacks column(s) %s; expected %s (separated by %q)", strings.Join(missing, ", "), strings.Join(Columns, ", "), delim)
	}
	for _, c := range Optional {
		if i, ok := idx[strings.ToLower(c)]; ok {
			col[c] = i
		} else {
			col[c] = -1
		}
	}
	var cards []domain.Card
	var errs []RowError
	seen := map[string]int{} // barcode → line
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errs = append(errs, RowError{Line: pe.Line, Message: "unreadable CSV: " + pe.Err.Error()})
				continue
			}
			return nil, nil, err
		}
		if len(cards)+len(errs) >= MaxRows {
			return nil, nil, fmt.Errorf("the file has more than %d rows: split it", MaxRows)
		}
		get := func(c string) string {
			if i := col[c]; i >= 0 && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if strings.Join(rec, "") == "" {
			continue // blank line
		}
		c, problems := cardFromRow(get, delim)
		if c.Barcode != "" {
			if first, dup := seen[c.Barcode]; dup {
				problems = append(problems, fmt.Sprintf("barcode %s is already on line %d of this file", c.Barcode, first))
			}
		}
		if len(problems) == 0 {
			if err := c.Validate(); err != nil {
				problems = append(problems, err.Error())
			}
		}
		if len(problems) > 0 {
			errs = append(errs, RowError{Line: line, Barcode: c.Barcode, Message: strings.Join(problems, "; ")})
			continue
		}
		seen[c.Barcode] = line
		cards = append(cards, c)
	}
	return cards, errs, nil
}

func cardFromRow(get func(string) string, delim rune) (domain.Card, []string) {
	var problems []string
	c := domain.Card{Barcode: get("barcode"), Name: get("name"), Group: get("groupName"), Unit: get("measurementUnitName"), VATCategory: get("vatCategory"), Active: true}
	c.Normalize()
	switch strings.ToLower(get("attributeName")) {
	case "", "goods", "good", "prekė", "preke", "prekės", "item":
	case "service", "services", "paslauga", "paslaugos":
		c.Service = true
	default:
		problems = append(problems, fmt.Sprintf("attributeName %q is neither goods (prekė) nor service (paslauga)", get("attributeName")))
	}
	num := func(field string) decimal.Decimal {
		raw := get(field)
		s := strings.ReplaceAll(strings.TrimSuffix(raw, "%"), " ", "")
		if delim != ',' || !strings.Contains(s, ".") {
			s = strings.Replace(s, ",", ".", 1) // decimal comma
		}
		if s == "" {
			problems = append(problems, field+" is empty")
			return decimal.Zero
		}
		d, err := decimal.NewFromString(s)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s %q is not a number", field, raw))
		}
		return d
	}
	c.PriceNet, c.PriceGross, c.VATRate = num("priceWithoutVat"), num("priceWithVat"), num("vatRate")
	return c, problems
}
