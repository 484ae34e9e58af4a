package phone

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// DefaultRegion is the region a number without a country code is read in
// when the caller does not name one.
const DefaultRegion = "US"

// maxRawLen bounds the cell we try to read: no real number, even with
// separators, is longer, and it keeps error messages short.
const maxRawLen = 64

// minIntlDigits is the shortest digit string we retry as international when
// it is not valid in the default region: shorter ones are more likely a
// mistyped local number than a foreign one, and dialing abroad by guess costs.
const minIntlDigits = 11

var (
	// ErrEmpty reports a blank phone cell.
	ErrEmpty = errors.New("phone is empty")
	// ErrInvalid is matched (errors.Is) by every *InvalidError.
	ErrInvalid = errors.New("invalid phone number")
	// ErrUnknownRegion reports a default region that is not an ISO 3166
	// region code known to the phone-number metadata.
	ErrUnknownRegion = errors.New("unknown phone region")
)

// InvalidError reports a cell that is not a dialable number. Its message is
// meant for the operator's import report, so it quotes the cell (shortened
// when long) and, when it helps, says why.
type InvalidError struct {
	Raw    string // the cell as given
	Detail string // optional, e.g. "not a valid number for region US"
}

// Error reads like `invalid phone number: "12"`.
func (e *InvalidError) Error() string {
	raw := e.Raw
	if len(raw) > maxRawLen {
		raw = strings.ToValidUTF8(raw[:maxRawLen], "") + "…"
	}
	if e.Detail == "" {
		return fmt.Sprintf("%v: %q", ErrInvalid, raw)
	}
	return fmt.Sprintf("%v: %q (%s)", ErrInvalid, raw, e.Detail)
}

// Unwrap lets callers match any invalid number with errors.Is(err, ErrInvalid).
func (e *InvalidError) Unwrap() error { return ErrInvalid }

// CheckRegion reports whether region (e.g. "US", "gb"; empty means
// DefaultRegion) can be used as a default region, so a misconfiguration
// fails once instead of on every row.
func CheckRegion(region string) error {
	_, err := canonicalRegion(region)
	return err
}

// Number is a valid number as read once: its E.164 form and the IANA time
// zones it may ring in (nil when unknown).
type Number struct {
	E164  string
	Zones []string
}

// Normalize returns raw as an E.164 number ("+14155552671"). It accepts the
// separators people type (spaces, dashes, dots, slashes, parentheses), a
// leading "+" or "00", and the "'" a spreadsheet export puts before a "+".
// A number without a country code is read in defaultRegion; when it is not
// valid there but is a valid international number once a "+" is added
// (e.g. "447911123456" with region US), that reading wins.
func Normalize(raw, defaultRegion string) (string, error) {
	num, err := read(raw, defaultRegion)
	if err != nil {
		return "", err
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// Read is Normalize that also returns the number's time zones, from the
// same parse (an import reads each number once).
func Read(raw, defaultRegion string) (Number, error) {
	num, err := read(raw, defaultRegion)
	if err != nil {
		return Number{}, err
	}
	return Number{E164: phonenumbers.Format(num, phonenumbers.E164), Zones: zones(num)}, nil
}

func read(raw, defaultRegion string) (*phonenumbers.PhoneNumber, error) {
	region, err := canonicalRegion(defaultRegion)
	if err != nil {
		return nil, err
	}
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, ErrEmpty
	}
	digits, plus, ok := clean(s)
	if !ok {
		return nil, &InvalidError{Raw: raw}
	}
	if !plus && strings.HasPrefix(digits, "00") {
		digits, plus = digits[2:], true
	}
	if plus {
		return parse("+"+digits, region, raw)
	}
	num, err := parse(digits, region, raw)
	if err != nil && len(digits) >= minIntlDigits {
		if intl, intlErr := parse("+"+digits, region, raw); intlErr == nil {
			return intl, nil
		}
	}
	return num, err
}

// canonicalRegion upper-cases region and checks the metadata knows it.
func canonicalRegion(region string) (string, error) {
	if region == "" {
		return DefaultRegion, nil
	}
	region = strings.ToUpper(region)
	if phonenumbers.GetCountryCodeForRegion(region) == 0 {
		return "", fmt.Errorf("%w: %q", ErrUnknownRegion, region)
	}
	return region, nil
}

// clean keeps the ASCII digits of s and whether it starts with "+". It
// refuses anything that is not a digit or a separator (letters, "#", "*",
// extensions, a spreadsheet's "4.15E+10"), because guessing there dials the
// wrong person.
func clean(s string) (digits string, plus, ok bool) {
	s = strings.TrimPrefix(s, "'")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0 && !plus:
			plus = true
		case r == '-' || r == '.' || r == '/' || r == '(' || r == ')' || unicode.IsSpace(r):
		default:
			return "", false, false
		}
	}
	return b.String(), plus, b.Len() > 0
}

// parse reads s in region and returns it when it is a valid number.
func parse(s, region, raw string) (*phonenumbers.PhoneNumber, error) {
	num, err := phonenumbers.Parse(s, region)
	if err != nil {
		return nil, &InvalidError{Raw: raw}
	}
	if phonenumbers.IsValidNumber(num) {
		return num, nil
	}
	return nil, &InvalidError{Raw: raw, Detail: invalidDetail(num, s, region)}
}

// invalidDetail explains a parsed number that is not valid. A wrong length
// needs no explanation beyond the quoted cell; a right-length number that
// does not exist in the region does, since the fix is often a country code.
func invalidDetail(num *phonenumbers.PhoneNumber, s, region string) string {
	if !phonenumbers.IsPossibleNumber(num) {
		return ""
	}
	if strings.HasPrefix(s, "+") {
		region = phonenumbers.GetRegionCodeForCountryCode(int(num.GetCountryCode()))
		if region == "ZZ" || region == "001" {
			return "not a valid number"
		}
	}
	return "not a valid number for region " + region
}
