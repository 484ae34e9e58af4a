package vapi

import (
	"encoding/json"
	"fmt"
	"slices"
)

// DecodeLenient decodes the JSON object b into p. Vapi echoes whole
// configurations back (a call's assistantOverrides, its assistant, calls
// placed by other tools), so a member of an unexpected type must not cost
// the rest: when the strict decoding fails, each member that does not
// decode on its own is dropped, unless it is one of required (what the
// caller cannot do without). Nested types that decode leniently
// themselves keep what they can of a member.
func DecodeLenient[P any](b []byte, p *P, required ...string) error {
	_, err := DecodeLenientDropped(b, p, required...)
	return err
}

// DecodeLenientDropped is DecodeLenient, also naming the members it
// dropped (sorted), for a caller that must tell when one it needs went.
func DecodeLenientDropped[P any](b []byte, p *P, required ...string) ([]string, error) {
	if err := json.Unmarshal(b, p); err == nil {
		return nil, nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		return nil, err
	}
	var dropped []string
	for k, v := range members {
		one, _ := json.Marshal(map[string]json.RawMessage{k: v})
		var probe P
		if err := json.Unmarshal(one, &probe); err != nil {
			if slices.Contains(required, k) {
				return nil, fmt.Errorf("decode %s: %w", k, err)
			}
			delete(members, k)
			dropped = append(dropped, k)
		}
	}
	slices.Sort(dropped)
	clean, _ := json.Marshal(members)
	var zero P
	*p = zero
	return dropped, json.Unmarshal(clean, p)
}

// The types Vapi echoes decode leniently; only a call's id is required.

type (
	plainCall      Call
	plainOverrides AssistantOverrides
	plainServer    Server
	plainCustomer  Customer
	plainArtifact  Artifact
	plainAnalysis  Analysis
	plainMessage   Message
	plainLimits    SubscriptionLimits
)

// UnmarshalJSON decodes a Call leniently; its id must be a string. The
// members dropped are noted in Dropped.
func (c *Call) UnmarshalJSON(b []byte) error {
	dropped, err := DecodeLenientDropped(b, (*plainCall)(c), "id")
	c.Dropped = dropped
	return err
}

// UnmarshalJSON decodes AssistantOverrides leniently.
func (o *AssistantOverrides) UnmarshalJSON(b []byte) error {
	return DecodeLenient(b, (*plainOverrides)(o))
}

// UnmarshalJSON decodes a Server leniently.
func (s *Server) UnmarshalJSON(b []byte) error { return DecodeLenient(b, (*plainServer)(s)) }

// UnmarshalJSON decodes a Customer leniently.
func (c *Customer) UnmarshalJSON(b []byte) error { return DecodeLenient(b, (*plainCustomer)(c)) }

// UnmarshalJSON decodes an Artifact leniently.
func (a *Artifact) UnmarshalJSON(b []byte) error { return DecodeLenient(b, (*plainArtifact)(a)) }

// UnmarshalJSON decodes an Analysis leniently.
func (a *Analysis) UnmarshalJSON(b []byte) error { return DecodeLenient(b, (*plainAnalysis)(a)) }

// UnmarshalJSON decodes a Message leniently; its type must be a string.
// The members dropped are noted in Dropped.
func (m *Message) UnmarshalJSON(b []byte) error {
	dropped, err := DecodeLenientDropped(b, (*plainMessage)(m), "type")
	m.Dropped = dropped
	return err
}

// UnmarshalJSON decodes SubscriptionLimits leniently.
func (l *SubscriptionLimits) UnmarshalJSON(b []byte) error {
	return DecodeLenient(b, (*plainLimits)(l))
}
