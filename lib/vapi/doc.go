// Package vapi is AutoLynx's client for Vapi's REST API (calls, assistants
// and where a call's recording is). It exists so every caller gets the same retry and error
// classification: placing a call is the one request that must never be sent
// twice by accident, so the client tells "surely nothing was created" apart
// from "Vapi may have created a call" (*AmbiguousError) and leaves the latter
// to the scheduler's reconciliation instead of retrying it.
//
// Failure classification for CreateCall:
//   - 4xx (*RejectedError) and 429 (*RateLimitedError): nothing was created.
//   - A transport error before any request byte was written (connection
//     refused, DNS failure, dial timeout): nothing was created; retried.
//   - Everything else — 5xx, a timeout or reset after the request was
//     written, a 2xx whose body cannot be read — is an *AmbiguousError: the
//     call may exist, so it is not retried. The caller reconciles through
//     ListCalls and the metadata it put in AssistantOverrides.
package vapi
