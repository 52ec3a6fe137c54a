// Package contract holds what the contract tests of every external API share: a client type's
// fields as encoding/json sees them (to check each against the published definition), and the
// check that a fixture is still the published example it was copied from.
package contract

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
)

// Field is a struct field as encoding/json sees it.
type Field struct {
	GoName, JSONName string
	Type             reflect.Type
}

// JSONFields are t's exported fields that encoding/json reads and writes, with their JSON names.
func JSONFields(t reflect.Type) []Field {
	var out []Field
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out = append(out, Field{f.Name, name, f.Type})
	}
	return out
}

// Drift compares a fixture with the published example it was copied from, both as the same
// normalised JSON: "" when they are equal, else where they first differ and around it.
func Drift(fixture, published []byte) string {
	if bytes.Equal(fixture, published) {
		return ""
	}
	i := 0
	for i < len(fixture) && i < len(published) && fixture[i] == published[i] {
		i++
	}
	return fmt.Sprintf("normalised, first difference at byte %d:\n fixture: %s\n    spec: %s", i, around(fixture, i), around(published, i))
}

func around(b []byte, i int) string {
	lo, hi := max(0, i-60), min(len(b), i+60)
	return fmt.Sprintf("…%s…", b[lo:hi])
}

// Extra lists the .json files in dir that are not among the fixtures named in want.
func Extra(dir string, want map[string]bool) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("fixture directory %s: %w", dir, err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") && !want[e.Name()] {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}
