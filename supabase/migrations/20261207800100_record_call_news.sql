-- record_call_news does what observe_call (20261207700200) does, with
-- less work for each webhook:
--
-- * A procedure, run by CALL: a statement Postgres executes without
--   planning a function scan and materializing its one row, which was a
--   tenth of a webhook's time in Postgres (callstate.observeCall).
-- * The call is read without a lock. Its update is guarded by what the
--   decision read (the status, both ids, the ended reason), so news that
--   raced other news of the same call changes nothing and is decided
--   again, this time with the row held. FOR UPDATE wrote a lock to the
--   row (and to the WAL) before every update of that same row.
-- * News that changes nothing (a status the call already has, or one it
--   has passed, with no data and no Vapi id the call lacks) leaves the
--   row alone: the event log keeps the message, and last_event_at stays
--   when the call last changed, so a call repeating "queued" still counts
--   as stuck.
--
-- observe_call stays, for the code deployed before this migration:
-- between `supabase db push` and the new deployment, its webhooks still
-- call it. A later release drops it.
create procedure public.record_call_news(
  p_provider text, p_call uuid, p_look boolean, p_status text, p_allowed_from text[],
  p_reason text, p_disposition text, p_cost numeric, p_costs jsonb, p_recording text,
  p_transcript jsonb, p_summary text, p_success text, p_structured jsonb,
  p_started timestamptz, p_ended timestamptz, p_duration numeric, p_now timestamptz,
  p_event_source text, p_event_type text, p_event_payload jsonb,
  p_follow boolean, p_refused boolean, p_redialable boolean,
  out o_found boolean, out o_mismatch boolean, out o_call uuid, out o_campaign uuid,
  out o_previous text, out o_current text, out o_reason_before text, out o_reason text,
  out o_campaign_status text, out o_paused_from text, out o_spend_limited boolean)
language plpgsql as $$
declare
  known_provider text;
  next_status text;
  data boolean := nullif(p_reason, '') is not null or nullif(p_disposition, '') is not null
    or p_cost is not null or p_costs is not null or nullif(p_recording, '') is not null
    or p_transcript is not null or nullif(p_summary, '') is not null or nullif(p_success, '') is not null
    or p_structured is not null or p_started is not null or p_ended is not null or p_duration is not null;
