-- Operations: the tick's heartbeat, per-minute counters, spend alerts and
-- the retention policy's bookkeeping (lib/ops), and a retention-only
-- exception to the append-only event log.

-- Per-minute counts of what logs alone would hide (webhooks refused, Vapi
-- 429s…). One row per name and minute, upserted; last_at is the newest
-- occurrence, so "last webhook accepted" needs no scan of call_events.
create table public.ops_counters (
  name         text not null,
  bucket_start timestamptz not null,
  count        bigint not null default 0,
  last_at      timestamptz not null,
  primary key (bucket_start, name)
);

-- Liveness marks written by each run of a periodic job ('tick'). vapi is
-- what that run saw of Vapi; it keeps its last value when a run made no
-- request.
create table public.ops_heartbeats (
  name    text primary key,
  beat_at timestamptz not null,
  vapi    text check (vapi in ('ok', 'failing', 'unreachable')),
  vapi_at timestamptz
);

-- Spend alerts. One row per crossing: the unique key makes concurrent
-- checks record it once; delivered_at and the claim lease make the
-- webhook post happen once.
create table public.alerts (
  id            bigint generated always as identity primary key,
  kind          text not null check (kind in ('account-day', 'account-month', 'campaign')),
  -- '' for the account; the campaign id otherwise. No foreign key: an
  -- alert outlives the campaign it names.
  scope         text not null default '',
  campaign_id   uuid,
  -- The period the amount covers: '2026-11-25', '2026-11' or 'lifetime'.
  period        text not null,
  threshold     numeric(12, 2) not null,
  amount        numeric(12, 4) not null,
  created_at    timestamptz not null default now(),
  claimed_until timestamptz,
  attempts      integer not null default 0,
  last_error    text,
  delivered_at  timestamptz,
  unique (kind, scope, period, threshold)
);
create index alerts_undelivered_idx on public.alerts (id) where delivered_at is null;

alter table public.campaigns
  add column spend_alert_usd       numeric(12, 2) check (spend_alert_usd > 0),
  -- Retention marks: set once every row of the campaign is done, so
  -- finished campaigns are not scanned again.
  add column transcripts_purged_at timestamptz,
  add column pii_redacted_at       timestamptz;

-- Spend over a day or a month, and the operations page's outcome counts.
create index calls_ended_at_idx on public.calls (ended_at) where ended_at is not null;
-- Recent events (hour/day windows): call_events is append-only in id and
-- time order, which a BRIN index serves for almost nothing.
create index call_events_received_brin on public.call_events using brin (received_at);
-- Events about calls we never knew (retention redacts them by age).
create index call_events_orphan_idx on public.call_events (id) where campaign_id is null;

-- call_events stays append-only, except that retention may rewrite the
-- payload (never anything else, never delete) in a transaction that set
-- autolynx.retention = 'on' (set_config(…, true)).
create or replace function public.call_events_immutable() returns trigger
language plpgsql as $$
begin
  if tg_op = 'UPDATE' and current_setting('autolynx.retention', true) = 'on'
     and (new.id, new.call_id, new.campaign_id, new.provider_call_id, new.source, new.type, new.status, new.received_at)
         is not distinct from
         (old.id, old.call_id, old.campaign_id, old.provider_call_id, old.source, old.type, old.status, old.received_at) then
    return new;
  end if;
  raise exception 'call_events is append-only';
end;
$$;

alter table public.ops_counters   enable row level security;
alter table public.ops_heartbeats enable row level security;
alter table public.alerts         enable row level security;
revoke all on public.ops_counters, public.ops_heartbeats, public.alerts from anon, authenticated;
