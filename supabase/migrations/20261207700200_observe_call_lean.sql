-- observe_call as in 20261207000100, at less cost per webhook, the
-- commonest statement AutoLynx runs: the call's campaign is read in the
-- same lookup as the call (one statement, where two each had their
-- executor set up and torn down); no output is null, so the caller
-- selects * and Postgres parses and plans no coalesce per column; and
-- news of a call's end can bring what follows it (p_follow): the retry
-- decision (with the ending Go classified, p_refused and p_redialable)
-- and the completion check, in the same statement, so the end takes one
-- round trip instead of a transaction of several. Where anything else
-- would follow (the campaign's spend limit, or a stored ended reason not
-- the one classified) it raises AL001 and changes nothing: the caller
-- records the news in a transaction then (callstate.RecordEnd). The list
-- is callstate.FinalSQL.
drop function public.observe_call(text, uuid, boolean, text, text[], text, text, numeric, jsonb,
  text, jsonb, text, text, jsonb, timestamptz, timestamptz, numeric, timestamptz, text, text, jsonb);
create function public.observe_call(
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
begin
  o_found := false;
  o_mismatch := false;
  if p_look then
    -- Vapi's id first, then ours: two plain index lookups, each planned
    -- once per session, where one OR over both with its ordering was
    -- planned anew at every call.
    -- The campaign is read with the call, not locked (for update of l):
    -- many calls of one campaign ending at once never queue on its row.
    if p_provider <> '' then
      select l.id, l.campaign_id, l.status, coalesce(l.provider_call_id, ''), coalesce(l.ended_reason, ''),
             c.status, c.paused_from, c.spend_limit_usd is not null
      into o_call, o_campaign, o_previous, known_provider, o_reason_before,
           o_campaign_status, o_paused_from, o_spend_limited
      from calls l join campaigns c on c.id = l.campaign_id where l.provider_call_id = p_provider
      for update of l;
    end if;
    if o_call is null and p_call is not null then
      select l.id, l.campaign_id, l.status, coalesce(l.provider_call_id, ''), coalesce(l.ended_reason, ''),
             c.status, c.paused_from, c.spend_limit_usd is not null
      into o_call, o_campaign, o_previous, known_provider, o_reason_before,
           o_campaign_status, o_paused_from, o_spend_limited
      from calls l join campaigns c on c.id = l.campaign_id where l.id = p_call
      for update of l;
    end if;
    if o_call is not null then
      o_mismatch := p_provider <> '' and known_provider <> '' and known_provider <> p_provider
                    or p_call is not null and p_call <> o_call;
    end if;
    o_found := o_call is not null and not o_mismatch;
  end if;
  if o_found then
    next_status := case when o_previous = any(p_allowed_from) then p_status end;
    o_current := coalesce(next_status, o_previous);
    -- Data fields only where the news has a value. The ended reason of
    -- our own TIMEOUT verdict yields to the provider's.
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
    where id = o_call
    returning coalesce(ended_reason, '') into o_reason;
    -- Locks the campaign row, but only the once it moves to RUNNING.
    if next_status = 'IN_PROGRESS' and 'DIALING' in (o_campaign_status, o_paused_from) then
      perform mark_campaign_running(o_campaign);
    end if;
  else
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
      if o_current <> o_previous or coalesce(o_reason, '') <> coalesce(o_reason_before, '') then
        if coalesce(o_reason, '') <> p_reason then
          raise exception 'the ended reason to classify is not the news''s' using errcode = 'AL001';
        end if;
        perform public.schedule_retry(o_call, p_now, p_refused, p_redialable);
      end if;
      if o_current <> o_previous then
        perform public.complete_if_done(o_campaign, p_now);
      end if;
    end if;
  end if;
  -- Nothing comes back null: the caller selects * without a coalesce
  -- per column to parse and plan at every call.
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

revoke execute on function public.observe_call(text, uuid, boolean, text, text[], text, text, numeric, jsonb,
  text, jsonb, text, text, jsonb, timestamptz, timestamptz, numeric, timestamptz, text, text, jsonb,
  boolean, boolean, boolean)
  from public, anon, authenticated;
