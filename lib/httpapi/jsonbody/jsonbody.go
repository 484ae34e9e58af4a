// Package jsonbody reads a request's JSON body into a struct and checks it
// with the struct's validate tags (go-playground/validator), answering
// every mistake as a 400 that names the field. Only functions that take
// JSON bodies link it (and the validator, which compiles its patterns when
// its package starts).
package jsonbody

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/autolynx/autolynx/lib/problem"
)

// validate checks request bodies against their `validate` tags, naming
// fields as the client wrote them (their JSON names).
var validate = func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	return v
}()

// checkBody turns the first validation failure into a 400 naming the
// field; bodies without tags pass.
func checkBody(v any) error {
	err := validate.Struct(v)
	var fails validator.ValidationErrors
	if !errors.As(err, &fails) || len(fails) == 0 {
		return nil
	}
	f := fails[0]
	var msg string
	switch f.Tag() {
	case "required":
		msg = f.Field() + " is required"
	case "email":
		msg = f.Field() + " must be an email address"
	case "oneof":
		msg = fmt.Sprintf("%s must be one of: %s", f.Field(), strings.ReplaceAll(f.Param(), " ", ", "))
	case "max":
		msg = fmt.Sprintf("%s must be at most %s characters", f.Field(), f.Param())
	default:
		msg = fmt.Sprintf("%s is invalid (%s)", f.Field(), f.Tag())
	}
	return problem.New(problem.Invalid, msg, "field", f.Field())
}

// Decode reads one JSON object from the body (which the route bounds),
// refusing unknown fields, so a typo in a script is an error rather than a
// silent default.
func Decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return problem.New(problem.UnsupportedMediaType, "expected Content-Type application/json")
		}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *problem.Error
		var wrongType *json.UnmarshalTypeError
		switch {
		case errors.As(err, &wrongType) && wrongType.Field != "":
			return problem.New(problem.Invalid, wrongType.Field+" must be "+jsonKind(wrongType.Type), "field", wrongType.Field)
		case errors.As(err, &tooBig):
			return tooBig
		case errors.Is(err, io.EOF):
			return problem.New(problem.Invalid, "request body is empty")
		default:
			return problem.Wrap(problem.Invalid, err, "invalid JSON body: "+err.Error())
		}
	}
	if dec.More() {
		return problem.New(problem.Invalid, "request body must hold one JSON object")
	}
	if reflect.ValueOf(v).Elem().Kind() == reflect.Struct {
		return checkBody(v)
	}
	return nil
}

// jsonKind names what a Go type accepts from JSON, for error messages.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		if t.Kind() == reflect.Slice {
			return "a list, each item " + jsonKind(t.Elem())
		}
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	}
	return "of another type"
}
