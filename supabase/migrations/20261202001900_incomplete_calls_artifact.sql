-- The lost-report sweep (lib/scheduler.incompleteCalls) also looks for
-- answered calls without any artifact (no transcript and no recording),
-- and fetches a call again until Vapi's answer carries what was missing:
-- its partial index takes the sweep's predicate word for word, so the
-- planner can use it.
drop index public.calls_incomplete_idx;
create index calls_incomplete_idx on public.calls ((coalesce(ended_at, last_event_at)))
  where (cost is null or (transcript is null and recording_url is null and disposition in ('answered', 'voicemail')))
    and completed_from_vapi_at is null and provider_call_id is not null;