begin
  o_found := false;
  o_mismatch := false;
  <<news>>
  while p_look loop
    o_call := null;
    -- Vapi's id first, then ours: two plain index lookups. The campaign
    -- is read with the call and never locked: many calls of one
    -- campaign ending at once never queue on its row.
    if p_provider <> '' then
      select l.id, l.campaign_id, l.status, coalesce(l.provider_call_id, ''), coalesce(l.ended_reason, ''),
             c.status, c.paused_from, c.spend_limit_usd is not null
      into o_call, o_campaign, o_previous, known_provider, o_reason_before,
           o_campaign_status, o_paused_from, o_spend_limited
      from calls l join campaigns c on c.id = l.campaign_id where l.provider_call_id = p_provider;
    end if;
    if o_call is null and p_call is not null then
      select l.id, l.campaign_id, l.status, coalesce(l.provider_call_id, ''), coalesce(l.ended_reason, ''),
             c.status, c.paused_from, c.spend_limit_usd is not null
      into o_call, o_campaign, o_previous, known_provider, o_reason_before,
           o_campaign_status, o_paused_from, o_spend_limited
      from calls l join campaigns c on c.id = l.campaign_id where l.id = p_call;
    end if;
    if o_call is not null then
      o_mismatch := p_provider <> '' and known_provider <> '' and known_provider <> p_provider
                    or p_call is not null and p_call <> o_call;
    end if;
    o_found := o_call is not null and not o_mismatch;
    exit news when not o_found;
    next_status := case when o_previous = any(p_allowed_from) then p_status end;
    o_current := coalesce(next_status, o_previous);
    o_reason := o_reason_before;
    exit news when next_status is null and not data and (known_provider <> '' or p_provider = '');
    -- News without data (ringing, in progress) sets the status alone:
    -- an UPDATE's every SET expression is compiled again at each
    -- execution, and the data fields' twenty were a twelfth of the
    -- instructions such a webhook costs Postgres. With data, data
    -- fields only where the news has a value; the ended reason of our
    -- own TIMEOUT verdict yields to the provider's.
    if not data then
      update calls set status = o_current, provider_call_id = coalesce(provider_call_id, nullif(p_provider, '')),
        last_event_at = p_now, updated_at = p_now
      where id = o_call and status = o_previous and coalesce(provider_call_id, '') = known_provider
        and coalesce(ended_reason, '') = o_reason_before
      returning coalesce(ended_reason, '') into o_reason;
    else
      update calls set
        status = o_current,
        provider_call_id = coalesce(provider_call_id, nullif(p_provider, '')),
        ended_reason = case when nullif(p_reason, '') is null then ended_reason
                            when ended_reason is null or status = 'TIMEOUT' or next_status is not null then p_reason
                            else ended_reason end,
        disposition = case when nullif(p_disposition, '') is null then disposition
                           when disposition is null or status = 'TIMEOUT' or next_status is not null then p_disposition
                           else disposition end,
        cost = coalesce(p_cost, cost),
        costs = coalesce(p_costs, costs),
        recording_url = coalesce(nullif(p_recording, ''), recording_url),
        transcript = coalesce(p_transcript, transcript),
        summary = coalesce(nullif(p_summary, ''), summary),
        success_evaluation = coalesce(nullif(p_success, ''), success_evaluation),
        structured_data = coalesce(p_structured, structured_data),
        started_at = coalesce(started_at, p_started),
        ended_at = coalesce(p_ended, ended_at),
        duration_seconds = coalesce(p_duration, duration_seconds,
                                    extract(epoch from (coalesce(p_ended, ended_at) - coalesce(started_at, p_started)))),
        last_event_at = p_now,
        updated_at = p_now
      where id = o_call and status = o_previous and coalesce(provider_call_id, '') = known_provider
        and coalesce(ended_reason, '') = o_reason_before
      returning coalesce(ended_reason, '') into o_reason;
    end if;
    if found then
      -- Locks the campaign row, but only the once it moves to RUNNING.
      if next_status = 'IN_PROGRESS' and 'DIALING' in (o_campaign_status, o_paused_from) then
        perform mark_campaign_running(o_campaign);
      end if;
      exit news;
    end if;
    -- Other news of this call committed since it was read: hold the
    -- call, then read and decide again.
    perform from calls where id = o_call for update;
  end loop;
  if not o_found then
    -- News not to be believed is kept, but tied to nothing.
    o_call := null;
    o_campaign := null;
  end if;
  if p_event_type is not null then
    insert into call_events (call_id, campaign_id, provider_call_id, source, type, status, payload, received_at)
    values (o_call, o_campaign, case when p_look and not o_mismatch then nullif(p_provider, '') end,
            p_event_source, p_event_type, nullif(p_status, ''), coalesce(p_event_payload, '{}'::jsonb), p_now);
  end if;
  if p_follow and o_found then
    if p_cost is not null and o_spend_limited then
      raise exception 'the spend limit follows in Go' using errcode = 'AL001';
    end if;
    if o_current in ('ENDED', 'FAILED', 'CANCELED', 'TIMEOUT') then
      if o_current <> o_previous or o_reason <> o_reason_before then
        if o_reason <> p_reason then
          raise exception 'the ended reason to classify is not the news''s' using errcode = 'AL001';
        end if;
        perform public.schedule_retry(o_call, p_now, p_refused, p_redialable);
      end if;
      if o_current <> o_previous then
        perform public.complete_if_done(o_campaign, p_now);
      end if;
    end if;
  end if;
  -- Nothing comes back null: the caller scans without a coalesce per
  -- column to parse and plan at every call.
  o_call := coalesce(o_call, '00000000-0000-0000-0000-000000000000');
  o_campaign := coalesce(o_campaign, '00000000-0000-0000-0000-000000000000');
  o_previous := coalesce(o_previous, '');
  o_current := coalesce(o_current, '');
  o_reason_before := coalesce(o_reason_before, '');
  o_reason := coalesce(o_reason, '');
  o_campaign_status := coalesce(o_campaign_status, '');
  o_paused_from := coalesce(o_paused_from, '');
  o_spend_limited := coalesce(o_spend_limited, false);
end $$;

revoke execute on procedure public.record_call_news(text, uuid, boolean, text, text[], text, text, numeric, jsonb,
  text, jsonb, text, text, jsonb, timestamptz, timestamptz, numeric, timestamptz, text, text, jsonb,
  boolean, boolean, boolean)
  from public, anon, authenticated;
