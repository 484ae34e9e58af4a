package csvimport

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// yield is one Next: a row, a skip or the error that ended the file.
type yield struct {
	Row  Row
	Skip *Skip
	Err  string
}

// drain reads next to its first error (at most limit times).
func drain(t *testing.T, next func() (Row, *Skip, error), limit int) []yield {
	t.Helper()
	var out []yield
	for range limit {
		row, skip, err := next()
		if err != nil {
			return append(out, yield{Err: err.Error()})
		}
		out = append(out, yield{Row: row, Skip: skip})
	}
	t.Fatalf("more than %d rows", limit)
	return nil
}

// sameAsNext checks that a Stream of data yields exactly what Next does,
// in the same order, ending with the same error.
func sameAsNext(t *testing.T, data []byte, opts Options, workers int) {
	t.Helper()
	rd, err := NewReader(bytes.NewReader(data), opts)
	if err != nil {
		return
	}
	want := drain(t, rd.Next, len(data)+2)
	rd, err = NewReader(bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("second read: %v", err)
	}
	s := rd.Stream(workers)
	defer s.Close()
	got := drain(t, s.Next, len(data)+2)
	if !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("yield %d of %d: stream %+v, Next %+v", i, len(want), got[i], want[i])
			}
		}
		t.Fatalf("stream yields %d, Next %d", len(got), len(want))
	}
}

// manyRows is a file of n rows spanning many batches, with bad numbers,
// blank lines and a zone column, optionally ending in a quote that never
// closes.
func manyRows(n int, unclosed bool) []byte {
	var b strings.Builder
	b.WriteString("name,business_name,phone,time_zone,note\n")
	for i := range n {
		switch {
		case i%97 == 0:
			fmt.Fprintf(&b, "Bad %d,B,12%d,,\n", i, i)
		case i%89 == 0:
			b.WriteString("\n")
		case i%83 == 0:
			fmt.Fprintf(&b, "Zoned %d,B,+1 212 %03d %04d,Mars/Olympus,x\n", i, 200+i/10000, i%10000)
		default:
			fmt.Fprintf(&b, "\"Person, %d\",Business %d,+1 212 %03d %04d,America/New_York,\"n\n%d\"\n", i, i, 200+i/10000, i%10000, i)
		}
	}
	if unclosed {
		b.WriteString("Last,B,\"+12125550199\n")
	}
	return []byte(b.String())
}

func TestStreamYieldsWhatNextDoes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		data    []byte
		opts    Options
		workers int
	}{
		{"many batches", manyRows(5*batchRows+7, false), Options{}, 3},
		{"one worker", manyRows(2*batchRows, false), Options{}, 1},
		{"unclosed quote after many batches", manyRows(3*batchRows, true), Options{}, 2},
		{"headerless chunk", []byte("4155552671,Ann,Acme\n12,Bob,B\n2125550123,Cy,C\n"),
			Options{Columns: []string{"phone", "name", "business_name"}}, 2},
		{"header only", []byte("name,business_name,phone\n"), Options{}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sameAsNext(t, tc.data, tc.opts, tc.workers)
		})
	}
}

// A stream closed half way ends its goroutines rather than blocking them
// on a batch nobody takes.
func TestStreamCloseEndsItsGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	rd, err := NewReader(bytes.NewReader(manyRows(20*batchRows, false)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := rd.Stream(4)
	for range batchRows + 1 {
		if _, _, err := s.Next(); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s.Close() // twice is fine
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines left running after Close (%d before)", n-before, n)
	}
}

// The file's error ends a stream as it ends Next, and stays.
func TestStreamErrorStays(t *testing.T) {
	t.Parallel()
	rd, err := NewReader(bytes.NewReader(manyRows(batchRows, true)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := rd.Stream(2)
	defer s.Close()
	var first error
	for range 2 * batchRows {
		if _, _, first = s.Next(); first != nil {
			break
		}
	}
	var pe *ParseError
	if !errors.As(first, &pe) {
		t.Fatalf("stream ended with %v, want a *ParseError", first)
	}
	if _, _, again := s.Next(); again != first {
		t.Fatalf("next after the error: %v, want %v again", again, first)
	}
}
