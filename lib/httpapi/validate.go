package httpapi

import (
	"errors"
	"fmt"
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
