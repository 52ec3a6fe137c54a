package allegro

// Contract tests: the client against Allegro's published REST API (OpenAPI 3.0).
//
// The spec is read from the shared reference copy, <repo>/../shared/specs/allegro/swagger.yaml
// (github em411/allegro-php-api, resources/spec.yaml, commit bf03f60, the daily sync of
// developer.allegro.pl/swagger.yaml of 2026-07-18), with github.com/getkin/kin-openapi. A missing
// spec is a failure, never a skip: the contract cannot be checked without it.
//
// What is checked, and why:
//
//   - TestContractAllegroFixturesMatchTheSpec: the fixtures in testdata/market/allegro are the
//     spec's own examples of the 200 responses of the operations the client calls, copied
//     unchanged. They are re-extracted here and the test fails if one drifted, is missing, or is
//     not a published example. Allegro publishes no response-level example for these operations
//     (no content[...].example or .examples), only `example` values on the schemas' properties;
//     the example body is then those values assembled by one fixed rule (contractAssemble),
//     nothing invented. If Allegro adds a response-level example, it is used instead, and the
//     fixture drifts until it is copied.
//   - TestContractAllegroFixturesValidate: each fixture validates against its response schema
//     (kin-openapi's Schema.VisitJSON), every violation listed.
//   - TestContractAllegroClientModel: every JSON field of the client's types (model.go) is a
//     property of the schema it maps to (contractModelTable; $ref and allOf followed; anonymous
//     nested structs against the property's schema), with a compatible type, and is not
//     `deprecated: true` unless contractDeprecatedAllowed says why the client still reads it.
//   - TestContractAllegroExamplesDecode: each fixture decodes into the client's response type.
//
// POST /auth/oauth/token (the client's Token) is not an operation of swagger.yaml: it is only
// the tokenUrl of the OAuth security schemes. It has no schema and no example, and Token is not
// checked here; the test fails if the spec starts describing it, so that it is added.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"tiltas/internal/contract"

	"github.com/getkin/kin-openapi/openapi3"
)

// contractSpecRel is the spec's path relative to the repository root (the directory of go.mod).
const contractSpecRel = "../shared/specs/allegro/swagger.yaml"

// contractFixtureRel is the fixtures' directory relative to the repository root.
const contractFixtureRel = "testdata/market/allegro"

// contractOps are the operations the client calls, each with the client's type for its 200 body.
var contractOps = []struct {
	method, path, operationID string
	decode                    func() any
}{
	{"GET", "/order/checkout-forms", "getListOfOrdersUsingGET", func() any { return new(CheckoutForms) }},
	{"GET", "/order/checkout-forms/{id}", "getOrdersDetailsUsingGET", func() any { return new(CheckoutForm) }},
	{"GET", "/order/events", "getOrderEventsUsingGET", func() any { return new(EventsResponse) }},
	{"GET", "/order/event-stats", "getOrderEventsStatisticsUsingGET", func() any { return new(EventStats) }},
}

// contractTokenPath is the client's token endpoint, which the spec does not describe (see above).
const contractTokenPath = "/auth/oauth/token"

// contractModelTable maps each of the client's named types (model.go) to its component schema.
// Token is not listed: the spec has no schema for the OAuth token answer.
var contractModelTable = []struct {
	goType reflect.Type
	schema string // components.schemas.<schema>
}{
	{reflect.TypeFor[CheckoutForms](), "CheckoutForms"},
	{reflect.TypeFor[CheckoutForm](), "CheckoutForm"},
	{reflect.TypeFor[Buyer](), "CheckoutFormBuyerReference"},
	{reflect.TypeFor[LineItem](), "CheckoutFormLineItem"},
	{reflect.TypeFor[Offer](), "OfferReference"},
	{reflect.TypeFor[AdditionalService](), "CheckoutFormAdditionalService"},
	{reflect.TypeFor[Money](), "Price"},
	{reflect.TypeFor[InvoiceInfo](), "CheckoutFormInvoiceInfo"},
	{reflect.TypeFor[Address](), "CheckoutFormInvoiceAddress"},
	{reflect.TypeFor[DeliveryAddress](), "CheckoutFormDeliveryAddress"},
	{reflect.TypeFor[Company](), "CheckoutFormInvoiceAddressCompany"},
	{reflect.TypeFor[CompanyID](), "CheckoutFormInvoiceAddressCompanyId"},
	{reflect.TypeFor[EventsResponse](), "OrderEventsList"},
	{reflect.TypeFor[Event](), "OrderEvent"},
	{reflect.TypeFor[EventStats](), "OrderEventStats"},
	{reflect.TypeFor[Error](), "Error"},
}

