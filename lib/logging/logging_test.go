package logging

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestRedactsPII(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := New(&buf, slog.LevelInfo)
	log.Info("dial +1 (415) 555-0100 failed for jane@example.com",
		"name", "Jane Doe", "phone", "+14155550100", "err", "number +442071838750 rejected",
		"campaign", "c-1", "launched", 3)
	out := buf.String()
	for _, leak := range []string{"Jane", "4155550100", "555-0100", "jane@example.com", "2071838750"} {
		if strings.Contains(out, leak) {
			t.Errorf("log leaks %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, `"campaign":"c-1"`) || !strings.Contains(out, `"launched":3`) {
		t.Errorf("log lost non-PII attributes: %s", out)
	}
}

// Timestamps and UUIDs are not phone numbers.
func TestKeepsIDsAndTimes(t *testing.T) {
	t.Parallel()
	in := "call 0192f7a2-6c1e-7d33-9b7e-1f2a3b4c5d6e req afda1b12-3456-7890-bca0-123456789012 at 2026-11-25T10:00:00Z took 1234 ms"
	if got := Scrub(in); got != in {
		t.Errorf("Scrub(%q) = %q", in, got)
	}
}

// L10: an error or Stringer logged as a value (not its .Error() text) is
// scrubbed like a string.
func TestLowL10ErrorValuesAreScrubbed(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, slog.LevelInfo)
	log.Error("dial", "err", fmt.Errorf("vapi refused +14155550123 for ann@example.com"), "addr", stringer("call +14155550199"))
	out := buf.String()
	if strings.Contains(out, "4155550123") || strings.Contains(out, "ann@example.com") || strings.Contains(out, "4155550199") {
		t.Errorf("log leaks: %s", out)
	}
	if !strings.Contains(out, "vapi refused [phone] for [email]") {
		t.Errorf("log lost the error: %s", out)
	}
}

type stringer string

func (s stringer) String() string { return string(s) }
