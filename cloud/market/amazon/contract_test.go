package amazon

// Contract tests: the client against Amazon's published Orders v0 model.
//
// The model is read from the shared reference copy, ../shared/specs/amazon/ordersV0.json next to
// the repository (amzn/selling-partner-api-models, models/orders-api-model/ordersV0.json, commit
// 34dc93f, 2026-08-05). The fixtures in testdata/market/amazon are the model's own example
// responses, copied unchanged; these tests re-extract them and fail if they drift.
//
// A missing spec is a failure, never a skip: the contract cannot be checked without it.
//
// Reading the model and validating against it is internal/swagger's; what is here is the
// mapping to this client (fixture names, the client's types, Amazon's known deviations).

import (
	"encoding/json"
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
	"tiltas/internal/swagger"
)

// contractSpecName is the spec's name under shared/specs beside the repository (swagger.Find).
const contractSpecName = "amazon/ordersV0.json"

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
	{reflect.TypeFor[TaxCollection](), "TaxCollection"},
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

var contractSpecOnce = sync.OnceValues(func() (*swagger.Spec, error) {
	p, err := swagger.Find(contractSpecName)
	if err != nil {
		return nil, fmt.Errorf("the Orders v0 model is absent: %v (the shared reference copy of "+
			"amzn/selling-partner-api-models models/orders-api-model/ordersV0.json, commit 34dc93f). "+
			"The contract tests cannot run without it", err)
	}
	s, err := swagger.Load(p)
	if err != nil {
		return nil, fmt.Errorf("the Orders v0 model: %w", err)
	}
	if len(s.Definitions) == 0 {
		return nil, fmt.Errorf("the Orders v0 model %s has no definitions", p)
	}
	return s, nil
})

func contractSpec(t *testing.T) *swagger.Spec {
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

// contractExample is one published example response.
type contractExample struct {
	swagger.Example
	op   string // operation ID
	file string // fixture file name
}

// contractExamples re-extracts every example response of contractOps from the spec: the
// responses' examples blocks and their x-amzn-api-sandbox static and dynamic responses.
func contractExamples(t *testing.T, s *swagger.Spec) []contractExample {
	t.Helper()
	var out []contractExample
	for _, op := range contractOps {
		o, err := s.Operation(op.method, op.path)
		if err != nil {
			t.Errorf("%s: the model has no paths[%q].%s", s.Path, op.path, op.method)
			continue
		}
		if id, _ := o["operationId"].(string); id != op.operationID {
			t.Errorf("%s: paths[%q].%s is operation %q, want %q", s.Path, op.path, op.method, id, op.operationID)
			continue
		}
		exs, err := s.Examples(op.method, op.path)
		if err != nil {
			t.Error(err)
			continue
		}
		for _, ex := range exs {
			var name string
			switch {
			case ex.Sandbox != "":
				name = fmt.Sprintf("%s-%s-%s-%d.json", op.operationID, ex.Status, ex.Sandbox, ex.Index)
			case ex.MediaType == "application/json":
				name = fmt.Sprintf("%s-%s-example.json", op.operationID, ex.Status)
			default:
				name = fmt.Sprintf("%s-%s-example-%s.json", op.operationID, ex.Status, strings.ReplaceAll(ex.MediaType, "/", "-"))
			}
			out = append(out, contractExample{ex, op.operationID, name})
		}
	}
	if len(out) == 0 {
		t.Errorf("%s: found no example responses for %d operations", s.Path, len(contractOps))
	}
	return out
}

func contractReadFixture(t *testing.T, name string) (raw []byte, v any, ok bool) {
	t.Helper()
	p := filepath.Join(contractFixtureDir(), name)
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Errorf("fixture %s: %v", p, err)
		return nil, nil, false
	}
	v, err = swagger.Decode(raw)
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
				t.Errorf("copy it unchanged from %s %s", filepath.Base(s.Path), ex.Location)
				return
			}
			g, w := swagger.Canonical(got), swagger.Canonical(ex.Body)
			if d := contract.Drift(g, w); d != "" {
				t.Errorf("%s drifted from %s %s (%s)", ex.file, filepath.Base(s.Path), ex.Location, d)
			}
		})
	}

	extra, err := contract.Extra(dir, want)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range extra {
		t.Errorf("%s: not a published example of %s (no such example in the spec); remove it or fix its name", f, filepath.Base(s.Path))
	}
}