// contractDeprecatedAllowed are the client's fields whose spec property is deprecated: true, with
// the reason the client still reads them. An entry whose property is no longer deprecated (or
// gone) fails too, so the list is kept true.
var contractDeprecatedAllowed = map[string]string{
	"Company.TaxID": "read only when ids is empty (older orders carry only taxId)",
}

// contractKnownDeviations are violations of the spec's schema by the spec's own examples, by
// fixture. They are expected exactly: one that disappears fails too.
var contractKnownDeviations = map[string][]string{}

// ---- locating and loading ----

func contractPkgDir() string {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		return filepath.Dir(file)
	}
	wd, _ := os.Getwd() // go test runs in the package directory
	return wd
}

// contractRepoRoot is the nearest directory above this package that has go.mod.
var contractRepoRoot = sync.OnceValues(func() (string, error) {
	start := contractPkgDir()
	for dir := start; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no go.mod in %s or above it", start)
		}
	}
})

type contractLoaded struct {
	doc  *openapi3.T
	path string
}

var contractSpecOnce = sync.OnceValues(func() (*contractLoaded, error) {
	root, err := contractRepoRoot()
	if err != nil {
		return nil, err
	}
	p := filepath.Clean(filepath.Join(root, contractSpecRel))
	if _, err := os.Stat(p); err != nil {
		return nil, fmt.Errorf("the Allegro REST API spec is absent: %s: %v (the shared reference copy of "+
			"em411/allegro-php-api resources/spec.yaml, commit bf03f60; see ../shared/specs/README.md). "+
			"The contract tests cannot run without it", p, err)
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false // one self-contained file
	doc, err := loader.LoadFromFile(p)
	if err != nil {
		return nil, fmt.Errorf("the Allegro REST API spec %s: %w", p, err)
	}
	if doc.Components == nil || len(doc.Components.Schemas) == 0 || doc.Paths == nil {
		return nil, fmt.Errorf("the Allegro REST API spec %s has no paths or component schemas", p)
	}
	return &contractLoaded{doc, p}, nil
})

func contractSpec(t *testing.T) *contractLoaded {
	t.Helper()
	s, err := contractSpecOnce()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func contractFixtureDir(t *testing.T) string {
	t.Helper()
	root, err := contractRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, contractFixtureRel)
}

// ---- the examples ----

// contractExample is one published example of a 200 response.
type contractExample struct {
	opID, file string
	location   string // where in swagger.yaml it comes from
	body       any
	schema     *openapi3.SchemaRef
	schemaLoc  string
	decode     func() any
}

// contractSchemaLoc names a schema as a message reads it.
func contractSchemaLoc(s *openapi3.SchemaRef, loc string) string {
	if s != nil && s.Ref != "" {
		return "components.schemas." + strings.TrimPrefix(s.Ref, "#/components/schemas/")
	}
	return loc
}

// contractAssemble is the example body that a schema's nested `example` values give, the rule
// the fixtures follow when a response has no example of its own:
//   - a schema (after $ref) with an `example` is that example, unchanged, and is not descended;
//   - otherwise an object is its allOf parts merged, then its properties, each property that has
//     an example value (directly or deeper), in any order; an object with none is absent;
//   - otherwise an array is one item, assembled from `items`; absent if the item is;
//   - anything else (a scalar without an example) is absent: no value is made up.
//
// sources collects the JSON path of the body and the spec location of every copied value.
func contractAssemble(s *openapi3.SchemaRef, loc, jpath string, stack []string, sources *[]string) (any, bool) {
	if s == nil || s.Value == nil {
		return nil, false
	}
	loc = contractSchemaLoc(s, loc)
	if slices.Contains(stack, loc) {
		return nil, false // a recursive schema: stop at the first repeat
	}
	stack = append(stack, loc)
	v := s.Value
	if v.Example != nil {
		*sources = append(*sources, fmt.Sprintf("%s ← %s.example", jpath, loc))
		return v.Example, true
	}
	var obj map[string]any
	for i, part := range v.AllOf {
		pv, ok := contractAssemble(part, fmt.Sprintf("%s.allOf[%d]", loc, i), jpath, stack, sources)
		if !ok {
			continue
		}
		m, isObj := pv.(map[string]any)
		if !isObj {
			return pv, true
		}
		if obj == nil {
			obj = map[string]any{}
		}
		maps.Copy(obj, m)
	}
	for _, name := range slices.Sorted(maps.Keys(v.Properties)) {
		pv, ok := contractAssemble(v.Properties[name], loc+".properties."+name, jpath+"."+name, stack, sources)
		if !ok {
			continue
		}
		if obj == nil {
			obj = map[string]any{}
		}
		obj[name] = pv
	}
	if obj != nil {
		return obj, true
	}
	if v.Items != nil {
		iv, ok := contractAssemble(v.Items, loc+".items", jpath+"[0]", stack, sources)
		if ok {
			return []any{iv}, true
		}
	}
	return nil, false
}

// contractExamples re-extracts the examples of contractOps' 200 responses from the spec: the
// media type's example and examples; if there are none, the body assembled from the schema's
// nested examples.
func contractExamples(t *testing.T, s *contractLoaded) []contractExample {
	t.Helper()
	var out []contractExample
	for _, op := range contractOps {
		at := fmt.Sprintf("paths[%q].%s", op.path, strings.ToLower(op.method))
		item := s.doc.Paths.Value(op.path)
		var o *openapi3.Operation
		if item != nil {
			o = item.GetOperation(op.method)
		}
		if o == nil {
			t.Errorf("%s: the spec has no %s", s.path, at)
			continue
		}
		if o.OperationID != op.operationID {
			t.Errorf("%s: %s is operation %q, want %q", s.path, at, o.OperationID, op.operationID)
			continue
		}
		at += `.responses["200"]`
		var mt *openapi3.MediaType
		if o.Responses != nil {
			if r := o.Responses.Value("200"); r != nil && r.Value != nil {
				mt = r.Value.Content.Get(MediaType)
			}
		}
		if mt == nil || mt.Schema == nil {
			t.Errorf("%s: %s has no content[%q] with a schema", s.path, at, MediaType)
			continue
		}
		at += fmt.Sprintf(".content[%q]", MediaType)
		base := contractExample{opID: op.operationID, schema: mt.Schema,
			schemaLoc: contractSchemaLoc(mt.Schema, at+".schema"), decode: op.decode}
		found := false
		if mt.Example != nil {
			ex := base
			ex.file, ex.location, ex.body = op.operationID+"-200-example.json", at+".example", mt.Example
			out, found = append(out, ex), true
		}
		for _, key := range slices.Sorted(maps.Keys(mt.Examples)) {
			ref := mt.Examples[key]
			if ref == nil || ref.Value == nil || ref.Value.Value == nil {
				continue
			}
			ex := base
			ex.file = fmt.Sprintf("%s-200-example-%s.json", op.operationID, key)
			ex.location, ex.body = fmt.Sprintf("%s.examples[%q].value", at, key), ref.Value.Value
			out, found = append(out, ex), true
		}
		if found {
			continue
		}
		var sources []string
		body, ok := contractAssemble(mt.Schema, at+".schema", "$", nil, &sources)
		if !ok {
			t.Logf("%s: %s has no example at all; no fixture", s.path, at)
			continue
		}
		ex := base
		ex.file, ex.body = op.operationID+"-200-example.json", body
		ex.location = fmt.Sprintf("%s (no response example; assembled from %d nested example values of %s)",
			at, len(sources), base.schemaLoc)
		out = append(out, ex)
	}
	if len(out) == 0 {
		t.Errorf("%s: found no examples for %d operations", s.path, len(contractOps))
	}
	return out
}

// contractCanonical is v as sorted, compact JSON.
func contractCanonical(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var norm any
	if err := json.Unmarshal(b, &norm); err != nil {
		return nil, err
	}
	return json.Marshal(norm)
}

func contractReadFixture(t *testing.T, name string) (raw []byte, v any, ok bool) {
	t.Helper()
	p := filepath.Join(contractFixtureDir(t), name)
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Errorf("fixture %s: %v", p, err)
		return nil, nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&v); err != nil || dec.More() {
		t.Errorf("fixture %s is not one JSON value: %v", p, err)
		return nil, nil, false
	}
	return raw, v, true
}

