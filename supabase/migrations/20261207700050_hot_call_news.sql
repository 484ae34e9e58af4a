-- News of a live call (queued, ringing, in progress) moves its status and
-- last_event_at, and both were in index keys or predicates
-- (calls_campaign_status_idx, calls_live_idx, calls_incomplete_idx), so
-- no such update could be HOT: each wrote a new entry into every index of
-- calls, and calls of one campaign ending at once queued on the same
-- index pages (one campaign, one phone number, one clock). The indexes now
-- name two generated columns instead, which keep their value while a call
-- is live, and status and last_event_at are in no index: a live call's
-- news is a HOT update.

-- live: the call occupies a line (callstate.LiveSQL). finished_at: when
-- the call became final, as far as we know: Vapi's endedAt, else our last
-- news of it (a status-update "ended" carries no endedAt); null while live.
alter table public.calls
  add column live boolean generated always as (status in ('PENDING', 'QUEUED', 'RINGING', 'IN_PROGRESS')) stored,
  add column finished_at timestamptz generated always as
    (case when status in ('ENDED', 'FAILED', 'CANCELED', 'TIMEOUT') then coalesce(ended_at, last_event_at) end) stored;

drop index public.calls_live_idx;
create index calls_live_idx on public.calls (campaign_id, phone_number_id) where live;

-- The status was never read through this index; the campaign's calls are
-- (and a campaign's deletion cascades through it).
drop index public.calls_campaign_status_idx;
create index calls_campaign_idx on public.calls (campaign_id);

drop index public.calls_incomplete_idx;
create index calls_incomplete_idx on public.calls (finished_at)
  where (cost is null or (transcript is null and recording_url is null and disposition in ('answered', 'voicemail')))
    and completed_from_vapi_at is null and provider_call_id is not null;
