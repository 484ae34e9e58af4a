-- Supabase grants anon and authenticated every privilege on each table,
-- sequence and function a migration creates in public (its default
-- privileges). Row Level Security guards rows, but not TRUNCATE (a
-- signed-in stranger could empty the do-not-call list), REFERENCES,
-- TRIGGER, sequences or function calls. The API roles keep exactly what
-- the dashboard uses: a signed-in user selects the tables whose policies
-- let allowlisted users read (PostgREST and Realtime), and calls the
-- allowlist check those policies run. anon gets nothing. The server
-- connects as the owner and is unaffected.
revoke all on all tables in schema public from anon, authenticated;
revoke all on all sequences in schema public from anon, authenticated;
revoke all on all functions in schema public from anon, authenticated, public;
grant select on public.assistants, public.campaigns, public.contacts, public.calls,
  public.user_profiles, public.dnc to authenticated;
grant execute on function public.is_allowlisted() to authenticated;

-- And for what later migrations create: nothing unless granted there.
alter default privileges in schema public revoke all on tables from anon, authenticated;
alter default privileges in schema public revoke all on sequences from anon, authenticated;
alter default privileges in schema public revoke all on functions from anon, authenticated, public;
