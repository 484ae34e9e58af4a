-- Reconciliation's bookkeeping per call. reconcile_failures counts the
-- tries that failed in a row (Vapi's answer could not be fetched or
-- stored) and reconcile_error keeps the last error: after a bounded
-- number the call is timed out with it, so a poisoned call neither holds
-- a slot forever nor heads the queue. completed_from_vapi_at marks a
-- final call whose missing report was filled in from GET /call, so it is
-- fetched once.
alter table public.calls
  add column reconcile_failures    integer not null default 0,
  add column reconcile_error       text,
  add column completed_from_vapi_at timestamptz;

-- Calls still waiting for their end-of-call report: a report always
-- carries the cost, a status-update never does.
create index calls_incomplete_idx on public.calls ((coalesce(ended_at, last_event_at)))
  where cost is null and completed_from_vapi_at is null and provider_call_id is not null;
