package vapisim

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// stamp is the timestamp format Vapi uses in JSON.
const stamp = "2006-01-02T15:04:05.000Z"

func (s *Sim) createAssistant(w http.ResponseWriter, r *http.Request) {
	body, ok := decodeObject(w, r)
	if !ok {
		return
	}
	if msgs := validateAssistant(body); len(msgs) > 0 {
		writeError(w, http.StatusBadRequest, msgs)
		return
	}
	now := s.now().Format(stamp)
	body["id"] = uuid.Must(uuid.NewV7()).String()
	body["orgId"] = orgID
	body["createdAt"] = now
	body["updatedAt"] = now
	s.mu.Lock()
	s.assistants[body["id"].(string)] = body
	a := maps.Clone(body)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, a)
}

// validUUID answers 400 for a path id that is not a UUID, as NestJS's
// ParseUUIDPipe on Vapi's routes does (the OpenAPI document types every id
// parameter format: uuid; the message is the pipe's default, assumed).
func validUUID(w http.ResponseWriter, id string) bool {
	if err := uuid.Validate(id); err != nil || len(id) != 36 {
		writeError(w, http.StatusBadRequest, "Validation failed (uuid is expected)")
		return false
	}
	return true
}

// assistant returns a copy of assistant id, answering 400 for a malformed
// id and 404 when absent.
func (s *Sim) assistant(w http.ResponseWriter, id string) (map[string]any, bool) {
	if !validUUID(w, id) {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.assistants[id]
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("Couldn't Get Assistant. `id` %s Does Not Exist.", id))
		return nil, false
	}
	return maps.Clone(a), true
}

func (s *Sim) getAssistant(w http.ResponseWriter, r *http.Request) {
	if a, ok := s.assistant(w, r.PathValue("id")); ok {
		writeJSON(w, http.StatusOK, a)
	}
}

// updateAssistant applies a PATCH: top-level properties replace the stored
// ones.
func (s *Sim) updateAssistant(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, ok := s.assistant(w, id); !ok {
		return
	}
	body, ok := decodeObject(w, r)
	if !ok {
		return
	}
	if msgs := validateAssistant(body); len(msgs) > 0 {
		writeError(w, http.StatusBadRequest, msgs)
		return
	}
	s.mu.Lock()
	a, ok := s.assistants[id]
	if ok {
		maps.Copy(a, body)
		a["updatedAt"] = s.now().Format(stamp)
		a = maps.Clone(a)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Assistant was deleted")
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Sim) deleteAssistant(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a, ok := s.assistant(w, id)
	if !ok {
		return
	}
	s.mu.Lock()
	delete(s.assistants, id)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, a)
}

// listAssistants answers GET /assistant: a plain array, newest first,
// optionally only those created after createdAtGt.
func (s *Sim) listAssistants(w http.ResponseWriter, r *http.Request) {
	var after time.Time
	if v := r.URL.Query().Get("createdAtGt"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			writeError(w, http.StatusBadRequest, []string{"createdAtGt must be a valid ISO 8601 date string"})
			return
		}
		after = t
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1000 {
			writeError(w, http.StatusBadRequest, []string{"limit must not be greater than 1000"})
			return
		}
		limit = n
	}
	s.mu.Lock()
	list := make([]map[string]any, 0, len(s.assistants))
	for _, a := range s.assistants {
		if created, _ := time.Parse(stamp, a["createdAt"].(string)); created.After(after) {
			list = append(list, maps.Clone(a))
		}
	}
	s.mu.Unlock()
	// UUIDv7 ids sort by creation time.
	slices.SortFunc(list, func(a, b map[string]any) int {
		return strings.Compare(b["id"].(string), a["id"].(string))
	})
	writeJSON(w, http.StatusOK, list[:min(len(list), limit)])
}
