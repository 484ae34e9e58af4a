// Package openapi checks JSON values against the schemas of Vapi's OpenAPI
// document (lib/vapi/testdata/vapi-openapi.json), so tests can prove that
// what we send Vapi, and what the simulator sends us, has Vapi's shapes.
//
// It implements the subset of JSON Schema the document uses: $ref, allOf,
// oneOf (at least one alternative must match), object properties (no
// others allowed) and required, arrays and their items, enums, string
// lengths (in UTF-16 units, as Vapi's JavaScript counts) and number
// ranges. formats are not checked. One quirk of the document is allowed:
// some scalars are typed "object" (BackoffPlan.type,
// excludedStatusCodes' items), so a scalar where "object" is written only
// has to be in the enum.
package openapi

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode/utf16"
)

// Spec is a loaded OpenAPI document.
type Spec struct {
	schemas map[string]map[string]any
}

// Load reads the document at path.
func Load(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read OpenAPI document: %w", err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("decode OpenAPI document: %w", err)
	}
	return &Spec{schemas: doc.Components.Schemas}, nil
}

// Schema returns the named schema (nil if there is none).
func (s *Spec) Schema(name string) map[string]any { return s.schemas[name] }

// Check validates value (decoded JSON: maps, slices, float64, string,
// bool, nil) against the named schema and lists every violation, each
// prefixed with its path from root.
func (s *Spec) Check(name string, value any, root string) []string {
	schema, ok := s.schemas[name]
	if !ok {
		return []string{"no schema " + name}
	}
	return s.check(schema, value, root)
}

// CheckJSON is Check for raw JSON.
func (s *Spec) CheckJSON(name string, raw []byte, root string) []string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return []string{root + ": not JSON: " + err.Error()}
	}
	return s.Check(name, v, root)
}

func (s *Spec) check(schema map[string]any, value any, path string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		return s.check(s.schemas[strings.TrimPrefix(ref, "#/components/schemas/")], value, path)
	}
	var errs []string
	for _, sub := range list(schema["allOf"]) {
		errs = append(errs, s.check(sub, value, path)...)
	}
	if alts := list(schema["oneOf"]); len(alts) > 0 && !slices.ContainsFunc(alts, func(a map[string]any) bool { return len(s.check(a, value, path)) == 0 }) {
		errs = append(errs, path+": matches no oneOf alternative")
	}
	switch value := value.(type) {
	case map[string]any:
		errs = append(errs, s.object(schema, value, path)...)
	case []any:
		errs = append(errs, s.array(schema, value, path)...)
	case string:
		errs = append(errs, scalar(schema, "string", value, path)...)
		if n, ok := schema["maxLength"].(float64); ok && len(utf16.Encode([]rune(value))) > int(n) {
			errs = append(errs, fmt.Sprintf("%s: longer than %v", path, n))
		}
		if n, ok := schema["minLength"].(float64); ok && len(utf16.Encode([]rune(value))) < int(n) {
			errs = append(errs, fmt.Sprintf("%s: shorter than %v", path, n))
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

func (s *Spec) object(schema map[string]any, obj map[string]any, path string) []string {
	if t, ok := schema["type"].(string); ok && t != "object" {
		return []string{path + ": object where " + t + " expected"}
	}
	var errs []string
	for _, k := range asSlice(schema["required"]) {
		if _, ok := obj[k.(string)]; !ok {
			errs = append(errs, fmt.Sprintf("%s: required property %s missing", path, k))
		}
	}
	props, ok := schema["properties"].(map[string]any)
	if !ok {
		return errs // a free-form object such as metadata or variableValues
	}
	for k, val := range obj {
		sub, ok := props[k].(map[string]any)
		if !ok {
			errs = append(errs, fmt.Sprintf("%s: property %s should not exist", path, k))
			continue
		}
		errs = append(errs, s.check(sub, val, path+"."+k)...)
	}
	return errs
}

func (s *Spec) array(schema map[string]any, arr []any, path string) []string {
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
			errs = append(errs, s.check(items, it, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return errs
}

func scalar(schema map[string]any, kind string, value any, path string) []string {
	if t, ok := schema["type"].(string); ok && t != kind && t != "object" && !(t == "integer" && kind == "number") {
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
