package report

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestQuarter(t *testing.T) {
	for _, c := range []struct{ in, first, last, err string }{
		{"2026Q1", "2026-01-01", "2026-03-31", ""},
		{"2026Q2", "2026-04-01", "2026-06-30", ""},
		{"2026q3", "2026-07-01", "2026-09-30", ""},
		{"2026Q4", "2026-10-01", "2026-12-31", ""},
		{"2024Q1", "2024-01-01", "2024-03-31", ""},
		{"2021Q3", "2021-07-01", "2021-09-30", ""},
		{"2026Q5", "", "", `quarter "2026Q5": write it as 2026Q4`},
		{"2026Q0", "", "", "write it as 2026Q4"},
		{"2020Q4", "", "", "a year from 2021"},
		{"2026-Q4", "", "", "write it as 2026Q4"},
		{"2026Q4X", "", "", "write it as 2026Q4"},
		{"Q4", "", "", "write it as 2026Q4"},
		{"", "", "", `quarter ""`},
	} {
		first, last, err := Quarter(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Quarter(%q) = %v, want an error saying %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || first.Format(time.DateOnly) != c.first || last.Format(time.DateOnly) != c.last {
			t.Errorf("Quarter(%q) = %s %s %v, want %s %s", c.in, first, last, err, c.first, c.last)
		}
	}
}

func TestQuarterOf(t *testing.T) {
	for in, want := range map[string]string{"2026-01-01": "2026Q1", "2026-03-31": "2026Q1", "2026-04-01": "2026Q2", "2026-09-30": "2026Q3", "2026-12-31": "2026Q4", "soon": "soon"} {
		if got := QuarterOf(in); got != want {
			t.Errorf("QuarterOf(%q) = %q, want %q", in, got, want)
		}
	}
	// Every quarter's last day is in it, and the next day in the next one.
	for _, q := range []string{"2026Q1", "2026Q2", "2026Q3", "2026Q4"} {
		first, last, _ := Quarter(q)
		if QuarterOf(first.Format(time.DateOnly)) != q || QuarterOf(last.Format(time.DateOnly)) != q || QuarterOf(last.AddDate(0, 0, 1).Format(time.DateOnly)) == q {
			t.Errorf("%s: %s – %s", q, first, last)
		}
	}
}

func TestCents(t *testing.T) {
	for in, want := range map[int64]string{0: "0.00", 1: "0.01", 1234: "12.34", -50: "-0.50", 100000: "1000.00"} {
		if got := Cents(in); got != want {
			t.Errorf("Cents(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	tb := Table{Title: "not written", Columns: []string{"country", "note", "net"},
		Rows: [][]string{{"LT", "plain", "12.34"}, {"DE", `a "quoted"; one`, "-0.50"}, {"PL", "two\nlines", ""}}}
	var b bytes.Buffer
	if err := tb.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := "country;note;net\nLT;plain;12.34\nDE;\"a \"\"quoted\"\"; one\";-0.50\nPL;\"two\nlines\";\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := (Table{Columns: []string{"a", "b"}}).WriteCSV(&b); err != nil || b.String() != "a;b\n" {
		t.Errorf("an empty table: %q %v", b.String(), err)
	}
}
