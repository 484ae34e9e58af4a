package vapisim

import "time"

// play walks a call through its statuses, emitting a server message at each
// step. It stops early when the simulator closes.
func (s *Sim) play(c *call, p plan, out chan<- outbound) {
	defer close(out)
	defer s.count(func(st *Stats) { st.Running-- })
	if !s.wait(p.queued) {
		return
	}
	if p.rings() {
		s.emit(c, out, typeStatusUpdate, s.statusUpdate(s.transition(c, "ringing"), ""))
		if !s.wait(p.ringing) {
			return
		}
	}
	if p.talks() {
		live := s.transition(c, "in-progress")
		s.emit(c, out, typeStatusUpdate, s.statusUpdate(live, ""))
		s.emit(c, out, typeConversationUpdate, s.conversationUpdate(c, live))
		if !s.wait(p.talk) {
			return
		}
	}
	// Assumption: a report's message.call is the snapshot taken when the
	// call ended, before the analysis ran (no cost, artifact or analysis
	// on it), so readers must take those from the report itself.
	atEnd := s.transition(c, "ended")
	s.emit(c, out, typeStatusUpdate, s.statusUpdate(atEnd, p.reason))
	if !s.wait(p.post) {
		return
	}
	s.emit(c, out, typeReport, s.report(s.end(c, p), atEnd, p))
}

// wait sleeps simulated seconds scaled to real time.
func (s *Sim) wait(simSeconds float64) bool {
	return s.pause(s.ctx, time.Duration(simSeconds*s.cfg.Scale*float64(time.Second)))
}

// transition moves c to status and returns the updated call. Ending frees
// the call's concurrency slot.
func (s *Sim) transition(c *call, status string) apiCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	c.v.Status, c.v.UpdatedAt = status, now
	switch status {
	case "in-progress":
		c.v.StartedAt = now
	case "ended":
		c.v.EndedAt, c.v.EndedReason = now, c.plan.reason
		if c.plan.refused == "" {
			s.stats.Live--
		}
	}
	return c.snapshot()
}

// end completes c with its cost, artifact and analysis.
func (s *Sim) end(c *call, p plan) apiCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	cost, costs, breakdown := p.costs()
	c.v.Cost, c.v.Costs, c.v.CostBreakdown, c.v.UpdatedAt = &cost, costs, breakdown, s.now()
	c.v.Artifact = p.artifact(c, c.v.StartedAt, s.url, []byte(s.cfg.APIKey), c.v.EndedAt.Add(presignedTTL))
	s.answerOutputs(c, p)
	c.v.Analysis = p.analysis()
	return c.snapshot()
}

// emit queues a message for delivery if the call's server subscribes to
// its type; the channel is sized for a whole lifecycle, so this never
// blocks.
func (s *Sim) emit(c *call, out chan<- outbound, typ string, body any) {
	if !c.subscribes(typ) {
		return
	}
	s.count(func(st *Stats) { st.PendingWebhooks++; st.Sent[typ]++ })
	out <- outbound{typ: typ, body: serverMessage{Message: body}}
}

// conversationUpdate is the conversation so far as the call goes live:
// the assistant's first message.
func (s *Sim) conversationUpdate(c *call, live apiCall) conversationUpdate {
	first := c.firstMessage
	if first == "" {
		first = "Hello"
	}
	return conversationUpdate{Type: typeConversationUpdate, Timestamp: float64(s.now().UnixMilli()),
		MessagesOpenAIFormatted: []openAIMessage{{Role: "assistant", Content: first}}, Call: live}
}

func (s *Sim) statusUpdate(c apiCall, endedReason string) statusUpdate {
	return statusUpdate{
		Type: typeStatusUpdate, Timestamp: float64(s.now().UnixMilli()),
		Status: c.Status, EndedReason: endedReason, Call: c, Customer: c.Customer,
	}
}

func (s *Sim) report(c, atEnd apiCall, p plan) endOfCallReport {
	return endOfCallReport{
		Type: typeReport, Timestamp: float64(s.now().UnixMilli()),
		EndedReason: c.EndedReason, Call: atEnd, Customer: c.Customer,
		Cost: *c.Cost, Costs: c.Costs, StartedAt: c.StartedAt, EndedAt: c.EndedAt,
		DurationSeconds: round(p.talk, 3), Artifact: *c.Artifact, Analysis: *c.Analysis,
	}
}
