package phone

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, region, want string
	}{
		// US, every way people type it.
		{"(415) 555-2671", "", "+14155552671"},
		{"415-555-2671", "US", "+14155552671"},
		{"415.555.2671", "us", "+14155552671"},
		{"4155552671", "", "+14155552671"},
		{"1 415 555 2671", "", "+14155552671"},
		{"+1 (415) 555-2671", "", "+14155552671"},
		{"  415 555 2671  ", "", "+14155552671"},
		{"415\u00a0555\u00a02671", "", "+14155552671"},
		{"'+14155552671", "", "+14155552671"}, // our own export's guard
		{"011 44 7911 123456", "US", "+447911123456"},
		// International with "+" or "00", whatever the default region.
		{"+44 7911 123456", "", "+447911123456"},
		{"0044 7911 123456", "", "+447911123456"},
		{"+44 (0)20 7946 0958", "", "+442079460958"},
		{"+49 30 1234567", "US", "+49301234567"},
		{"0049 30/1234567", "US", "+49301234567"},
		{"+33 1 23 45 67 89", "", "+33123456789"},
		{"+91 98765 43210", "", "+919876543210"},
		// National formats in their own region.
		{"07911 123456", "GB", "+447911123456"},
		{"030 1234567", "DE", "+49301234567"},
		{"01 23 45 67 89", "FR", "+33123456789"},
		{"098765 43210", "IN", "+919876543210"},
		// Unambiguous international digits without "+".
		{"447911123456", "US", "+447911123456"},
		{"919876543210", "US", "+919876543210"},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.raw, tt.region)
		if err != nil || got != tt.want {
			t.Errorf("Normalize(%q, %q) = %q, %v; want %q", tt.raw, tt.region, got, err, tt.want)
		}
	}
}

func TestNormalizeInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, region, msg string
	}{
		{"12", "", `invalid phone number: "12"`},
		{"555-555-5555", "", `invalid phone number: "555-555-5555" (not a valid number for region US)`},
		{"+1 555 555 5555", "GB", `invalid phone number: "+1 555 555 5555" (not a valid number for region US)`},
		{"4930123456", "US", `invalid phone number: "4930123456" (not a valid number for region US)`},
		{"415.555.2671 x12", "", `invalid phone number: "415.555.2671 x12"`},
		{"4.15555E+09", "", `invalid phone number: "4.15555E+09"`},
		{"call me", "", `invalid phone number: "call me"`},
		{"+999 1234567", "", `invalid phone number: "+999 1234567"`},
		{"++14155552671", "", `invalid phone number: "++14155552671"`},
		{"1+4155552671", "", `invalid phone number: "1+4155552671"`},
		{"---", "", `invalid phone number: "---"`},
		{"1234567890123456789012345", "", `invalid phone number: "1234567890123456789012345"`},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.raw, tt.region)
		var inv *InvalidError
		if !errors.As(err, &inv) || !errors.Is(err, ErrInvalid) || err.Error() != tt.msg {
			t.Errorf("Normalize(%q, %q) = %q, %v; want error %s", tt.raw, tt.region, got, err, tt.msg)
		}
	}
}

func TestNormalizeEmptyAndRegion(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"", "   ", "\t"} {
		if _, err := Normalize(raw, ""); !errors.Is(err, ErrEmpty) {
			t.Errorf("Normalize(%q) error = %v, want ErrEmpty", raw, err)
		}
	}
	if _, err := Normalize("4155552671", "XX"); !errors.Is(err, ErrUnknownRegion) {
		t.Errorf("region XX: error = %v, want ErrUnknownRegion", err)
	}
	if err := CheckRegion("gb"); err != nil {
		t.Errorf("CheckRegion(gb) = %v", err)
	}
	if err := CheckRegion("Narnia"); !errors.Is(err, ErrUnknownRegion) {
		t.Errorf("CheckRegion(Narnia) = %v, want ErrUnknownRegion", err)
	}
}

func TestInvalidErrorShortensLongCells(t *testing.T) {
	t.Parallel()
	raw := strings.Repeat("9", 5000)
	_, err := Normalize(raw, "")
	if err == nil || len(err.Error()) > 2*maxRawLen+40 {
		t.Fatalf("error for a 5000-byte cell is %d bytes long", len(err.Error()))
	}
}

func TestTimeZones(t *testing.T) {
	t.Parallel()
	tests := []struct {
		e164 string
		want []string
	}{
		{"+14155552671", []string{"America/Los_Angeles"}},
		{"+12125550123", []string{"America/New_York"}},
		{"+49301234567", []string{"Europe/Berlin"}},
		{"+33123456789", []string{"Europe/Paris"}},
		{"not a number", nil},
		{"+80012345678", nil}, // international freephone: no zone
	}
	for _, tt := range tests {
		if got := TimeZones(tt.e164); !slices.Equal(got, tt.want) {
			t.Errorf("TimeZones(%q) = %q, want %q", tt.e164, got, tt.want)
		}
	}
	if got := TimeZones("+447911123456"); !slices.Contains(got, "Europe/London") {
		t.Errorf("TimeZones(UK mobile) = %q, want Europe/London among them", got)
	}
}

var e164 = regexp.MustCompile(`^\+[1-9]\d{6,14}$`)

// FuzzNormalize checks that no input panics and that every accepted number
// is E.164 and normalizes to itself.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"(415) 555-2671", "+44 7911 123456", "0049 30 1234567",
		"447911123456", "'+14155552671", "12", "", "+", "00", "+00", "١٢٣", "４１５５５５２６７１"} {
		f.Add(s, "US")
	}
	f.Add("030 1234567", "DE")
	f.Add("07911 123456", "gb")
	f.Fuzz(func(t *testing.T, raw, region string) {
		out, err := Normalize(raw, region)
		if err != nil {
			return
		}
		if !e164.MatchString(out) {
			t.Fatalf("Normalize(%q, %q) = %q, not E.164", raw, region, out)
		}
		if again, err := Normalize(out, region); again != out || err != nil {
			t.Fatalf("Normalize(%q) = %q, %v; want itself", out, again, err)
		}
	})
}
