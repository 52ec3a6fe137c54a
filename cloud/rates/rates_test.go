package rates

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"tiltas/cloud/posting"
)

// parseCase is a file and what a parser makes of it: the rows printed with %v, or, when
// problems is set, an *Error naming each of them.
type parseCase struct {
	name, in, want string
	problems       []string
}

func check[T any](t *testing.T, parse func(string) ([]T, error), cases []parseCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := parse(c.in)
			if c.problems == nil {
				if err != nil || fmt.Sprint(rows) != c.want {
					t.Fatalf("got %v %v, want %s", rows, err, c.want)
				}
				return
			}
			var re *Error
			if !errors.As(err, &re) {
				t.Fatalf("got %v %v, want an *Error", rows, err)
			}
			if len(re.Problems) != len(c.problems) {
				t.Errorf("%d problems, want %d: %v", len(re.Problems), len(c.problems), err)
			}
			for _, p := range c.problems {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("%v\nwant it to say %q", err, p)
				}
			}
		})
	}
}

func TestParseStandard(t *testing.T) {
	check(t, func(s string) ([]Standard, error) { return ParseStandard(strings.NewReader(s)) }, []parseCase{
		{"with a header", "country;standard_rate\nDE;19\nFI;25.5\n", "[{DE 19} {FI 25.5}]", nil},
		{"no header, tabs, lower case, a decimal comma", "de\t19\n\nfi\t25,5\n", "[{DE 19} {FI 25.5}]", nil},
		{"commas and a byte order mark", "\ufeffCountry,Standard_Rate\r\nDE,19\r\n", "[{DE 19}]", nil},
		{"every bad line named", "country;standard_rate\nDE;nineteen\nGERMANY;19\nFR\nIT;22;x\nES;100\nPT;23.125\nPL;23\n", "", []string{
			`line 2: rate "nineteen" is not a percentage: write it like 21`,
			`line 3: country "GERMANY": write its two-letter ISO code`,
			`line 4: want country;standard_rate (e.g. DE;19), got "FR"`,
			`line 5: want country;standard_rate`,
			`line 6: rate "100" is not a percentage`,
			`line 7: rate "23.125" has more than two decimals`,
		}},
		{"a header alone", "country;standard_rate\n", "", []string{"no VAT rates in the file: want lines of country;standard_rate, e.g. DE;19"}},
		{"empty", "", "", []string{"no VAT rates"}},
	})
}

func TestParseReduced(t *testing.T) {
	check(t, func(s string) ([]Reduced, error) { return ParseReduced(strings.NewReader(s)) }, []parseCase{
		{"with a header, a decimal comma, any case", "country;category;rate\nDE;books;7\nfr;Books;5,5\n", "[{DE books 7} {FR books 5.5}]", nil},
		{"tabs", "PL\tfood\t5\n", "[{PL food 5}]", nil},
		{"every bad line named", "DE;books;7\nNO;books;0\nIT;;4\nES;books;x\nAT;books\nGR;knygos ir žurnalai;6\n", "", []string{
			`line 2: "NO" is not an EU member state (ISO code, GR for Greece)`,
			`line 3: category "": up to 40 lowercase letters`,
			`line 4: rate "x" is not a percentage`,
			`line 5: want country;category;rate (e.g. DE;books;7), got "AT;books"`,
			`line 6: category "knygos ir žurnalai"`,
		}},
		{"a line with two problems names both", "US;;7\n", "", []string{`line 1: "US" is not an EU member state`, `line 1: category ""`}},
		{"a header alone", "country;category;rate\n", "", []string{"no reduced rates in the file: want lines of country;category;rate, e.g. DE;books;7"}},
	})
}

func TestParseECB(t *testing.T) {
	check(t, func(s string) ([]FX, error) { return ParseECB(strings.NewReader(s)) }, []parseCase{
		{"history", "Date,PLN,SEK\n2026-11-20,4.3000,11.2000\n2026-11-19,4.31,N/A\n", "[{PLN 2026-11-20 4.3} {SEK 2026-11-20 11.2} {PLN 2026-11-19 4.31}]", nil},
		{"daily, with the ECB's spaces and trailing comma", "Date, USD, JPY, \n21 November 2026, 1.0543, 161.20, \n", "[{USD 2026-11-21 1.0543} {JPY 2026-11-21 161.2}]", nil},
		{"a day before the 10th", "Date, USD,\n09 November 2026, 1.05,\n", "[{USD 2026-11-09 1.05}]", nil},
		{"garbage", "hello\nworld\n", "", []string{`no exchange rates in the file: want the ECB's CSV, a line "Date,USD,JPY,..."`}},
		{"not starting with Date", "Day,USD\n2026-11-20,1.05\n", "", []string{"line 1: not an ECB rates file: its first line must start with Date"}},
		{"a bad currency column", "Date,PLN,Zloty\n2026-11-20,4.3,4.3\n", "", []string{`line 1, column 3: "Zloty" is not a currency code like USD`}},
		{"bad dates and rates named", "Date,PLN,SEK\n2026-13-01,4.3,11\n2026-11-20,-4.3,eleven\n", "", []string{
			`line 2: date "2026-13-01": write it as 2026-11-21 or 21 November 2026`,
			`line 3: PLN rate "-4.3" is not a positive number`,
			`line 3: SEK rate "eleven"`,
		}},
		{"a header alone", "Date,USD\n", "", []string{"no exchange rates"}},
	})
}

func TestLongLine(t *testing.T) {
	_, err := ParseECB(strings.NewReader("Date,USD\n" + strings.Repeat("1", maxLine+1)))
	var re *Error
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "line 2 is longer than") {
		t.Fatalf("got %v", err)
	}
}

func TestManyBadLinesAreCounted(t *testing.T) {
	_, err := ParseStandard(strings.NewReader(strings.Repeat("XX;x\n", maxShown+5)))
	if err == nil || strings.Count(err.Error(), "line ") != maxShown || !strings.HasSuffix(err.Error(), "; and 5 more bad lines") {
		t.Fatalf("got %v", err)
	}
}

func TestEU(t *testing.T) {
	eu := EU()
	if len(eu) != len(posting.EU) {
		t.Fatalf("%d rates, want one for each of the %d member states", len(eu), len(posting.EU))
	}
	for _, r := range eu {
		if !posting.EU[r.Country] {
			t.Errorf("%s is not a member state", r.Country)
		}
	}
	if fmt.Sprint(eu[0]) != "{AT 20}" {
		t.Errorf("first rate %v", eu[0])
	}
}
