package vapisim

import (
	"time"

	"github.com/autolynx/autolynx/lib/vapi"
)

// play walks a call through its statuses, emitting a server message at each
// step. It stops early when the simulator closes.
func (s *Sim) play(c *call, p plan, out chan<- vapi.Message) {
	defer close(out)
	defer s.count(func(st *Stats) { st.Running-- })
	if !s.wait(p.queued) {
		return
	}
	if p.rings() {
		s.emit(out, s.statusUpdate(s.transition(c, "ringing"), ""))
		if !s.wait(p.ringing) {
			return
		}
	}
	if p.talks() {
		s.emit(out, s.statusUpdate(s.transition(c, "in-progress"), ""))
		if !s.wait(p.talk) {
			return
		}
	}
	ended := s.end(c, p)
	s.emit(out, s.statusUpdate(ended, p.reason))
	if !s.wait(p.post) {
		return
	}
	s.emit(out, s.report(ended, p))
}

// wait sleeps simulated seconds scaled to real time.
func (s *Sim) wait(simSeconds float64) bool {
	return s.pause(s.ctx, time.Duration(simSeconds*s.cfg.Scale*float64(time.Second)))
}

// transition moves c to status and returns the updated call.
func (s *Sim) transition(c *call, status string) vapi.Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	c.v.Status, c.v.UpdatedAt = status, now
	if status == "in-progress" {
		c.v.StartedAt = now
	}
	return c.snapshot()
}

// end finishes c with its outcome and frees its concurrency slot.
func (s *Sim) end(c *call, p plan) vapi.Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	c.v.Status, c.v.EndedReason, c.v.UpdatedAt, c.v.EndedAt = "ended", p.reason, now, now
	c.v.Cost, c.v.Costs = p.costs()
	c.v.Artifact = p.artifact(c, c.v.StartedAt)
	c.v.Analysis = p.analysis()
	if p.refused == "" {
		s.stats.Live--
	}
	return c.snapshot()
}

// emit queues a message for delivery; the channel is sized for a whole
// lifecycle, so this never blocks.
func (s *Sim) emit(out chan<- vapi.Message, m vapi.Message) {
	s.count(func(st *Stats) { st.PendingWebhooks++ })
	out <- m
}

func (s *Sim) statusUpdate(c vapi.Call, endedReason string) vapi.Message {
	return vapi.Message{
		Type: vapi.MessageStatusUpdate, Timestamp: float64(s.now().UnixMilli()),
		Status: c.Status, EndedReason: endedReason, Call: &c, Customer: c.Customer,
	}
}

func (s *Sim) report(c vapi.Call, p plan) vapi.Message {
	return vapi.Message{
		Type: vapi.MessageEndOfCallReport, Timestamp: float64(s.now().UnixMilli()),
		EndedReason: c.EndedReason, Call: &c, Customer: c.Customer,
		Cost: c.Cost, Costs: c.Costs, StartedAt: c.StartedAt, EndedAt: c.EndedAt,
		DurationSeconds: round(p.talk, 3), Artifact: c.Artifact, Analysis: c.Analysis,
	}
}
