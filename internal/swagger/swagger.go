// Package swagger reads Swagger 2.0 (OpenAPI 2) JSON documents and validates JSON values
// against their schemas, for tests that check code against a published API model.
//
// It supports the subset of JSON Schema that the marketplace models use: type, required, enum,
// items, properties, minimum and $ref into #/definitions. Other keywords are ignored, and so are
// properties a schema does not list (additionalProperties is not checked).
//
// Documents are decoded with numbers kept as their literal text (json.Number), so that a value
// is compared exactly as written; see Decode.
package swagger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// Spec is a loaded Swagger 2.0 document.
type Spec struct {
	Path        string         // the file it was loaded from; "" for Parse
	Doc         map[string]any // the whole document, as Decode returns it
	Definitions map[string]any // Doc["definitions"]; empty if it has none
}

// Load reads and parses the Swagger 2.0 JSON file at path.
func Load(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("swagger: reading %s: %w", path, err)
	}
	s, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("swagger: parsing %s: %w", path, err)
	}
	s.Path = path
	return s, nil
}

// Parse parses a Swagger 2.0 JSON document.
func Parse(b []byte) (*Spec, error) {
	v, err := Decode(b)
	if err != nil {
		return nil, err
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the document is a JSON %s, not an object", jsonType(v))
	}
	if ver, _ := doc["swagger"].(string); ver != "2.0" {
		return nil, fmt.Errorf("not a Swagger 2.0 document (swagger: %s)", short(doc["swagger"]))
	}
	defs, _ := doc["definitions"].(map[string]any)
	if defs == nil {
		defs = map[string]any{}
	}
	return &Spec{Doc: doc, Definitions: defs}, nil
}

// Find returns the path of shared/specs/<name>, the shared reference copy of the published
// models kept beside the repository: it walks up from the calling source file's directory,
// then from the working directory, and at each directory holding a go.mod looks for
// ../shared/specs/<name>. name is slash-separated, e.g. "amazon/ordersV0.json".
//
// If there is no such file, the error names every path tried and matches fs.ErrNotExist.
func Find(name string) (string, error) {
	var starts []string
	if _, file, _, ok := runtime.Caller(1); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	rel := filepath.Join("shared", "specs", filepath.FromSlash(name))
	var tried []string
	seen := map[string]bool{}
	for _, dir := range starts {
		for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				p := filepath.Join(filepath.Dir(d), rel)
				if !seen[p] {
					seen[p] = true
					tried = append(tried, p)
					if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
						return p, nil
					}
				}
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if len(tried) == 0 {
		return "", fmt.Errorf("swagger: shared/specs/%s not found: no directory with a go.mod above %s: %w",
			name, strings.Join(starts, " or "), fs.ErrNotExist)
	}
	return "", fmt.Errorf("swagger: shared/specs/%s not found: tried %s: %w",
		name, strings.Join(tried, ", "), fs.ErrNotExist)
}

// Definition returns definitions[name].
func (s *Spec) Definition(name string) (map[string]any, error) {
	d, ok := s.Definitions[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("swagger: %sno definitions.%s", s.where(), name)
	}
	return d, nil
}

// Operation returns paths[path][method]; method is lower case, as in the document ("get").
func (s *Spec) Operation(method, path string) (map[string]any, error) {
	paths, _ := s.Doc["paths"].(map[string]any)
	item, _ := paths[path].(map[string]any)
	op, ok := item[method].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("swagger: %sno paths[%q].%s", s.where(), path, method)
	}
	return op, nil
}

// Response returns the schema of the operation's response with the given status ("200",
// "default"). The schema is returned as written, often a $ref; Validate resolves it.
func (s *Spec) Response(method, path, status string) (map[string]any, error) {
	op, err := s.Operation(method, path)
	if err != nil {
		return nil, err
	}
	responses, _ := op["responses"].(map[string]any)
	r, ok := responses[status].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("swagger: %sno paths[%q].%s.responses[%q]", s.where(), path, method, status)
	}
	schema, ok := r["schema"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("swagger: %spaths[%q].%s.responses[%q] has no schema", s.where(), path, method, status)
	}
	return schema, nil
}