// ---- TestContractAllegroFixturesMatchTheSpec ----

func TestContractAllegroFixturesMatchTheSpec(t *testing.T) {
	s := contractSpec(t)
	if item := s.doc.Paths.Value(contractTokenPath); item != nil && item.Post != nil {
		t.Errorf("%s now describes POST %s: add it to contractOps, its examples to %s and Token to contractModelTable",
			s.path, contractTokenPath, contractFixtureRel)
	}
	want := map[string]bool{}
	for _, ex := range contractExamples(t, s) {
		want[ex.file] = true
		t.Run(ex.file, func(t *testing.T) {
			_, got, ok := contractReadFixture(t, ex.file)
			if !ok {
				t.Errorf("copy it from %s %s", filepath.Base(s.path), ex.location)
				return
			}
			g, err1 := contractCanonical(got)
			w, err2 := contractCanonical(ex.body)
			if err := errors.Join(err1, err2); err != nil {
				t.Fatal(err)
			}
			if d := contract.Drift(g, w); d != "" {
				t.Errorf("%s drifted from %s %s (%s)", ex.file, filepath.Base(s.path), ex.location, d)
			}
		})
	}
	dir := contractFixtureDir(t)
	extra, err := contract.Extra(dir, want)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range extra {
		t.Errorf("%s: not an example of %s; remove it or fix its name", f, filepath.Base(s.path))
	}
}

