package httpapi

import (
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/problem"
)

// PathID reads a UUID path value; anything else names no such thing.
func PathID(r *http.Request, name, thing string) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue(name))
	if err != nil {
		return uuid.Nil, problem.New(problem.NotFound, thing+" not found")
	}
	return id, nil
}
func PositiveInt(v, field string, max int, dst *int) error {
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return problem.New(problem.Invalid, field+" must be an integer from 1 to "+strconv.Itoa(max), "field", field)
	}
	*dst = n
	return nil
}
