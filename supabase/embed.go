// Package supabase embeds the SQL that the Supabase CLI deploys
// (migrations and seed) so the local runner and the tests apply exactly the
// files that `supabase db push` would.
package supabase

import "embed"

// Files holds migrations/*.sql and seed.sql.
//
//go:embed migrations/*.sql seed.sql
var Files embed.FS