// ---- TestContractAllegroFixturesValidate ----

// contractViolations flattens kin-openapi's errors to "$.a.b: reason (schema field x)".
func contractViolations(err error) []string {
	var out []string
	var walk func(error)
	walk = func(err error) {
		var me openapi3.MultiError
		if errors.As(err, &me) {
			for _, e := range me {
				walk(e)
			}
			return
		}
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			p := "$"
			for _, k := range se.JSONPointer() {
				p += "." + k
			}
			out = append(out, fmt.Sprintf("%s: %s (schema field %s)", p, se.Reason, se.SchemaField))
			return
		}
		out = append(out, err.Error())
	}
	if err != nil {
		walk(err)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestContractAllegroFixturesValidate(t *testing.T) {
	s := contractSpec(t)
	n := 0
	for _, ex := range contractExamples(t, s) {
		n++
		t.Run(ex.file, func(t *testing.T) {
			_, got, ok := contractReadFixture(t, ex.file)
			if !ok {
				return
			}
			known := map[string]bool{}
			for _, k := range contractKnownDeviations[ex.file] {
				known[k] = true
			}
			for _, v := range contractViolations(ex.schema.Value.VisitJSON(got, openapi3.MultiErrors())) {
				if known[v] {
					delete(known, v)
					continue
				}
				t.Errorf("%s against %s: %s", ex.file, ex.schemaLoc, v)
			}
			for k := range known {
				t.Errorf("%s: the known deviation %q is gone: remove it from contractKnownDeviations", ex.file, k)
			}
		})
	}
	if n == 0 {
		t.Error("no 200 examples found to validate")
	}
}

// ---- TestContractAllegroClientModel ----

func contractGoName(t reflect.Type) string {
	if t.Name() == "" && t.Kind() == reflect.Struct {
		return "struct"
	}
	return strings.ReplaceAll(t.String(), "allegro.", "")
}

// contractProp is a property with where it is declared.
type contractProp struct {
	schema *openapi3.SchemaRef
	loc    string
}

// contractProperties are an object schema's properties, its allOf parts' included.
func contractProperties(s *openapi3.SchemaRef, loc string) map[string]contractProp {
	out := map[string]contractProp{}
	if s == nil || s.Value == nil {
		return out
	}
	loc = contractSchemaLoc(s, loc)
	for i, part := range s.Value.AllOf {
		maps.Copy(out, contractProperties(part, fmt.Sprintf("%s.allOf[%d]", loc, i)))
	}
	for name, p := range s.Value.Properties {
		out[name] = contractProp{p, loc + ".properties." + name}
	}
	return out
}

// contractType is the JSON type a schema holds: its type; an allOf's parts' type; "object" for
// properties; "string" for an untyped enum of strings; "" when untyped.
func contractType(s *openapi3.SchemaRef) string {
	if s == nil || s.Value == nil {
		return ""
	}
	v := s.Value
	if v.Type != nil && len(v.Type.Slice()) > 0 {
		return strings.Join(v.Type.Slice(), "|")
	}
	for _, part := range v.AllOf {
		if t := contractType(part); t != "" {
			return t
		}
	}
	if len(v.Properties) > 0 {
		return "object"
	}
	if len(v.Enum) > 0 && !slices.ContainsFunc(v.Enum, func(e any) bool { _, ok := e.(string); return !ok }) {
		return "string"
	}
	return ""
}

// contractDescribe is how a schema reads in a message: "string", "number (format integer)",
// "$ref Price (object)", "array of string".
func contractDescribe(s *openapi3.SchemaRef) string {
	if s == nil || s.Value == nil {
		return "no schema"
	}
	typ := contractType(s)
	d := typ
	switch {
	case typ == "":
		d = "no type"
	case typ == "array" && s.Value.Items != nil:
		d = "array of " + contractDescribe(s.Value.Items)
	case s.Value.Format != "" && typ != "object":
		d += " (format " + s.Value.Format + ")"
	}
	if s.Ref != "" {
		return fmt.Sprintf("$ref %s (%s)", strings.TrimPrefix(s.Ref, "#/components/schemas/"), d)
	}
	return d
}

type contractModelChecker struct {
	byType     map[reflect.Type]string // the table
	errs       []string
	seen       map[string]bool // struct/schema pairs checked inline
	deprecated map[string]bool // allow-list entries that were found deprecated
}

// checkStruct checks every JSON field of t against the object schema s (at loc).
func (c *contractModelChecker) checkStruct(label string, t reflect.Type, s *openapi3.SchemaRef, loc string) {
	loc = contractSchemaLoc(s, loc)
	props := contractProperties(s, loc)
	for _, f := range contract.JSONFields(t) {
		flabel := label + "." + f.GoName
		p, ok := props[f.JSONName]
		if !ok {
			c.errs = append(c.errs, fmt.Sprintf("%s: the client has %s (json %q), the spec (%s) has no property %q",
				flabel, contractGoName(f.Type), f.JSONName, loc, f.JSONName))
			continue
		}
		if p.schema.Value != nil && p.schema.Value.Deprecated {
			if _, allowed := contractDeprecatedAllowed[flabel]; allowed {
				c.deprecated[flabel] = true
			} else {
				c.errs = append(c.errs, fmt.Sprintf("%s: the spec (%s) is deprecated: true; stop reading it, or add it to "+
					"contractDeprecatedAllowed with the reason", flabel, p.loc))
			}
		}
		c.checkValue(flabel, f.Type, p.schema, p.loc)
	}
}

// checkValue checks that Go type t can hold the values of schema s (at loc).
func (c *contractModelChecker) checkValue(label string, t reflect.Type, s *openapi3.SchemaRef, loc string) {
	mismatch := func() {
		c.errs = append(c.errs, fmt.Sprintf("%s: the client has %s, the spec (%s) has %s",
			label, contractGoName(t), loc, contractDescribe(s)))
	}
	if s == nil || s.Value == nil {
		c.errs = append(c.errs, fmt.Sprintf("%s: the spec (%s) has no schema", label, loc))
		return
	}
	et := t
	for et.Kind() == reflect.Pointer {
		et = et.Elem()
	}
	typ := contractType(s)
	switch et.Kind() {
	case reflect.String:
		if typ != "string" {
			mismatch()
		}
	case reflect.Bool:
		if typ != "boolean" {
			mismatch()
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if typ != "integer" && !(typ == "number" && s.Value.Format == "integer") {
			mismatch()
		}
	case reflect.Float32, reflect.Float64:
		if typ != "number" {
			mismatch()
		}
	case reflect.Struct:
		if typ != "object" {
			mismatch()
			return
		}
		refName := strings.TrimPrefix(s.Ref, "#/components/schemas/")
		if def, tabled := c.byType[et]; tabled && refName == def {
			return // checked field by field in its own table row
		}
		// An anonymous struct, or a named one used here for another schema than its own:
		// check its fields against this property's schema.
		key := et.String() + "@" + contractSchemaLoc(s, loc)
		if !c.seen[key] {
			c.seen[key] = true
			c.checkStruct(label, et, s, loc)
		}
	case reflect.Slice, reflect.Array:
		if typ != "array" {
			mismatch()
			return
		}
		if s.Value.Items == nil {
			c.errs = append(c.errs, fmt.Sprintf("%s: the spec (%s) has an array without items", label, loc))
			return
		}
		c.checkValue(label+"[]", et.Elem(), s.Value.Items, contractSchemaLoc(s, loc)+".items")
	case reflect.Interface:
		// any holds every JSON value
	default:
		c.errs = append(c.errs, fmt.Sprintf("%s: the client has %s, which this check cannot compare with %s",
			label, contractGoName(t), contractDescribe(s)))
	}
}

func TestContractAllegroClientModel(t *testing.T) {
	s := contractSpec(t)
	c := &contractModelChecker{byType: map[reflect.Type]string{}, seen: map[string]bool{}, deprecated: map[string]bool{}}
	for _, row := range contractModelTable {
		c.byType[row.goType] = row.schema
	}

	// Every named struct the response types reach must be in the table, so that it is checked.
	visited := map[reflect.Type]bool{}
	var reach func(reflect.Type, string)
	reach = func(rt reflect.Type, via string) {
		for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice || rt.Kind() == reflect.Array {
			rt = rt.Elem()
		}
		if rt.Kind() != reflect.Struct || visited[rt] {
			return
		}
		visited[rt] = true
		if _, ok := c.byType[rt]; !ok && rt.Name() != "" {
			t.Errorf("%s (reached through %s) is not in contractModelTable: add it with its schema", rt.Name(), via)
		}
		for _, f := range contract.JSONFields(rt) {
			reach(f.Type, via+"."+f.GoName)
		}
	}
	for _, op := range contractOps {
		rt := reflect.TypeOf(op.decode()).Elem()
		reach(rt, rt.Name())
	}

	for _, row := range contractModelTable {
		name := row.goType.Name()
		t.Run(name, func(t *testing.T) {
			ref, ok := s.doc.Components.Schemas[row.schema]
			if !ok || ref.Value == nil {
				t.Fatalf("%s is mapped to components.schemas.%s, which %s does not have", name, row.schema, s.path)
			}
			c.errs = nil
			c.checkStruct(name, row.goType, &openapi3.SchemaRef{Ref: "#/components/schemas/" + row.schema, Value: ref.Value},
				"components.schemas."+row.schema)
			for _, e := range c.errs {
				t.Error(e)
			}
		})
	}
	for _, label := range slices.Sorted(maps.Keys(contractDeprecatedAllowed)) {
		if !c.deprecated[label] {
			t.Errorf("contractDeprecatedAllowed[%q]: the spec no longer has it as a deprecated property: remove the entry", label)
		}
	}
}

// ---- TestContractAllegroExamplesDecode ----

func TestContractAllegroExamplesDecode(t *testing.T) {
	s := contractSpec(t)
	n := 0
	for _, ex := range contractExamples(t, s) {
		n++
		t.Run(ex.file, func(t *testing.T) {
			raw, fixture, ok := contractReadFixture(t, ex.file)
			if !ok {
				return
			}
			target := ex.decode()
			if err := json.Unmarshal(raw, target); err != nil {
				t.Errorf("%s (%s) does not decode into %s: %v", ex.file, ex.opID, contractGoName(reflect.TypeOf(target)), err)
				return
			}
			if reflect.ValueOf(target).Elem().IsZero() {
				t.Errorf("%s decoded into an empty %s", ex.file, contractGoName(reflect.TypeOf(target)))
			}
			// What the client drops: informative, not a failure.
			var dropped []string
			contractDropped(fixture, reflect.TypeOf(target), "$", &dropped)
			if len(dropped) > 0 {
				t.Logf("%s: the client does not keep %d field(s): %s", ex.file, len(dropped), strings.Join(dropped, ", "))
			}
		})
	}
	if n == 0 {
		t.Error("no fixtures for the client's operations")
	}
}

// contractDropped lists the JSON paths in v that Go type t has no field for.
func contractDropped(v any, t reflect.Type, path string, out *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch val := v.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return
		}
		fields := map[string]reflect.Type{}
		for _, f := range contract.JSONFields(t) {
			fields[f.JSONName] = f.Type
		}
		for _, k := range slices.Sorted(maps.Keys(val)) {
			ft, ok := fields[k]
			if !ok {
				for name, typ := range fields { // encoding/json also matches names case-insensitively
					if strings.EqualFold(name, k) {
						ft, ok = typ, true
						break
					}
				}
			}
			if !ok {
				*out = append(*out, path+"."+k)
				continue
			}
			contractDropped(val[k], ft, path+"."+k, out)
		}
	case []any:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return
		}
		for i, e := range val {
			contractDropped(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i), out)
		}
	}
}