func (s *Spec) where() string {
	if s.Path == "" {
		return ""
	}
	return s.Path + ": "
}

// Example is one example response body published in the document.
type Example struct {
	Status    string         // the response's key in responses: "200", "400", "default"
	MediaType string         // the key in the response's examples block; "" for a sandbox example
	Sandbox   string         // "static" or "dynamic" for an x-amzn-api-sandbox example; "" otherwise
	Index     int            // the position in the sandbox list
	Location  string         // where the body is in the document, e.g. paths["/p"].get.responses["200"].examples["application/json"]
	Body      any            // the body, as Decode returns it
	Schema    map[string]any // the response's schema; nil if it has none
	SchemaLoc string         // where Schema is, e.g. paths["/p"].get.responses["200"].schema
}

// Examples returns the example response bodies of the operation, by status in sorted order:
// each response's examples block (by media type, sorted), then its Amazon SP-API sandbox
// responses (x-amzn-api-sandbox static, then dynamic, in order). Sandbox entries without a
// response body (a 204) are left out.
func (s *Spec) Examples(method, path string) ([]Example, error) {
	op, err := s.Operation(method, path)
	if err != nil {
		return nil, err
	}
	responses, _ := op["responses"].(map[string]any)
	var out []Example
	for _, status := range slices.Sorted(maps.Keys(responses)) {
		r, _ := responses[status].(map[string]any)
		base := fmt.Sprintf("paths[%q].%s.responses[%q]", path, method, status)
		schema, _ := r["schema"].(map[string]any)
		ex := Example{Status: status, Schema: schema, SchemaLoc: base + ".schema"}
		examples, _ := r["examples"].(map[string]any)
		for _, mt := range slices.Sorted(maps.Keys(examples)) {
			e := ex
			e.MediaType, e.Location, e.Body = mt, fmt.Sprintf("%s.examples[%q]", base, mt), examples[mt]
			out = append(out, e)
		}
		sandbox, _ := r["x-amzn-api-sandbox"].(map[string]any)
		for _, kind := range []string{"static", "dynamic"} {
			list, _ := sandbox[kind].([]any)
			for i, item := range list {
				m, _ := item.(map[string]any)
				body, ok := m["response"]
				if !ok {
					continue
				}
				e := ex
				e.Sandbox, e.Index, e.Body = kind, i, body
				e.Location = fmt.Sprintf("%s[\"x-amzn-api-sandbox\"].%s[%d].response", base, kind, i)
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// Resolve follows schema's $ref chain into #/definitions and returns the schema it ends at
// and that schema's location: "definitions.<Name>", or loc if schema is not a $ref.
func (s *Spec) Resolve(schema map[string]any, loc string) (map[string]any, string, error) {
	for range 32 {
		ref, ok := schema["$ref"].(string)
		if !ok {
			return schema, loc, nil
		}
		name, ok := strings.CutPrefix(ref, "#/definitions/")
		if !ok {
			return nil, loc, fmt.Errorf("unsupported $ref %q", ref)
		}
		d, ok := s.Definitions[name].(map[string]any)
		if !ok {
			return nil, loc, fmt.Errorf("$ref %q: no such definition", ref)
		}
		schema, loc = d, "definitions."+name
	}
	return nil, loc, errors.New("$ref chain too long")
}

// Validate checks doc against schema and returns the violations, in document order, each as
// "$.path: message (schema location)", e.g.
//
//	$.payload.Orders[0].OrderStatus: "Lost" is not one of the enum [...] (schema definitions.Order.properties.OrderStatus)
//
// Locations inside the document's definitions are named from there; locations in schema
// itself, before any $ref, start at "#". doc is a value as Decode returns it, JSON text
// ([]byte or json.RawMessage), or any value encoding/json can marshal (a struct, a map).
func (s *Spec) Validate(doc any, schema map[string]any) []string {
	return s.ValidateAt(doc, schema, "#")
}

// ValidateAt is Validate with schema's own location given, e.g. the SchemaLoc of an Example.
func (s *Spec) ValidateAt(doc any, schema map[string]any, loc string) []string {
	v, err := normalise(doc)
	if err != nil {
		return []string{fmt.Sprintf("$: %v", err)}
	}
	c := &checker{spec: s}
	c.validate(v, schema, "$", loc)
	return c.errs
}

type checker struct {
	spec *Spec
	errs []string
}

func (c *checker) fail(path, loc, format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf("%s: %s (schema %s)", path, fmt.Sprintf(format, args...), loc))
}

func (c *checker) validate(value any, schemaAny any, path, loc string) {
	schema, _ := schemaAny.(map[string]any)
	if schema == nil {
		c.fail(path, loc, "no schema")
		return
	}
	schema, loc, err := c.spec.Resolve(schema, loc)
	if err != nil {
		c.fail(path, loc, "%v", err)
		return
	}
	typ := SchemaType(schema)
	if typ != "" && !isType(value, typ) {
		c.fail(path, loc, "want %s, got %s %s", typ, jsonType(value), short(value))
		return
	}
	if enum, ok := schema["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if bytes.Equal(Canonical(e), Canonical(value)) {
				found = true
				break
			}
		}
		if !found {
			c.fail(path, loc, "%s is not one of the enum %s", short(value), short(enum))
		}
	}
	if m, ok := schema["minimum"].(json.Number); ok {
		if n, isNum := value.(json.Number); isNum {
			a, err1 := n.Float64()
			b, err2 := m.Float64()
			if err1 == nil && err2 == nil && a < b {
				c.fail(path, loc, "%s is below the minimum %s", n, m)
			}
		}
	}
	switch val := value.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		req, _ := schema["required"].([]any)
		for _, r := range req {
			if name, _ := r.(string); name != "" {
				if _, ok := val[name]; !ok {
					c.fail(path+"."+name, loc+".required", "required property is missing")
				}
			}
		}
		for _, k := range slices.Sorted(maps.Keys(val)) {
			if ps, ok := props[k]; ok {
				c.validate(val[k], ps, path+"."+k, loc+".properties."+k)
			}
		}
	case []any:
		if items, ok := schema["items"]; ok {
			for i, e := range val {
				c.validate(e, items, fmt.Sprintf("%s[%d]", path, i), loc+".items")
			}
		}
	}
}

