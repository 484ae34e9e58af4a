-- Results to the team's own systems (lib/outbox): destinations admins
-- configure, a transactional outbox of events, one delivery per event and
-- destination subscribed, and a short log of attempts per destination.
-- Server-side only: RLS on, no policy, nothing granted to the API roles.

create table public.destinations (
  id              uuid primary key default gen_random_uuid(),
  name            text not null check (length(name) between 1 and 100),
  url             text not null check (length(url) between 1 and 2000),
  -- Which events it receives: call.finished, campaign.finished,
  -- contact.opted_out.
  events          text[] not null default '{}',
  -- The Standard Webhooks signing secret, whsec_<base64>: kept in plain
  -- text because signing needs it; shown to an admin only when made.
  secret          text not null,
  -- The secret a rotation replaced: deliveries carry its signature too
  -- until previous_until, so a receiver switches without a gap.
  previous_secret text,
  previous_until  timestamptz,
  -- SHA-256 of the token of the outcomes CSV link (=IMPORTDATA(url));
  -- null while no link is issued.
  feed_token_hash bytea,
  created_by      uuid,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
alter table public.destinations enable row level security;
revoke all on public.destinations from anon, authenticated;

-- One row per thing that happened, written in the transaction of the
-- change itself. Its id is the webhook-id of every delivery of it, so a
-- receiver de-duplicates retries. body is the JSON sent, made on the first
-- attempt and then kept, so every retry carries the same bytes.
create table public.outbox_events (
  id         uuid primary key default gen_random_uuid(),
  type       text not null check (type in ('call.finished', 'campaign.finished', 'contact.opted_out', 'webhook.test')),
  -- The call (call.finished) or campaign (campaign.finished) it is about.
  subject_id uuid,
  -- The number (contact.opted_out).
  phone      text,
  body       text,
  created_at timestamptz not null default now()
);
alter table public.outbox_events enable row level security;
revoke all on public.outbox_events from anon, authenticated;
create index outbox_events_created_idx on public.outbox_events (created_at);

create table public.outbox_deliveries (
  id              uuid primary key default gen_random_uuid(),
  event_id        uuid not null references public.outbox_events (id) on delete cascade,
  destination_id  uuid not null references public.destinations (id) on delete cascade,
  status          text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  attempts        integer not null default 0,
  -- Due when null or past; a claim moves it past the attempt (a lease).
  next_attempt_at timestamptz,
  -- Retries stop here: 24 hours after the first attempt.
  give_up_at      timestamptz,
  last_attempt_at timestamptz,
  last_status     integer,
  last_error      text,
  delivered_at    timestamptz,
  created_at      timestamptz not null default now(),
  unique (event_id, destination_id)
);
alter table public.outbox_deliveries enable row level security;
revoke all on public.outbox_deliveries from anon, authenticated;
-- The tick's claim: pending deliveries by when they are due.
create index outbox_deliveries_due_idx on public.outbox_deliveries (next_attempt_at nulls first)
  where status = 'pending';
create index outbox_deliveries_destination_idx on public.outbox_deliveries (destination_id, created_at desc);

-- The delivery log: every attempt, the last ones per destination shown.
create table public.outbox_attempts (
  id             bigint generated always as identity primary key,
  delivery_id    uuid not null references public.outbox_deliveries (id) on delete cascade,
  destination_id uuid not null references public.destinations (id) on delete cascade,
  attempted_at   timestamptz not null,
  status_code    integer,
  -- The start of the receiver's answer (at most 200 characters).
  excerpt        text,
  error          text,
  duration_ms    integer
);
alter table public.outbox_attempts enable row level security;
revoke all on public.outbox_attempts from anon, authenticated;
revoke all on sequence public.outbox_attempts_id_seq from anon, authenticated;
create index outbox_attempts_destination_idx on public.outbox_attempts (destination_id, id desc);

-- outbox_enqueue records one event and a delivery per destination
-- subscribed to its type; with none subscribed it writes nothing at all,
-- so an account without destinations pays one index-less probe of a tiny
-- table per finished call.
create function public.outbox_enqueue(p_type text, p_subject uuid, p_phone text) returns void
  language plpgsql security definer set search_path = '' as $$
declare
  ev uuid;
begin
  if not exists (select 1 from public.destinations d where p_type = any (d.events)) then
    return;
  end if;
  insert into public.outbox_events (type, subject_id, phone) values (p_type, p_subject, p_phone)
  returning id into ev;
  insert into public.outbox_deliveries (event_id, destination_id)
  select ev, d.id from public.destinations d where p_type = any (d.events);
end $$;

-- The events come from row triggers rather than from each Go path that
-- ends a call, finishes a campaign or lists an opt-out: a call ends
-- through the webhook (observe_call), the tick's timeouts and refusals
-- (callstate.End), the recovery tool's repair and a manual mark, and any
-- path added later is covered without being told. Each trigger's WHEN
-- clause is the terminal transition itself, so the trigger function does
-- not even run for any other change: news that is not an end of call
-- (queued, ringing, in progress, a late duplicate) adds no statement to
-- the webhook's hot path, and observe_call and the tally triggers stay as
-- they are.
--
-- outbox_row_event is every trigger's function: the event type is its
-- argument; an opt-out is about the number, the others about the row.
create function public.outbox_row_event() returns trigger
  language plpgsql security definer set search_path = '' as $$
begin
  if tg_argv[0] = 'contact.opted_out' then
    perform public.outbox_enqueue(tg_argv[0], null, new.phone);
  else
    perform public.outbox_enqueue(tg_argv[0], new.id, null);
  end if;
  return null;
end $$;

create trigger calls_outbox_finished after update of status on public.calls
  for each row
  when (old.status in ('PENDING', 'QUEUED', 'RINGING', 'IN_PROGRESS')
    and new.status in ('ENDED', 'FAILED', 'CANCELED', 'TIMEOUT'))
  execute function public.outbox_row_event('call.finished');

create trigger campaigns_outbox_finished after update of status on public.campaigns
  for each row
  when (old.status not in ('COMPLETED', 'STOPPED', 'FAILED')
    and new.status in ('COMPLETED', 'STOPPED', 'FAILED'))
  execute function public.outbox_row_event('campaign.finished');

create trigger dnc_outbox_opted_out after insert on public.dnc
  for each row when (new.source = 'opt-out')
  execute function public.outbox_row_event('contact.opted_out');

revoke execute on function public.outbox_enqueue(text, uuid, text), public.outbox_row_event()
  from public, anon, authenticated;
