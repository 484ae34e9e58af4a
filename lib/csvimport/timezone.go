package csvimport

import (
	"fmt"
	"time"

	// A contact's zone is checked the same on every machine, whatever
	// zone files the host has.
	_ "time/tzdata"
)

const kindZone = "invalid time zone"

// timeZone checks a time zone cell: an IANA zone name ("America/Chicago"),
// or empty for none.
func timeZone(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if v != "Local" && len(v) <= 64 {
		if loc, err := time.LoadLocation(v); err == nil {
			return loc.String(), nil
		}
	}
	return "", fmt.Errorf("%s %q: use an IANA zone name such as America/New_York", kindZone, v)
}
