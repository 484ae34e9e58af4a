// Package amount checks the amounts in USD a client sets: spend limits and
// spend alert thresholds.
package amount

import (
	"math"

	"github.com/autolynx/autolynx/lib/problem"
)

// MaxUSD bounds every amount a client sets: far above any real campaign's
// spend, far inside numeric(12, 2).
const MaxUSD = 1_000_000

// USD refuses, naming field, anything but a finite amount from one cent
// to MaxUSD. NaN matters most: it passes every comparison a limit is
// checked with (NaN <= 0 is false), Postgres stores it in a numeric
// column, and NaN > 0 is true there, so a NaN limit would never fire.
func USD(field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0.01 || v > MaxUSD {
		return problem.New(problem.Invalid, field+" must be an amount in USD from 0.01 to 1000000", "field", field)
	}
	return nil
}
