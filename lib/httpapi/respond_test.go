package httpapi_test

import (
	"net/http/httptest"
	"testing"

	"github.com/autolynx/autolynx/lib/httpapi"
)

// TestWriteAnswerLeavesTheAnswerAlone: an answer encoded once and shared
// by every request (a package-level value) must not be written into when
// the newline is appended, or concurrent requests race on its spare
// capacity.
func TestWriteAnswerLeavesTheAnswerAlone(t *testing.T) {
	t.Parallel()
	shared := make([]byte, 2, 3)
	copy(shared, "{}")
	shared[:3][2] = 'x'
	rec := httptest.NewRecorder()
	if err := httpapi.WriteAnswer(rec, 200, shared, nil); err != nil {
		t.Fatal(err)
	}
	if rec.Body.String() != "{}\n" {
		t.Errorf("answer %q", rec.Body.String())
	}
	if shared[:3][2] != 'x' {
		t.Errorf("WriteAnswer wrote %q into the answer's spare capacity", shared[:3][2])
	}
}
