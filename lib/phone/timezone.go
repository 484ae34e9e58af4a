package phone

import "github.com/nyaruka/phonenumbers"

// TimeZones returns the IANA time zones a number may ring in (several for a
// country or area code that spans zones), so calling hours can be checked
// against the callee's clock. It returns nil when the number does not parse
// or its zone is unknown.
func TimeZones(e164 string) []string {
	num, err := phonenumbers.Parse(e164, DefaultRegion)
	if err != nil {
		return nil
	}
	return zones(num)
}

// zones returns the known time zones of a parsed number.
func zones(num *phonenumbers.PhoneNumber) []string {
	all, err := phonenumbers.GetTimezonesForNumber(num)
	if err != nil {
		return nil
	}
	// Copy: the library hands out the slices of its shared table.
	var out []string
	for _, z := range all {
		if z != phonenumbers.UNKNOWN_TIMEZONE {
			out = append(out, z)
		}
	}
	return out
}
