// Package testcall places one call of a campaign's assistant, with a
// chosen contact's variables, to a number the operator types, so the
// assistant can be heard before the campaign dials anyone. Test calls
// live in their own table: no metric, tally, export, redial, frequency
// cap or completion of the campaign sees them. They ask Vapi for no
// server messages; their status is read from GET /call when someone looks.
package testcall
