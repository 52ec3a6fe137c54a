package swagger

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const testSpec = `{
  "swagger": "2.0",
  "paths": {
    "/pets": {
      "get": {
        "operationId": "listPets",
        "responses": {
          "200": {
            "schema": {"$ref": "#/definitions/PetList"},
            "examples": {"application/json": {"pets": [{"name": "Rex", "kind": "dog", "age": 3}]}},
            "x-amzn-api-sandbox": {
              "static": [{"request": {}, "response": {"pets": []}}, {"request": {}}],
              "dynamic": [{"response": {"pets": [{"name": "Tom", "kind": "cat"}]}}]
            }
          },
          "400": {"schema": {"$ref": "#/definitions/Error"}},
          "204": {}
        }
      }
    }
  },
  "definitions": {
    "PetList": {
      "type": "object",
      "required": ["pets"],
      "properties": {"pets": {"type": "array", "items": {"$ref": "#/definitions/Pet"}}}
    },
    "Pet": {
      "required": ["name", "kind"],
      "properties": {
        "name": {"type": "string"},
        "kind": {"$ref": "#/definitions/Kind"},
        "age": {"type": "integer", "minimum": 0},
        "weight": {"type": "number", "minimum": 0.5},
        "tags": {"type": "array", "items": {"type": "string"}},
        "vaccinated": {"type": "boolean"}
      }
    },
    "Kind": {"type": "string", "enum": ["dog", "cat"]},
    "Error": {"type": "object", "properties": {"code": {"type": "string"}}},
    "Loop": {"$ref": "#/definitions/Loop"}
  }
}`

