package webhook

import (
	"encoding/json"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/vapi"
)

// message is the part of a vapi.Message the receiver reads: its type,
// its news, and of the call Vapi echoes only the ids. The rest of that
// call (its assistant's configuration, often most of the body) is
// skipped rather than decoded.
type message struct {
	Type string   `json:"type"`
	Call *callIDs `json:"call"`
	vapi.News
	// Dropped is vapi.Message.Dropped: only a message that did not
	// decode strictly has any (see decode).
	Dropped []string `json:"-"`
}

// callIDs is the part of a vapi.Call that names it: Vapi's id, and ours
// in its metadata.
type callIDs struct {
	ID                 string     `json:"id"`
	AssistantOverrides *overrides `json:"assistantOverrides"`
}

type overrides struct {
	Metadata map[string]any `json:"metadata"`
}

// ours is our id for the call, uuid.Nil if absent.
func (c *callIDs) ours() uuid.UUID {
	if c.AssistantOverrides == nil {
		return uuid.Nil
	}
	return callstate.CallIDIn(c.AssistantOverrides.Metadata)
}

// decode reads the server message in body. Nearly every one decodes
// strictly into message, in one pass; one with a member of an unexpected
// type anywhere is decoded as a vapi.ServerMessage instead, whose types
// drop such members where they are (naming them in Dropped) and keep the
// rest. Either way the same members are read alike.
func decode(body []byte) (message, error) {
	var env struct {
		Message message `json:"message"`
	}
	if json.Unmarshal(body, &env) == nil {
		return env.Message, nil
	}
	var full vapi.ServerMessage
	if err := json.Unmarshal(body, &full); err != nil {
		return message{}, err
	}
	return fromMessage(&full.Message), nil
}

// fromMessage is the receiver's part of m.
func fromMessage(m *vapi.Message) message {
	out := message{Type: m.Type, News: m.News, Dropped: m.Dropped}
	if c := m.Call; c != nil {
		out.Call = &callIDs{ID: c.ID}
		if o := c.AssistantOverrides; o != nil {
			out.Call.AssistantOverrides = &overrides{Metadata: o.Metadata}
		}
	}
	return out
}
