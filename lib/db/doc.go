// Package db opens the Postgres pool every function shares and applies the
// schema. It is written for serverless: one small pool per warm instance,
// and no server-side prepared statements when the connection string asks
// for the simple protocol (Supabase's transaction pooler).
package db
