package webhook

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/vapi"
)

// FuzzDecodeReadsAsVapiMessage: a body that decodes strictly into the
// receiver's message says what it says as a vapi.Message (decoded
// leniently, as every body used to be): the same type, news and ids, and
// no needed member dropped.
func FuzzDecodeReadsAsVapiMessage(f *testing.F) {
	call := `{"id":"prov-1","assistantOverrides":{"metadata":{"autolynxCallId":"9b2d7c3e-1111-4222-8333-944455556666"}}}`
	for _, s := range []string{
		`{"message":{"type":"status-update","status":"queued","call":` + call + `}}`,
		`{"message":{"type":"status-update","status":"ended","endedReason":"customer-busy","timestamp":1764064800000,"call":` + call + `}}`,
		`{"message":{"type":"end-of-call-report","endedReason":"customer-ended-call","cost":0.1234,"costs":[{"type":"model","cost":0.1}],
		  "startedAt":"2026-11-25T10:00:00Z","endedAt":"2026-11-25T10:01:30Z","durationSeconds":90,"recordingUrl":"https://rec.example/0.wav",
		  "artifact":{"transcript":"AI: Hi","recordingUrl":"https://rec.example/1.wav","recording":{"mono":{"combinedUrl":"https://rec.example/m.wav"}},
		    "messages":[{"role":"bot","message":"Hi"}],"structuredOutputs":{"0a":{"name":"optOut","result":true}}},
		  "analysis":{"summary":"Greeted.","successEvaluation":true,"structuredData":{"dnc":false}},"call":` + call + `}}`,
		`{"message":{"type":"end-of-call-report","cost":"0.1","timestamp":"soon","customer":{"number":5},"call":{"id":"x","createdAt":"yesterday"}}}`,
		`{"message":{"type":"status-update","status":{"value":"in-progress"},"call":{"id":7}}}`,
		`{"message":{"type":"status-update","call":{"id":"x","assistantOverrides":{"metadata":[1],"server":{"headers":{"X":3}}}}}}`,
		`{"message":{"type":"status-update","call":{"id":"x","assistantOverrides":5}}}`,
		`{"message":{"type":"tool-calls","analysis":{"successEvaluation":{"score":7}},"artifact":"none","call":null}}`,
		`{"message":{"type":"status-update","status":"queued","Status":"ringing","timestamp":"x"}}`,
		`{"message":{"type":7}}`,
		`{"message":null}`,
		`{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var env struct {
			Message message `json:"message"`
		}
		if json.Unmarshal(body, &env) != nil || repeatsAName(body) {
			return
		}
		strict := env.Message
		var full vapi.ServerMessage
		if err := json.Unmarshal(body, &full); err != nil {
			t.Fatalf("decodes strictly but not as a vapi.ServerMessage: %v", err)
		}
		lenient := fromMessage(&full.Message)
		if strict.Type != lenient.Type || !reflect.DeepEqual(strict.News, lenient.News) {
			t.Fatalf("strictly %+v, as a vapi.Message %+v", strict, lenient)
		}
		if (strict.Call == nil) != (lenient.Call == nil) ||
			strict.Call != nil && (strict.Call.ID != lenient.Call.ID || strict.Call.ours() != lenient.Call.ours()) {
			t.Fatalf("strictly call %+v, as a vapi.Message %+v", strict.Call, lenient.Call)
		}
		if m := callstate.Mistyped(lenient.Dropped); len(m) > 0 {
			t.Fatalf("decodes strictly but as a vapi.Message drops %v", m)
		}
	})
}

// repeatsAName reports whether an object in the JSON text b names a member
// twice (in any case, as encoding/json matches names). Such a body may be
// read differently by the two: a strict decoding takes the twins in turn
// (merging objects), while vapi's lenient one, on a body it cannot decode
// strictly, keeps only the last of them and takes the rest in sorted
// order. Vapi sends no such body.
func repeatsAName(b []byte) bool {
	type frame struct {
		object   bool
		wantName bool
		names    []string
	}
	var open []*frame
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if tok == json.Delim('}') || tok == json.Delim(']') {
			open = open[:len(open)-1]
			continue
		}
		if n := len(open); n > 0 && open[n-1].object {
			top := open[n-1]
			if top.wantName {
				name := tok.(string)
				if slices.ContainsFunc(top.names, func(s string) bool { return strings.EqualFold(s, name) }) {
					return true
				}
				top.names, top.wantName = append(top.names, name), false
				continue
			}
			top.wantName = true // a value: a name comes next
		}
		if d, ok := tok.(json.Delim); ok {
			open = append(open, &frame{object: d == '{', wantName: true})
		}
	}
}
