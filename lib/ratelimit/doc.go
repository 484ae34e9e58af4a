// Package ratelimit caps each user's requests per minute. Serverless
// instances share no memory, so the counters live in Postgres: one upsert
// per request counts it in a fixed one-minute window.
package ratelimit