func parseTestSpec(t *testing.T) *Spec {
	t.Helper()
	s, err := Parse([]byte(testSpec))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestValidate(t *testing.T) {
	s := parseTestSpec(t)
	schema, err := s.Response("get", "/pets", "200")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"valid", `{"pets": [{"name": "Rex", "kind": "dog", "age": 3, "weight": 0.5, "tags": ["a"], "vaccinated": true, "extra": 1}]}`, nil},
		{"valid empty list", `{"pets": []}`, nil},
		{"integer written as 1e3", `{"pets": [{"name": "Rex", "kind": "dog", "age": 1e3}]}`, nil},
		{"type at the root", `[]`, []string{
			"$: want object, got array [] (schema definitions.PetList)"}},
		{"type of a property", `{"pets": [{"name": 7, "kind": "dog"}]}`, []string{
			"$.pets[0].name: want string, got number 7 (schema definitions.Pet.properties.name)"}},
		{"integer with a fraction", `{"pets": [{"name": "Rex", "kind": "dog", "age": 1.5}]}`, []string{
			"$.pets[0].age: want integer, got number 1.5 (schema definitions.Pet.properties.age)"}},
		{"null is not a string", `{"pets": [{"name": null, "kind": "dog"}]}`, []string{
			"$.pets[0].name: want string, got null null (schema definitions.Pet.properties.name)"}},
		{"required", `{"pets": [{"kind": "cat"}]}`, []string{
			"$.pets[0].name: required property is missing (schema definitions.Pet.required)"}},
		{"required at the root", `{}`, []string{
			"$.pets: required property is missing (schema definitions.PetList.required)"}},
		{"enum through $ref", `{"pets": [{"name": "Rex", "kind": "fish"}]}`, []string{
			`$.pets[0].kind: "fish" is not one of the enum ["dog","cat"] (schema definitions.Kind)`}},
		{"items", `{"pets": [{"name": "Rex", "kind": "dog", "tags": ["a", 2, "c", false]}]}`, []string{
			"$.pets[0].tags[1]: want string, got number 2 (schema definitions.Pet.properties.tags.items)",
			"$.pets[0].tags[3]: want string, got boolean false (schema definitions.Pet.properties.tags.items)"}},
		{"items through $ref", `{"pets": [{"name": "Rex", "kind": "dog"}, "Tom"]}`, []string{
			`$.pets[1]: want object, got string "Tom" (schema definitions.Pet)`}},
		{"minimum", `{"pets": [{"name": "Rex", "kind": "dog", "age": -1, "weight": 0.25}]}`, []string{
			"$.pets[0].age: -1 is below the minimum 0 (schema definitions.Pet.properties.age)",
			"$.pets[0].weight: 0.25 is below the minimum 0.5 (schema definitions.Pet.properties.weight)"}},
		{"several, in document order", `{"pets": [{"kind": "fish"}, {"name": "Tom", "kind": "cat", "vaccinated": "yes"}]}`, []string{
			"$.pets[0].name: required property is missing (schema definitions.Pet.required)",
			`$.pets[0].kind: "fish" is not one of the enum ["dog","cat"] (schema definitions.Kind)`,
			`$.pets[1].vaccinated: want boolean, got string "yes" (schema definitions.Pet.properties.vaccinated)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Decode([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Validate(doc, schema); !slices.Equal(got, tt.want) {
				t.Errorf("Validate(%s):\n got %q\nwant %q", tt.doc, got, tt.want)
			}
			// The same document as JSON text.
			if got := s.Validate([]byte(tt.doc), schema); !slices.Equal(got, tt.want) {
				t.Errorf("Validate([]byte(%s)):\n got %q\nwant %q", tt.doc, got, tt.want)
			}
		})
	}
}

func TestValidateSchemaLocations(t *testing.T) {
	s := parseTestSpec(t)
	inline := map[string]any{"type": "object", "required": []any{"id"},
		"properties": map[string]any{"n": map[string]any{"type": "integer"}}}
	doc := map[string]any{"n": "x"}
	want := []string{
		"$.id: required property is missing (schema #.required)",
		`$.n: want integer, got string "x" (schema #.properties.n)`,
	}
	if got := s.Validate(doc, inline); !slices.Equal(got, want) {
		t.Errorf("Validate: got %q, want %q", got, want)
	}
	if got := s.ValidateAt(map[string]any{}, inline, "paths.x.schema"); !slices.Equal(got,
		[]string{"$.id: required property is missing (schema paths.x.schema.required)"}) {
		t.Errorf("ValidateAt: got %q", got)
	}
	// Bad references are violations, not panics.
	for ref, want := range map[string]string{
		"#/definitions/Nope": `$: $ref "#/definitions/Nope": no such definition (schema #)`,
		"other.json#/x":      `$: unsupported $ref "other.json#/x" (schema #)`,
		"#/definitions/Loop": `$: $ref chain too long (schema definitions.Loop)`,
	} {
		if got := s.Validate("a", map[string]any{"$ref": ref}); !slices.Equal(got, []string{want}) {
			t.Errorf("$ref %s: got %q, want %q", ref, got, want)
		}
	}
	if got := s.Validate("a", nil); !slices.Equal(got, []string{"$: no schema (schema #)"}) {
		t.Errorf("nil schema: got %q", got)
	}
}

func TestValidateGoValues(t *testing.T) {
	s := parseTestSpec(t)
	schema, err := s.Response("get", "/pets", "200")
	if err != nil {
		t.Fatal(err)
	}
	type pet struct {
		Name string  `json:"name"`
		Kind string  `json:"kind"`
		Age  float64 `json:"age"`
	}
	type list struct {
		Pets []pet `json:"pets"`
	}
	if got := s.Validate(list{Pets: []pet{{"Rex", "dog", 3}}}, schema); len(got) != 0 {
		t.Errorf("valid struct: %q", got)
	}
	got := s.Validate(list{Pets: []pet{{"Rex", "cow", 2.5}}}, schema)
	want := []string{
		`$.pets[0].age: want integer, got number 2.5 (schema definitions.Pet.properties.age)`,
		`$.pets[0].kind: "cow" is not one of the enum ["dog","cat"] (schema definitions.Kind)`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("struct: got %q, want %q", got, want)
	}
	// map[string]any with float64 numbers, as json.Unmarshal without UseNumber gives.
	if got := s.Validate(map[string]any{"pets": []any{map[string]any{"name": "Rex", "kind": "dog", "age": float64(3)}}}, schema); len(got) != 0 {
		t.Errorf("float64 numbers: %q", got)
	}
	if got := s.Validate([]byte(`{"pets": [`), schema); len(got) != 1 || !strings.HasPrefix(got[0], "$: ") {
		t.Errorf("bad JSON text: %q", got)
	}
}

func TestLookups(t *testing.T) {
	s := parseTestSpec(t)
	if d, err := s.Definition("Pet"); err != nil || d["required"] == nil {
		t.Errorf("Definition(Pet) = %v, %v", d, err)
	}
	if _, err := s.Definition("Dog"); err == nil || !strings.Contains(err.Error(), "no definitions.Dog") {
		t.Errorf("Definition(Dog): %v", err)
	}
	if op, err := s.Operation("get", "/pets"); err != nil || op["operationId"] != "listPets" {
		t.Errorf("Operation = %v, %v", op, err)
	}
	if sc, err := s.Response("get", "/pets", "400"); err != nil || sc["$ref"] != "#/definitions/Error" {
		t.Errorf("Response 400 = %v, %v", sc, err)
	}
	for _, c := range []struct{ method, path, status, want string }{
		{"post", "/pets", "200", `no paths["/pets"].post`},
		{"get", "/cats", "200", `no paths["/cats"].get`},
		{"get", "/pets", "500", `no paths["/pets"].get.responses["500"]`},
		{"get", "/pets", "204", `paths["/pets"].get.responses["204"] has no schema`},
	} {
		if _, err := s.Response(c.method, c.path, c.status); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Response(%s, %s, %s): %v, want an error with %q", c.method, c.path, c.status, err, c.want)
		}
	}
	r, loc, err := s.Resolve(map[string]any{"$ref": "#/definitions/Kind"}, "x")
	if err != nil || loc != "definitions.Kind" || SchemaType(r) != "string" {
		t.Errorf("Resolve = %v, %q, %v", r, loc, err)
	}
	if d, _ := s.Definition("Pet"); SchemaType(d) != "object" {
		t.Errorf("SchemaType(Pet) = %q, want object (it has properties)", SchemaType(d))
	}
}

func TestExamples(t *testing.T) {
	s := parseTestSpec(t)
	exs, err := s.Examples("get", "/pets")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range exs {
		got = append(got, e.Status+" "+e.MediaType+e.Sandbox+" "+e.Location+" "+string(Canonical(e.Body)))
		if e.Status == "200" && (e.Schema["$ref"] != "#/definitions/PetList" || e.SchemaLoc != `paths["/pets"].get.responses["200"].schema`) {
			t.Errorf("%s: schema %v at %s", e.Location, e.Schema, e.SchemaLoc)
		}
	}
	want := []string{
		`200 application/json paths["/pets"].get.responses["200"].examples["application/json"] {"pets":[{"age":3,"kind":"dog","name":"Rex"}]}`,
		`200 static paths["/pets"].get.responses["200"]["x-amzn-api-sandbox"].static[0].response {"pets":[]}`,
		`200 dynamic paths["/pets"].get.responses["200"]["x-amzn-api-sandbox"].dynamic[0].response {"pets":[{"kind":"cat","name":"Tom"}]}`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("Examples:\n got %q\nwant %q", got, want)
	}
	for _, e := range exs {
		if errs := s.Validate(e.Body, e.Schema); len(errs) != 0 {
			t.Errorf("%s: %q", e.Location, errs)
		}
	}
	if _, err := s.Examples("get", "/cats"); err == nil {
		t.Error("Examples of a missing operation: no error")
	}
}

func TestParseAndLoad(t *testing.T) {
	for doc, want := range map[string]string{
		`[]`:                    "not an object",
		`{"openapi": "3.0.0"}`:  "not a Swagger 2.0 document",
		`{"swagger": "2.0"} {}`: "trailing data",
		`{"swagger": "2.0"`:     "EOF",
	} {
		if _, err := Parse([]byte(doc)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s): %v, want an error with %q", doc, err, want)
		}
	}
	s, err := Parse([]byte(`{"swagger": "2.0"}`))
	if err != nil || s.Definitions == nil {
		t.Errorf("Parse without definitions: %v, %v", s, err)
	}

	dir := t.TempDir()
	p := filepath.Join(dir, "spec.json")
	if err := os.WriteFile(p, []byte(testSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = Load(p)
	if err != nil || s.Path != p || len(s.Definitions) != 5 {
		t.Fatalf("Load = %v, %v", s, err)
	}
	_, err = Load(filepath.Join(dir, "absent.json"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "absent.json") {
		t.Errorf("Load of a missing file: %v", err)
	}
	if err := os.WriteFile(p, []byte(`{`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("Load of a bad file: %v, want an error naming it", err)
	}
}

func TestDecodeKeepsNumbers(t *testing.T) {
	v, err := Decode([]byte(` {"b": 1.50, "a": [1e3, 10000000000000000001]} `))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(Canonical(v)), `{"a":[1e3,10000000000000000001],"b":1.50}`; got != want {
		t.Errorf("Canonical = %s, want %s", got, want)
	}
}

func TestFind(t *testing.T) {
	// A tree like the real one: <root>/repo/go.mod beside <root>/shared/specs/<name>.
	root := t.TempDir()
	name := "swaggertest-" + filepath.Base(root) + "/v1.json"
	spec := filepath.Join(root, "shared", "specs", filepath.FromSlash(name))
	sub := filepath.Join(root, "repo", "a", "b")
	for _, d := range []string{filepath.Dir(spec), sub} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "repo", "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// Absent: the error names where it looked (beside this repository, from this file).
	_, err := Find(name)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Find of an absent spec: %v, want fs.ErrNotExist", err)
	}
	wd, _ := os.Getwd()
	repo := filepath.Dir(filepath.Dir(wd)) // internal/swagger -> the repository
	if tried := filepath.Join(filepath.Dir(repo), "shared", "specs", filepath.FromSlash(name)); !strings.Contains(err.Error(), tried) {
		t.Errorf("Find error %q does not name %s", err, tried)
	}

	// Found from the working directory.
	t.Chdir(sub)
	if err := os.WriteFile(spec, []byte(`{"swagger": "2.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Find(name)
	if err != nil || got != spec {
		t.Errorf("Find = %q, %v, want %s", got, err, spec)
	}

	// A directory of that name is not the file.
	if err := os.Remove(spec); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(spec, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Find(name); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), spec) {
		t.Errorf("Find with a directory in place of the file: %v", err)
	}
}
