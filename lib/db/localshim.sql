-- Local-only stand-in for what a Supabase project already has, so the very
-- same migration files (RLS included) run on plain Postgres in development
-- and tests. Never applied to a Supabase database. Idempotent.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
end
$$;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;
grant usage on schema public to anon, authenticated, service_role;

-- Supabase's auth.uid(): the "sub" claim of the request's JWT, which
-- PostgREST exposes as the request.jwt.claims setting. Created only when
-- missing: where Supabase's Auth server has migrated this database (tests
-- and `--auth supabase`), its own definition stays, as on Supabase.
do $shim$
begin
  if to_regprocedure('auth.uid()') is null then
    create function auth.uid() returns uuid
    language sql stable as $$
      select nullif(
        coalesce(
          current_setting('request.jwt.claim.sub', true),
          (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
        ), '')::uuid
    $$;
  end if;
end
$shim$;
grant execute on function auth.uid() to anon, authenticated, service_role;

do $$
begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;

-- Supabase's default privileges: every table, sequence and function the
-- migrating role creates in public is granted to the API roles (RLS then
-- guards rows only). Reproduced so the tests see what production sees;
-- the migrations revoke what the app does not use.
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
