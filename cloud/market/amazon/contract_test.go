package amazon

// Contract tests: the client against Amazon's published Orders v0 model.
//
// The model is read from the shared reference copy, ../shared/specs/amazon/ordersV0.json next to
// the repository (amzn/selling-partner-api-models, models/orders-api-model/ordersV0.json, commit
// 34dc93f, 2026-08-05). The fixtures in testdata/market/amazon are the model's own example
// responses, copied unchanged; these tests re-extract them and fail if they drift.
//
// A missing spec is a failure, never a skip: the contract cannot be checked without it.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// contractSpecRel is the spec's path relative to this package's directory.
const contractSpecRel = "../../../../shared/specs/amazon/ordersV0.json"

// contractFixtureRel is the fixtures' directory relative to this package's directory.
const contractFixtureRel = "../../../testdata/market/amazon"

// contractOps are the operations whose example responses are copied as fixtures.
var contractOps = []struct {
	operationID, method, path string
}{
	{"getOrders", "get", "/orders/v0/orders"},
	{"getOrderItems", "get", "/orders/v0/orders/{orderId}/orderItems"},
	{"getOrderBuyerInfo", "get", "/orders/v0/orders/{orderId}/buyerInfo"},
	{"getOrderAddress", "get", "/orders/v0/orders/{orderId}/address"},
	{"getOrderItemsBuyerInfo", "get", "/orders/v0/orders/{orderId}/orderItems/buyerInfo"},
}

// contractModelTable maps each of the client's SP-API types (model.go) to the model's definition.
// TokenResponse is Login with Amazon's, not part of ordersV0.json, and is not listed.
var contractModelTable = []struct {
	goType reflect.Type
	def    string
}{
	{reflect.TypeFor[GetOrdersResponse](), "GetOrdersResponse"},
	{reflect.TypeFor[OrdersList](), "OrdersList"},
	{reflect.TypeFor[Order](), "Order"},
	{reflect.TypeFor[GetOrderItemsResponse](), "GetOrderItemsResponse"},
	{reflect.TypeFor[OrderItemsList](), "OrderItemsList"},
	{reflect.TypeFor[OrderItem](), "OrderItem"},
	{reflect.TypeFor[ItemBuyerInfo](), "ItemBuyerInfo"},
	{reflect.TypeFor[Money](), "Money"},
	{reflect.TypeFor[Address](), "Address"},
	{reflect.TypeFor[BuyerInfo](), "BuyerInfo"},
	{reflect.TypeFor[BuyerTaxInfo](), "BuyerTaxInfo"},
	{reflect.TypeFor[TaxClassification](), "TaxClassification"},
	{reflect.TypeFor[Error](), "Error"},
}

// contractDecodeTargets maps an operation to the client's response type; operations the client
// does not call (buyer info, address) have no entry.
var contractDecodeTargets = map[string]func() any{
	"getOrders":     func() any { return new(GetOrdersResponse) },
	"getOrderItems": func() any { return new(GetOrderItemsResponse) },
}

// ---- locating and loading ----

func contractPkgDir() string {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		return filepath.Dir(file)
	}
	wd, _ := os.Getwd() // go test runs in the package directory
	return wd
}

type contractSpecT struct {
	path string
	doc  map[string]any
	defs map[string]any
}

var contractSpecOnce = sync.OnceValues(func() (*contractSpecT, error) {
	dir := contractPkgDir()
	cands := []string{filepath.Clean(filepath.Join(dir, contractSpecRel))}
	if wd, err := os.Getwd(); err == nil {
		if c := filepath.Clean(filepath.Join(wd, contractSpecRel)); c != cands[0] {
			cands = append(cands, c)
		}
	}
	for _, p := range cands {
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading the Orders v0 model %s: %w", p, err)
		}
		v, err := contractDecode(b)
		if err != nil {
			return nil, fmt.Errorf("parsing the Orders v0 model %s: %w", p, err)
		}
		doc, _ := v.(map[string]any)
		defs, _ := doc["definitions"].(map[string]any)
		if defs == nil {
			return nil, fmt.Errorf("the Orders v0 model %s has no definitions", p)
		}
		return &contractSpecT{path: p, doc: doc, defs: defs}, nil
	}
	return nil, fmt.Errorf("the Orders v0 model is absent: looked for %s (%s relative to the package "+
		"directory; the shared reference copy of amzn/selling-partner-api-models "+
		"models/orders-api-model/ordersV0.json, commit 34dc93f). The contract tests cannot run without it",
		strings.Join(cands, " and "), contractSpecRel)
})

