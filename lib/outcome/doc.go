// Package outcome turns what was said on a call into data a calling team
// acts on: the outcome fields a campaign defines (name, type, a
// description the assistant uses), how they reach Vapi on every call as
// transient structured outputs, how the values Vapi extracts are read back
// and typed, which result ("won", "opt-out"…) the campaign's rules give
// them, and when a callback the person asked for is due.
package outcome
