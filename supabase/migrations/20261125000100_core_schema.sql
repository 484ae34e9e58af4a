-- AutoLynx core schema: users, assistants, campaigns, contacts, calls and
-- the append-only call event log. Runs unchanged on Supabase (supabase db
-- push) and on the local/test Postgres (after lib/db's local shim).

-- Users allowed into the product. id is the Supabase Auth user id (the JWT
-- "sub"); there is deliberately no foreign key to auth.users so a profile can
-- be prepared before the invited user first signs in.
create table public.user_profiles (
  id           uuid primary key,
  email        text not null,
  role         text not null default 'operator' check (role in ('admin', 'operator')),
  allowlisted  boolean not null default true,
  created_at   timestamptz not null default now(),
  last_seen_at timestamptz
);
create unique index user_profiles_email_key on public.user_profiles (lower(email));

-- Account-wide settings edited by admins (defaults, caps, windows).
create table public.system_config (
  key        text primary key,
  value      jsonb not null,
  updated_at timestamptz not null default now()
);

-- The team's voice assistant directory. provider_assistant_id is Vapi's id.
create table public.assistants (
  id                    uuid primary key default gen_random_uuid(),
  provider_assistant_id text not null unique,
  name                  text not null check (length(name) between 1 and 200),
  source                text not null default 'local' check (source in ('local', 'imported', 'template')),
  config                jsonb not null default '{}'::jsonb,
  active                boolean not null default true,
  created_at            timestamptz not null default now(),
  updated_at            timestamptz not null default now()
);

create table public.campaigns (
  id                uuid primary key default gen_random_uuid(),
  name              text not null check (length(name) between 1 and 200),
  status            text not null default 'CREATED' check (status in
                      ('CREATED', 'QUEUED', 'DIALING', 'RUNNING', 'PAUSED', 'STOPPED', 'COMPLETED', 'FAILED')),
  -- The status a paused campaign returns to on resume.
  paused_from       text check (paused_from in ('QUEUED', 'DIALING', 'RUNNING')),
  status_reason     text,
  mode              text not null default 'continuous' check (mode in ('continuous', 'batch')),
  cap               integer not null default 8 check (cap between 1 and 1000),
  line_quiet_gating boolean not null default false,
  assistant_id      uuid not null references public.assistants (id) on delete restrict,
  phone_number_id   text not null,
  -- Header of the first imported chunk, used for later chunks without one.
  csv_columns       text[],
  total_contacts    integer not null default 0,
  created_by        uuid,
  created_at        timestamptz not null default now(),
  started_at        timestamptz,
  completed_at      timestamptz
);
create index campaigns_created_at_idx on public.campaigns (created_at desc);
create index campaigns_active_idx on public.campaigns (status)
  where status in ('QUEUED', 'DIALING', 'RUNNING');
create index campaigns_assistant_idx on public.campaigns (assistant_id);

create table public.contacts (
  id            uuid primary key default gen_random_uuid(),
  campaign_id   uuid not null references public.campaigns (id) on delete cascade,
  -- Import order within the campaign; strict batches are cut from it.
  position      integer not null,
  name          text not null default '',
  business_name text not null default '',
  phone         text not null check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  variables     jsonb not null default '{}'::jsonb,
  -- The contact's most recent call attempt (null: never dialed).
  last_call_id  uuid,
  attempts      integer not null default 0,
  created_at    timestamptz not null default now(),
  unique (campaign_id, phone),
  unique (campaign_id, position)
);
-- The tick's "next contacts to dial" scan.
create index contacts_undialed_idx on public.contacts (campaign_id, position) where last_call_id is null;
create index contacts_search_idx on public.contacts
  using btree (campaign_id, lower(name) text_pattern_ops);

-- One row per dial attempt. Created PENDING when the tick claims the
-- contact, before Vapi is asked; provider_call_id arrives with Vapi's 2xx.
create table public.calls (
  id                 uuid primary key default gen_random_uuid(),
  campaign_id        uuid not null references public.campaigns (id) on delete cascade,
  contact_id         uuid not null references public.contacts (id) on delete cascade,
  attempt            integer not null default 1 check (attempt >= 1),
  status             text not null default 'PENDING' check (status in
                       ('PENDING', 'QUEUED', 'RINGING', 'IN_PROGRESS', 'ENDED', 'FAILED', 'CANCELED', 'TIMEOUT')),
  provider_call_id   text unique,
  phone_number_id    text not null,
  ended_reason       text,
  disposition        text check (disposition in
                       ('answered', 'no-answer', 'busy', 'voicemail', 'failed', 'canceled', 'timeout', 'unknown')),
  cost               numeric(12, 4),
  costs              jsonb,
  recording_url      text,
  transcript         jsonb,
  summary            text,
  success_evaluation text,
  structured_data    jsonb,
  started_at         timestamptz,
  ended_at           timestamptz,
  duration_seconds   numeric(10, 2),
  -- When the tick sent POST /call; an attempt still PENDING long after this
  -- is an ambiguous creation to reconcile.
  dial_requested_at  timestamptz,
  last_event_at      timestamptz not null default now(),
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  unique (contact_id, attempt)
);
-- The hot "how many calls are live" counts (campaign, account, phone line).
create index calls_live_idx on public.calls (campaign_id, phone_number_id)
  where status in ('PENDING', 'QUEUED', 'RINGING', 'IN_PROGRESS');
create index calls_campaign_status_idx on public.calls (campaign_id, status);

-- Append-only log of every accepted webhook and every state change we make.
create table public.call_events (
  id               bigint generated always as identity primary key,
  -- No foreign keys: the log outlives the rows it describes.
  call_id          uuid,
  campaign_id      uuid,
  provider_call_id text,
  source           text not null check (source in ('webhook', 'tick', 'api', 'reconcile')),
  type             text not null,
  status           text,
  payload          jsonb not null default '{}'::jsonb,
  received_at      timestamptz not null default now()
);
create index call_events_call_idx on public.call_events (call_id, id);
create index call_events_campaign_idx on public.call_events (campaign_id, id);

create function public.call_events_immutable() returns trigger
language plpgsql as $$
begin
  raise exception 'call_events is append-only';
end;
$$;
create trigger call_events_no_update before update or delete on public.call_events
  for each row execute function public.call_events_immutable();

-- Per-user fixed-window request counters shared by every serverless instance.
create table public.rate_limits (
  user_id      uuid not null,
  bucket       text not null,
  window_start timestamptz not null,
  count        integer not null default 0,
  primary key (user_id, bucket, window_start)
);

-- Row Level Security: the browser's anon key sees nothing; a signed-in user
-- reads only when allowlisted; nobody writes through PostgREST. The server
-- connects as the table owner and is not subject to these policies.
create function public.is_allowlisted() returns boolean
language sql stable security definer set search_path = public as $$
  select exists (
    select 1 from public.user_profiles
    where id = auth.uid() and allowlisted
  );
$$;
revoke all on function public.is_allowlisted() from public;
grant execute on function public.is_allowlisted() to authenticated;

alter table public.user_profiles enable row level security;
alter table public.system_config enable row level security;
alter table public.assistants    enable row level security;
alter table public.campaigns     enable row level security;
alter table public.contacts      enable row level security;
alter table public.calls         enable row level security;
alter table public.call_events   enable row level security;
alter table public.rate_limits   enable row level security;

create policy user_profiles_self on public.user_profiles
  for select to authenticated using (id = auth.uid());
create policy assistants_read on public.assistants
  for select to authenticated using (public.is_allowlisted());
create policy campaigns_read on public.campaigns
  for select to authenticated using (public.is_allowlisted());
create policy contacts_read on public.contacts
  for select to authenticated using (public.is_allowlisted());
create policy calls_read on public.calls
  for select to authenticated using (public.is_allowlisted());

revoke all on all tables in schema public from anon;
revoke insert, update, delete, truncate on all tables in schema public from authenticated;
grant select on public.assistants, public.campaigns, public.contacts, public.calls,
  public.user_profiles to authenticated;

-- Live dashboard: Supabase Realtime streams changes of these tables.
alter publication supabase_realtime add table public.campaigns, public.calls;