func contractSpec(t *testing.T) *contractSpecT {
	t.Helper()
	s, err := contractSpecOnce()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func contractFixtureDir() string {
	return filepath.Clean(filepath.Join(contractPkgDir(), contractFixtureRel))
}

// contractDecode decodes one JSON value, keeping numbers as their literal text.
func contractDecode(b []byte) (any, error) {
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

// contractCanonical is the normal form: sorted keys, no whitespace, number literals as written.
func contractCanonical(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// contractExample is one published example response.
type contractExample struct {
	op, code string
	file     string // fixture file name
	jsonPath string // where in ordersV0.json
	value    any    // the response body as published
	schema   any    // responses[code].schema
}

// contractExamples re-extracts every example response of contractOps from the spec: the
// responses' examples blocks and their x-amzn-api-sandbox static and dynamic responses.
func contractExamples(t *testing.T, s *contractSpecT) []contractExample {
	t.Helper()
	paths, _ := s.doc["paths"].(map[string]any)
	var out []contractExample
	for _, op := range contractOps {
		pathItem, _ := paths[op.path].(map[string]any)
		o, _ := pathItem[op.method].(map[string]any)
		if o == nil {
			t.Errorf("%s: the model has no paths[%q].%s", s.path, op.path, op.method)
			continue
		}
		if id, _ := o["operationId"].(string); id != op.operationID {
			t.Errorf("%s: paths[%q].%s is operation %q, want %q", s.path, op.path, op.method, id, op.operationID)
			continue
		}
		responses, _ := o["responses"].(map[string]any)
		for _, code := range contractSortedKeys(responses) {
			r, _ := responses[code].(map[string]any)
			base := fmt.Sprintf("paths[%q].%s.responses[%q]", op.path, op.method, code)
			examples, _ := r["examples"].(map[string]any)
			for _, mt := range contractSortedKeys(examples) {
				name := fmt.Sprintf("%s-%s-example.json", op.operationID, code)
				if mt != "application/json" {
					name = fmt.Sprintf("%s-%s-example-%s.json", op.operationID, code, strings.ReplaceAll(mt, "/", "-"))
				}
				out = append(out, contractExample{op.operationID, code, name,
					fmt.Sprintf("%s.examples[%q]", base, mt), examples[mt], r["schema"]})
			}
			sandbox, _ := r["x-amzn-api-sandbox"].(map[string]any)
			for _, kind := range []string{"static", "dynamic"} {
				list, _ := sandbox[kind].([]any)
				for i, e := range list {
					em, _ := e.(map[string]any)
					body, ok := em["response"]
					if !ok {
						continue // e.g. a 204 has no body
					}
					out = append(out, contractExample{op.operationID, code,
						fmt.Sprintf("%s-%s-%s-%d.json", op.operationID, code, kind, i),
						fmt.Sprintf("%s[\"x-amzn-api-sandbox\"].%s[%d].response", base, kind, i), body, r["schema"]})
				}
			}
		}
	}
	if len(out) == 0 {
		t.Errorf("%s: found no example responses for %d operations", s.path, len(contractOps))
	}
	return out
}

func contractSortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contractReadFixture(t *testing.T, name string) (raw []byte, v any, ok bool) {
	t.Helper()
	p := filepath.Join(contractFixtureDir(), name)
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Errorf("fixture %s: %v", p, err)
		return nil, nil, false
	}
	v, err = contractDecode(raw)
	if err != nil {
		t.Errorf("fixture %s is not one JSON value: %v", p, err)
		return nil, nil, false
	}
	return raw, v, true
}

// ---- TestContractFixturesMatchTheSpec ----

func TestContractFixturesMatchTheSpec(t *testing.T) {
	s := contractSpec(t)
	examples := contractExamples(t, s)
	dir := contractFixtureDir()

	want := map[string]bool{}
	for _, ex := range examples {
		want[ex.file] = true
		t.Run(ex.file, func(t *testing.T) {
			_, got, ok := contractReadFixture(t, ex.file)
			if !ok {
				t.Errorf("copy it unchanged from %s %s", filepath.Base(s.path), ex.jsonPath)
				return
			}
			g, w := contractCanonical(got), contractCanonical(ex.value)
			if !bytes.Equal(g, w) {
				i := 0
				for i < len(g) && i < len(w) && g[i] == w[i] {
					i++
				}
				t.Errorf("%s drifted from %s %s (normalised, first difference at byte %d):\n fixture: %s\n    spec: %s",
					ex.file, filepath.Base(s.path), ex.jsonPath, i, contractAround(g, i), contractAround(w, i))
			}
		})
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("fixture directory %s: %v", dir, err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") && !want[e.Name()] {
			t.Errorf("%s: not a published example of %s (no such example in the spec); remove it or fix its name",
				filepath.Join(dir, e.Name()), filepath.Base(s.path))
		}
	}
}

func contractAround(b []byte, i int) string {
	lo, hi := max(0, i-60), min(len(b), i+60)
	return fmt.Sprintf("…%s…", b[lo:hi])
}

// ---- TestContractFixturesValidate: a validator for the Swagger 2.0 subset ordersV0.json uses ----

type contractValidator struct {
	defs map[string]any
	errs []string
}

// resolve follows $ref into #/definitions, returning the schema and its location.
func (v *contractValidator) resolve(schema map[string]any, loc string) (map[string]any, string, error) {
	for range 32 {
		ref, ok := schema["$ref"].(string)
		if !ok {
			return schema, loc, nil
		}
		name, ok := strings.CutPrefix(ref, "#/definitions/")
		if !ok {
			return nil, loc, fmt.Errorf("unsupported $ref %q", ref)
		}
		d, ok := v.defs[name].(map[string]any)
		if !ok {
			return nil, loc, fmt.Errorf("$ref %q: no such definition", ref)
		}
		schema, loc = d, "definitions."+name
	}
	return nil, loc, errors.New("$ref chain too long")
}

func (v *contractValidator) fail(path, loc, format string, args ...any) {
	v.errs = append(v.errs, fmt.Sprintf("%s: %s (schema %s)", path, fmt.Sprintf(format, args...), loc))
}

func (v *contractValidator) validate(value any, schemaAny any, path, loc string) {
	schema, _ := schemaAny.(map[string]any)
	if schema == nil {
		v.fail(path, loc, "no schema")
		return
	}
	schema, loc, err := v.resolve(schema, loc)
	if err != nil {
		v.fail(path, loc, "%v", err)
		return
	}
	typ, _ := schema["type"].(string)
	if typ == "" && schema["properties"] != nil {
		typ = "object"
	}
	if typ != "" && !contractIsType(value, typ) {
		v.fail(path, loc, "want %s, got %s %s", typ, contractJSONType(value), contractShort(value))
		return
	}
	if enum, ok := schema["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if bytes.Equal(contractCanonical(e), contractCanonical(value)) {
				found = true
				break
			}
		}
		if !found {
			v.fail(path, loc, "%s is not one of the enum %s", contractShort(value), contractShort(enum))
		}
	}
	if m, ok := schema["minimum"].(json.Number); ok {
		if n, isNum := value.(json.Number); isNum {
			a, err1 := n.Float64()
			b, err2 := m.Float64()
			if err1 == nil && err2 == nil && a < b {
				v.fail(path, loc, "%s is below the minimum %s", n, m)
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
					v.fail(path+"."+name, loc+".required", "required property is missing")
				}
			}
		}
		for _, k := range contractSortedKeys(val) {
			if ps, ok := props[k]; ok {
				v.validate(val[k], ps, path+"."+k, loc+".properties."+k)
			}
			// additionalProperties: allowed
		}
	case []any:
		if items, ok := schema["items"]; ok {
			for i, e := range val {
				v.validate(e, items, fmt.Sprintf("%s[%d]", path, i), loc+".items")
			}
		}
	}
}