// SchemaType is the schema's type, "object" if it has none but lists properties, "" if it
// has neither. It does not follow $ref; see Resolve.
func SchemaType(schema map[string]any) string {
	typ, _ := schema["type"].(string)
	if typ == "" && schema["properties"] != nil {
		typ = "object"
	}
	return typ
}

func isType(v any, typ string) bool {
	switch typ {
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		if _, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
			return true
		}
		f, err := n.Float64()
		return err == nil && f == float64(int64(f)) // e.g. 1e3
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	}
	return true // a type this subset does not know: not checked
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

func short(v any) string {
	s := string(Canonical(v))
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// Decode decodes exactly one JSON value, keeping numbers as their literal text (json.Number).
// Objects are map[string]any and arrays []any.
func Decode(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

// Canonical is v's normal form, for comparing documents: keys sorted, no whitespace, number
// literals as written (when v is from Decode). It panics if v cannot be encoded, which a
// value from Decode always can.
func Canonical(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// normalise turns doc into the form Decode returns.
func normalise(doc any) (any, error) {
	switch d := doc.(type) {
	case []byte:
		return Decode(d)
	case json.RawMessage:
		return Decode(d)
	}
	if decoded(doc) {
		return doc, nil
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("cannot encode the document as JSON: %v", err)
	}
	return Decode(b)
}

// decoded reports whether v is already in the form Decode returns.
func decoded(v any) bool {
	switch v := v.(type) {
	case nil, string, bool, json.Number:
		return true
	case map[string]any:
		for _, e := range v {
			if !decoded(e) {
				return false
			}
		}
		return true
	case []any:
		for _, e := range v {
			if !decoded(e) {
				return false
			}
		}
		return true
	}
	return false
}
