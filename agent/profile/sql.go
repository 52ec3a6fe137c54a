package profile

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// scan walks SQL text outside quotes and comments, calling f with each byte's offset.
// Quoted strings ('...', "...", `...`), -- and # line comments and /* */ comments are skipped.
func scan(s string, f func(i int)) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'' || c == '"' || c == '`':
			for i++; i < len(s); i++ {
				if s[i] == '\\' && c != '`' {
					i++
				} else if s[i] == c {
					if i+1 < len(s) && s[i+1] == c { // doubled quote
						i++
						continue
					}
					break
				}
			}
		case c == '#' || (c == '-' && strings.HasPrefix(s[i:], "-- ")):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return
			}
			i += end + 3
		default:
			f(i)
		}
	}
}

// code is the SQL text with quotes and comments blanked out.
func code(s string) string {
	b := []byte(strings.Repeat(" ", len(s)))
	scan(s, func(i int) { b[i] = s[i] })
	return string(b)
}

// Verb is the statement's first keyword in upper case (SELECT, INSERT, ...).
func Verb(s string) string {
	c := strings.TrimLeftFunc(code(s), func(r rune) bool { return unicode.IsSpace(r) || r == '(' })
	end := strings.IndexFunc(c, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		end = len(c)
	}
	return strings.ToUpper(c[:end])
}

// Multiple says whether the text holds more than one statement.
func Multiple(s string) bool {
	c := strings.TrimRightFunc(code(s), func(r rune) bool { return unicode.IsSpace(r) || r == ';' })
	return strings.Contains(c, ";")
}

// Placeholders counts the ? marks outside quotes and comments.
func Placeholders(s string) int {
	return strings.Count(code(s), "?")
}

// Bind returns the query's SQL and arguments for the named parameter values. A []string value
// (ids) expands its ? into one per element.
func Bind(sqlText string, params []string, values map[string]any) (string, []any, error) {
	var b strings.Builder
	var args []any
	n := 0
	last := 0
	c := code(sqlText)
	for i := 0; i < len(c); i++ {
		if c[i] != '?' {
			continue
		}
		if n >= len(params) {
			return "", nil, fmt.Errorf("more ? marks than params")
		}
		v, ok := values[params[n]]
		if !ok {
			return "", nil, fmt.Errorf("no value for parameter %s", params[n])
		}
		n++
		b.WriteString(sqlText[last:i])
		last = i + 1
		if list, ok := v.([]string); ok {
			if len(list) == 0 {
				return "", nil, fmt.Errorf("parameter %s is empty", params[n-1])
			}
			b.WriteString("?" + strings.Repeat(",?", len(list)-1))
			for _, s := range list {
				args = append(args, s)
			}
			continue
		}
		b.WriteByte('?')
		args = append(args, v)
	}
	b.WriteString(sqlText[last:])
	return b.String(), args, nil
}

// ScanParams are the values of a keyset scan's parameters.
func ScanParams(afterTime time.Time, afterID any, pageSize int) map[string]any {
	return map[string]any{"after_time": afterTime, "after_id": afterID, "page_size": pageSize}
}

// Batchable returns the statement with its single VALUES (...) tuple repeated n times, for a
// multi-row INSERT, and false when the statement has no such tuple.
func (s *Statement) Batchable(n int) (string, bool) {
	c := code(s.SQL)
	up := strings.ToUpper(c)
	at := strings.Index(up, "VALUES")
	if at < 0 {
		return "", false
	}
	open := strings.IndexByte(c[at:], '(')
	if open < 0 || strings.TrimSpace(c[at+6:at+open]) != "" {
		return "", false
	}
	open += at
	end := strings.IndexByte(c[open:], ')')
	if end < 0 {
		return "", false
	}
	end += open
	tuple := c[open : end+1]
	if strings.Trim(tuple, "(?, \t\n)") != "" || strings.Count(tuple, "?") != len(s.Params) {
		return "", false // the tuple holds more than ? marks, or some ? lies outside it
	}
	return s.SQL[:open] + tuple + strings.Repeat(","+tuple, n-1) + s.SQL[end+1:], true
}