func contractIsType(v any, typ string) bool {
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

func contractJSONType(v any) string {
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

func contractShort(v any) string {
	s := string(contractCanonical(v))
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// knownDeviations are the places where Amazon's own published examples break Amazon's own
// schema, by file and violation. They are expected exactly: a deviation that disappears (the
// spec was fixed) fails too, so the list is kept true.
var knownDeviations = map[string][]string{
	// The example's payload is one item's buyer info, not the OrderItemsBuyerInfoList.
	"getOrderItemsBuyerInfo-200-example.json": {
		"$.payload.AmazonOrderId: required property is missing (schema definitions.OrderItemsBuyerInfoList.required)",
		"$.payload.OrderItems: required property is missing (schema definitions.OrderItemsBuyerInfoList.required)",
	},
}

func TestContractFixturesValidate(t *testing.T) {
	s := contractSpec(t)
	n := 0
	for _, ex := range contractExamples(t, s) {
		if ex.code != "200" {
			continue
		}
		n++
		t.Run(ex.file, func(t *testing.T) {
			_, got, ok := contractReadFixture(t, ex.file)
			if !ok {
				return
			}
			v := &contractValidator{defs: s.defs}
			v.validate(got, ex.schema, "$", ex.jsonPath+".schema")
			known := map[string]bool{}
			for _, k := range knownDeviations[ex.file] {
				known[k] = true
			}
			for _, e := range v.errs {
				if known[e] {
					delete(known, e)
					continue
				}
				t.Errorf("%s %s", ex.file, e)
			}
			for k := range known {
				t.Errorf("%s: the known deviation %q is gone from the published example: remove it from knownDeviations", ex.file, k)
			}
		})
	}
	if n == 0 {
		t.Error("no 200 examples found to validate")
	}
}

// ---- TestContractClientModel ----

// contractField is a struct field as encoding/json sees it.
type contractField struct {
	goName, jsonName string
	typ              reflect.Type
}

func contractJSONFields(t reflect.Type) []contractField {
	var out []contractField
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
		out = append(out, contractField{f.Name, name, f.Type})
	}
	return out
}

func contractGoName(t reflect.Type) string {
	return strings.ReplaceAll(t.String(), "amazon.", "")
}

type contractModelChecker struct {
	spec   *contractSpecT
	byType map[reflect.Type]string // the table
	v      *contractValidator
	errs   []string
	seen   map[string]bool // inline/untabled struct checks already done
}

// describe is how a schema reads in a message: "string", "$ref Money (object)", "array of string".
func (c *contractModelChecker) describe(schema map[string]any) string {
	if ref, ok := schema["$ref"].(string); ok {
		r, _, err := c.v.resolve(schema, "")
		if err != nil {
			return ref
		}
		return fmt.Sprintf("$ref %s (%s)", strings.TrimPrefix(ref, "#/definitions/"), c.describe(r))
	}
	typ, _ := schema["type"].(string)
	if typ == "array" {
		if items, ok := schema["items"].(map[string]any); ok {
			return "array of " + c.describe(items)
		}
	}
	if typ == "" {
		if schema["properties"] != nil {
			return "object"
		}
		return "no type"
	}
	return typ
}

// checkStruct checks every JSON field of t against the object schema at loc.
func (c *contractModelChecker) checkStruct(label string, t reflect.Type, schema map[string]any, loc string) {
	props, _ := schema["properties"].(map[string]any)
	for _, f := range contractJSONFields(t) {
		flabel := label + "." + f.goName
		if f.jsonName != f.goName {
			flabel += fmt.Sprintf(" (json %q)", f.jsonName)
		}
		ps, ok := props[f.jsonName].(map[string]any)
		if !ok {
			c.errs = append(c.errs, fmt.Sprintf("%s: the client has %s, the model (%s %s.properties) has no property %q",
				flabel, contractGoName(f.typ), filepath.Base(c.spec.path), loc, f.jsonName))
			continue
		}
		c.checkValue(flabel, f.typ, ps, loc+".properties."+f.jsonName)
	}
}

// checkValue checks that Go type t can hold the values of schema (at loc).
func (c *contractModelChecker) checkValue(label string, t reflect.Type, schema map[string]any, loc string) {
	mismatch := func() {
		c.errs = append(c.errs, fmt.Sprintf("%s: the client has %s, the model (%s %s) has %s",
			label, contractGoName(t), filepath.Base(c.spec.path), loc, c.describe(schema)))
	}
	et := t
	for et.Kind() == reflect.Pointer {
		et = et.Elem()
	}
	resolved, rloc, err := c.v.resolve(schema, loc)
	if err != nil {
		c.errs = append(c.errs, fmt.Sprintf("%s: the model (%s %s): %v", label, filepath.Base(c.spec.path), loc, err))
		return
	}
	typ, _ := resolved["type"].(string)
	if typ == "" && resolved["properties"] != nil {
		typ = "object"
	}
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
		if typ != "integer" {
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
		ref, isRef := schema["$ref"].(string)
		refName := strings.TrimPrefix(ref, "#/definitions/")
		if def, tabled := c.byType[et]; tabled {
			// Checked field by field in its own table row; here only the mapping must agree.
			if !isRef || refName != def {
				c.errs = append(c.errs, fmt.Sprintf("%s: the client has %s (mapped to definitions.%s), the model (%s %s) has %s",
					label, contractGoName(t), def, filepath.Base(c.spec.path), loc, c.describe(schema)))
			}
			return
		}
		key := et.String() + "@" + rloc
		if !c.seen[key] {
			c.seen[key] = true
			c.checkStruct(contractGoName(et), et, resolved, rloc)
		}
	case reflect.Slice, reflect.Array:
		if typ != "array" {
			mismatch()
			return
		}
		items, ok := resolved["items"].(map[string]any)
		if !ok {
			c.errs = append(c.errs, fmt.Sprintf("%s: the model (%s %s) has an array without items",
				label, filepath.Base(c.spec.path), rloc))
			return
		}
		c.checkValue(label+"[]", et.Elem(), items, rloc+".items")
	case reflect.Interface:
		// any holds every JSON value
	default:
		c.errs = append(c.errs, fmt.Sprintf("%s: the client has %s, which this check does not know how to compare with %s",
			label, contractGoName(t), c.describe(schema)))
	}
}

func TestContractClientModel(t *testing.T) {
	s := contractSpec(t)
	c := &contractModelChecker{spec: s, byType: map[reflect.Type]string{}, v: &contractValidator{defs: s.defs}, seen: map[string]bool{}}
	for _, row := range contractModelTable {
		c.byType[row.goType] = row.def
	}

	// Every struct the response types reach must be in the table, so that it is checked.
	var reach func(reflect.Type, string)
	visited := map[reflect.Type]bool{}
	reach = func(rt reflect.Type, via string) {
		for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice || rt.Kind() == reflect.Array {
			rt = rt.Elem()
		}
		if rt.Kind() != reflect.Struct || visited[rt] {
			return
		}
		visited[rt] = true
		if _, ok := c.byType[rt]; !ok {
			t.Errorf("%s (reached through %s) is not in contractModelTable: add it with its definition in %s",
				contractGoName(rt), via, filepath.Base(s.path))
		}
		for _, f := range contractJSONFields(rt) {
			reach(f.typ, contractGoName(rt)+"."+f.goName)
		}
	}
	reach(reflect.TypeFor[GetOrdersResponse](), "GetOrdersResponse")
	reach(reflect.TypeFor[GetOrderItemsResponse](), "GetOrderItemsResponse")

	for _, row := range contractModelTable {
		name := contractGoName(row.goType)
		t.Run(name, func(t *testing.T) {
			def, ok := s.defs[row.def].(map[string]any)
			if !ok {
				t.Fatalf("%s is mapped to definitions.%s, which %s does not have", name, row.def, s.path)
			}
			c.errs = nil
			loc := "definitions." + row.def
			c.checkValue(name, row.goType, map[string]any{"$ref": "#/definitions/" + row.def}, loc)
			// checkValue on a tabled type only checks the mapping; check the fields here.
			c.checkStruct(name, row.goType, def, loc)
			for _, e := range c.errs {
				t.Error(e)
			}
		})
	}
}

// ---- TestContractExamplesDecode ----

func TestContractExamplesDecode(t *testing.T) {
	s := contractSpec(t)
	n := 0
	for _, ex := range contractExamples(t, s) {
		mk, ok := contractDecodeTargets[ex.op]
		if !ok {
			continue // the client does not call this operation
		}
		n++
		t.Run(ex.file, func(t *testing.T) {
			raw, fixture, ok := contractReadFixture(t, ex.file)
			if !ok {
				return
			}
			target := mk()
			if err := json.Unmarshal(raw, target); err != nil {
				t.Errorf("%s (%s) does not decode into %s: %v",
					ex.file, ex.jsonPath, contractGoName(reflect.TypeOf(target)), err)
				return
			}
			payload := reflect.ValueOf(target).Elem().FieldByName("Payload")
			errs := reflect.ValueOf(target).Elem().FieldByName("Errors")
			switch {
			case ex.code == "200" && payload.IsNil():
				t.Errorf("%s decoded with no payload", ex.file)
			case ex.code != "200" && errs.Len() == 0:
				t.Errorf("%s (status %s) decoded with no errors", ex.file, ex.code)
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
		for _, f := range contractJSONFields(t) {
			fields[f.jsonName] = f.typ
		}
		for _, k := range contractSortedKeys(val) {
			ft, ok := fields[k]
			if !ok {
				// encoding/json also matches names case-insensitively
				for name, typ := range fields {
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
