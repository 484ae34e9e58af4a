package vapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

// openAPIPath is Vapi's official OpenAPI document, vendored in testdata
// (from the VapiAI/docs repository); VAPI_OPENAPI overrides it.
func openAPIPath() string {
	if p := os.Getenv("VAPI_OPENAPI"); p != "" {
		return p
	}
	return "testdata/vapi-openapi.json"
}

// schemas loads components.schemas.
func schemas(t *testing.T) map[string]map[string]any {
	t.Helper()
	b, err := os.ReadFile(openAPIPath())
	if err != nil {
		t.Fatalf("read Vapi OpenAPI document: %v", err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("decode OpenAPI: %v", err)
	}
	return doc.Components.Schemas
}

// validator checks a JSON value against the OpenAPI schema subset Vapi's
// request DTOs use: $ref, allOf, oneOf, object properties (no others
// allowed: Vapi rejects unknown properties), arrays, enums, string lengths
// and number ranges.
type validator struct {
	schemas map[string]map[string]any
}

func (v validator) check(schema map[string]any, value any, path string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		return v.check(v.schemas[strings.TrimPrefix(ref, "#/components/schemas/")], value, path)
	}
	var errs []string
	for _, sub := range list(schema["allOf"]) {
		errs = append(errs, v.check(sub, value, path)...)
	}
	if alts := list(schema["oneOf"]); len(alts) > 0 && !slices.ContainsFunc(alts, func(s map[string]any) bool { return len(v.check(s, value, path)) == 0 }) {
		errs = append(errs, path+": matches no oneOf alternative")
	}
	switch value := value.(type) {
	case map[string]any:
		errs = append(errs, v.object(schema, value, path)...)
	case []any:
		errs = append(errs, v.array(schema, value, path)...)
	case string:
		errs = append(errs, scalar(schema, "string", value, path)...)
		if n, ok := schema["maxLength"].(float64); ok && len(utf16.Encode([]rune(value))) > int(n) {
			errs = append(errs, fmt.Sprintf("%s: longer than %v", path, n))
		}
	case float64:
		errs = append(errs, scalar(schema, "number", value, path)...)
		if n, ok := schema["minimum"].(float64); ok && value < n {
			errs = append(errs, fmt.Sprintf("%s: below %v", path, n))
		}
		if n, ok := schema["maximum"].(float64); ok && value > n {
			errs = append(errs, fmt.Sprintf("%s: above %v", path, n))
		}
	case bool:
		errs = append(errs, scalar(schema, "boolean", value, path)...)
	}
	return errs
}

func (v validator) object(schema map[string]any, obj map[string]any, path string) []string {
	if t, ok := schema["type"].(string); ok && t != "object" {
		return []string{path + ": object where " + t + " expected"}
	}
	props, ok := schema["properties"].(map[string]any)
	if !ok {
		return nil // a free-form object such as metadata or variableValues
	}
	var errs []string
	for k, val := range obj {
		sub, ok := props[k].(map[string]any)
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: property %s should not exist", path, k))
			continue
		}
		errs = append(errs, v.check(sub, val, path+"."+k)...)
	}
	return errs
}

func (v validator) array(schema map[string]any, arr []any, path string) []string {
	if t, ok := schema["type"].(string); ok && t != "array" {
		return []string{path + ": array where " + t + " expected"}
	}
	var errs []string
	items, _ := schema["items"].(map[string]any)
	enum, _ := schema["enum"].([]any) // Vapi puts item enums on the array
	for i, it := range arr {
		if enum != nil && !slices.Contains(enum, it) {
			errs = append(errs, fmt.Sprintf("%s[%d]: %v not in enum", path, i, it))
		}
		if items != nil {
			errs = append(errs, v.check(items, it, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return errs
}

func scalar(schema map[string]any, kind string, value any, path string) []string {
	if t, ok := schema["type"].(string); ok && t != kind {
		return []string{fmt.Sprintf("%s: %s where %s expected", path, kind, t)}
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, value) {
		return []string{fmt.Sprintf("%s: %v not in enum", path, value)}
	}
	return nil
}

func list(v any) []map[string]any {
	var out []map[string]any
	for _, x := range asSlice(v) {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

// TestCreateCallRequestMatchesOpenAPI captures the richest request
// CreateCall sends and checks every property against CreateCallDTO recursively.
func TestCreateCallRequestMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	v := validator{schemas: schemas(t)}
	var body []byte
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		answer(http.StatusCreated, callJSON)(w, r)
	})
	req := sampleRequest()
	req.Customer.Name = strings.Repeat("名", 60)
	if _, err := f.client(f.srv.URL, 0).CreateCall(context.Background(), req); err != nil {
		t.Fatalf("create call: %v", err)
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		t.Fatal(err)
	}
	if errs := v.check(v.schemas["CreateCallDTO"], value, "body"); len(errs) > 0 {
		t.Errorf("request %s violates CreateCallDTO:\n%s", body, strings.Join(errs, "\n"))
	}
	// The validator itself must catch what Vapi rejects.
	bad := map[string]any{
		"type":               "outboundPhoneCall",
		"customer":           map[string]any{"number": "+1", "nickname": "x"},
		"assistantOverrides": map[string]any{"server": map[string]any{"secret": "s", "timeoutSeconds": float64(500)}, "serverMessages": []any{"nope"}},
	}
	errs := v.check(v.schemas["CreateCallDTO"], bad, "body")
	for _, want := range []string{"property type", "property nickname", "property secret", "timeoutSeconds: above", "nope not in enum"} {
		if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, want) }) {
			t.Errorf("validator missed %q; got %v", want, errs)
		}
	}
}
