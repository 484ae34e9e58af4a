-- Test calls (lib/testcall): one call of a campaign's assistant, with a
-- chosen contact's variables, to a number the operator types. Kept apart
-- from calls, so no metric, tally, export, redial, frequency cap or
-- completion of the campaign ever sees them. Server-side only: RLS on,
-- no policy, nothing granted to the API roles.
create table public.test_calls (
  id               uuid primary key default gen_random_uuid(),
  campaign_id      uuid not null references public.campaigns (id) on delete cascade,
  contact_id       uuid references public.contacts (id) on delete set null,
  phone            text not null check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  status           text not null default 'PENDING' check (status in
                     ('PENDING', 'QUEUED', 'RINGING', 'IN_PROGRESS', 'ENDED', 'FAILED', 'CANCELED', 'TIMEOUT')),
  provider_call_id text unique,
  ended_reason     text,
  cost             numeric(12, 4),
  duration_seconds numeric(10, 2),
  summary          text,
  transcript       jsonb,
  created_by       uuid,
  created_at       timestamptz not null default now(),
  started_at       timestamptz,
  ended_at         timestamptz,
  -- When Vapi was last asked about the call (its status is read from
  -- GET /call when someone looks: test calls send no webhooks).
  checked_at       timestamptz
);
create index test_calls_campaign_idx on public.test_calls (campaign_id, created_at desc);
-- The per-user rate limit's count.
create index test_calls_user_idx on public.test_calls (created_by, created_at desc);
alter table public.test_calls enable row level security;
revoke all on public.test_calls from anon, authenticated;
