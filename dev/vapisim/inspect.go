package vapisim

import (
	"encoding/json"
	"sort"

	"github.com/autolynx/autolynx/lib/vapi"
)

// Calls returns a snapshot of every placed call (refused ones excluded),
// oldest first: the provider's truth tests compare our records with.
func (s *Sim) Calls() []vapi.Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]vapi.Call, 0, len(s.calls))
	for _, c := range s.calls {
		if c.plan.refused != "" {
			continue
		}
		// Read as AutoLynx reads Vapi's answers, from the wire format.
		var v vapi.Call
		b, _ := json.Marshal(c.snapshot())
		_ = json.Unmarshal(b, &v)
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out
}

// PutAssistant registers an assistant under a given id, as if it had been
// created earlier: the local runner re-seeds its directory's assistants
// into a fresh simulator so campaigns survive a restart.
func (s *Sim) PutAssistant(id string, config map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg := map[string]any{}
	for k, v := range config {
		cfg[k] = v
	}
	cfg["id"] = id
	s.assistants[id] = cfg
}