// ---- TestContractFixturesValidate ----

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
		if ex.Status != "200" {
			continue
		}
		n++
		t.Run(ex.file, func(t *testing.T) {
			_, got, ok := contractReadFixture(t, ex.file)
			if !ok {
				return
			}
			errs := s.ValidateAt(got, ex.Schema, ex.SchemaLoc)
			known := map[string]bool{}
			for _, k := range knownDeviations[ex.file] {
				known[k] = true
			}
			for _, e := range errs {
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

func contractGoName(t reflect.Type) string {
	return strings.ReplaceAll(t.String(), "amazon.", "")
}

type contractModelChecker struct {
	spec   *swagger.Spec
	byType map[reflect.Type]string // the table
	errs   []string
	seen   map[string]bool // inline/untabled struct checks already done
}

// describe is how a schema reads in a message: "string", "$ref Money (object)", "array of string".
func (c *contractModelChecker) describe(schema map[string]any) string {
	if ref, ok := schema["$ref"].(string); ok {
		r, _, err := c.spec.Resolve(schema, "")
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
	for _, f := range contract.JSONFields(t) {
		flabel := label + "." + f.GoName
		if f.JSONName != f.GoName {
			flabel += fmt.Sprintf(" (json %q)", f.JSONName)
		}
		ps, ok := props[f.JSONName].(map[string]any)
		if !ok {
			c.errs = append(c.errs, fmt.Sprintf("%s: the client has %s, the model (%s %s.properties) has no property %q",
				flabel, contractGoName(f.Type), filepath.Base(c.spec.Path), loc, f.JSONName))
			continue
		}
		c.checkValue(flabel, f.Type, ps, loc+".properties."+f.JSONName)
	}
}

// checkValue checks that Go type t can hold the values of schema (at loc).
func (c *contractModelChecker) checkValue(label string, t reflect.Type, schema map[string]any, loc string) {
	mismatch := func() {
		c.errs = append(c.errs, fmt.Sprintf("%s: the client has %s, the model (%s %s) has %s",
			label, contractGoName(t), filepath.Base(c.spec.Path), loc, c.describe(schema)))
	}
	et := t
	for et.Kind() == reflect.Pointer {
		et = et.Elem()
	}
	resolved, rloc, err := c.spec.Resolve(schema, loc)
	if err != nil {
		c.errs = append(c.errs, fmt.Sprintf("%s: the model (%s %s): %v", label, filepath.Base(c.spec.Path), loc, err))
		return
	}
	typ := swagger.SchemaType(resolved)
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
					label, contractGoName(t), def, filepath.Base(c.spec.Path), loc, c.describe(schema)))
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
				label, filepath.Base(c.spec.Path), rloc))
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
	c := &contractModelChecker{spec: s, byType: map[reflect.Type]string{}, seen: map[string]bool{}}
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
				contractGoName(rt), via, filepath.Base(s.Path))
		}
		for _, f := range contract.JSONFields(rt) {
			reach(f.Type, contractGoName(rt)+"."+f.GoName)
		}
	}
	reach(reflect.TypeFor[GetOrdersResponse](), "GetOrdersResponse")
	reach(reflect.TypeFor[GetOrderItemsResponse](), "GetOrderItemsResponse")

	for _, row := range contractModelTable {
		name := contractGoName(row.goType)
		t.Run(name, func(t *testing.T) {
			def, err := s.Definition(row.def)
			if err != nil {
				t.Fatalf("%s is mapped to definitions.%s, which %s does not have", name, row.def, s.Path)
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
					ex.file, ex.Location, contractGoName(reflect.TypeOf(target)), err)
				return
			}
			payload := reflect.ValueOf(target).Elem().FieldByName("Payload")
			errs := reflect.ValueOf(target).Elem().FieldByName("Errors")
			switch {
			case ex.Status == "200" && payload.IsNil():
				t.Errorf("%s decoded with no payload", ex.file)
			case ex.Status != "200" && errs.Len() == 0:
				t.Errorf("%s (status %s) decoded with no errors", ex.file, ex.Status)
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

// The client's Tokens API types against the published Tokens API model
// (../shared/specs/amazon/tokens_2021-03-01.json, same repository and commit).
func TestContractTokensModel(t *testing.T) {
	path, err := swagger.Find("amazon/tokens_2021-03-01.json")
	if err != nil {
		t.Fatalf("the Tokens API model is absent: %v: the contract cannot be checked without it", err)
	}
	s, err := swagger.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	table := []struct {
		goType reflect.Type
		def    string
	}{
		{reflect.TypeFor[CreateRestrictedDataTokenRequest](), "CreateRestrictedDataTokenRequest"},
		{reflect.TypeFor[RestrictedResource](), "RestrictedResource"},
		{reflect.TypeFor[CreateRestrictedDataTokenResponse](), "CreateRestrictedDataTokenResponse"},
	}
	c := &contractModelChecker{spec: s, byType: map[reflect.Type]string{}, seen: map[string]bool{}}
	for _, row := range table {
		c.byType[row.goType] = row.def
	}
	for _, row := range table {
		def, err := s.Definition(row.def)
		if err != nil {
			t.Fatalf("definitions.%s: %v", row.def, err)
		}
		c.checkStruct(contractGoName(row.goType), row.goType, def, "definitions."+row.def)
	}
	for _, e := range c.errs {
		t.Error(e)
	}
	// What the client asks for is a valid request: methods and paths as the model's examples
	// name them, at most 50 resources.
	req, _ := s.Definition("CreateRestrictedDataTokenRequest")
	if v := s.Validate(CreateRestrictedDataTokenRequest{RestrictedResources: Restricted}, req); len(v) != 0 || len(Restricted) > 50 {
		t.Fatalf("the client's RDT request: %v", v)
	}
}
