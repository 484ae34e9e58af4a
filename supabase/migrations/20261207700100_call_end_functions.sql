-- What follows a call's end, as functions. Webhooks reach Postgres
-- through Supabase's transaction pooler, so with the simple protocol: a
-- statement sent as text is parsed and planned at every call, and these
-- two (joins over calls and contacts, each table with many indexes to
-- weigh) took about 0.3 ms each to plan and 0.01 ms to run, most of an
-- ending webhook's time in Postgres. A function's statements are planned
-- once per session. The Go side (callstate.ScheduleRetry,
-- campaign.CompleteIfDone) says when each runs and why.

-- callstate.ScheduleRetry: whether the contact of a call that just became
-- final is redialed. The branches are plpgsql's, not the statements':
-- with the flags in a statement, Postgres found a plan custom to them
-- cheaper than a generic one and planned anew at every call. The list is
-- callstate.FinalSQL.
create function public.schedule_retry(p_call uuid, p_now timestamptz, p_refused boolean, p_redialable boolean)
returns void language plpgsql as $$
declare
  was_refused boolean;
  callback boolean;
  contact uuid;
  unsuppressed boolean;
  pending_at timestamptz;
  callback_was timestamptz;
  recall boolean;
  next_at timestamptz;
begin
  -- One read decides what to write, and most ends (answered, nothing
  -- pending) write nothing.
  select l.refused, l.callback, k.id, k.suppressed_at is null, k.next_attempt_at, k.callback_at
  into was_refused, callback, contact, unsuppressed, pending_at, callback_was
  from calls l left join contacts k on k.id = l.contact_id and k.last_call_id = l.id
  where l.id = p_call;
  if not found then
    return;
  end if;
  if was_refused <> p_refused then
    update calls set refused = p_refused where id = p_call;
  end if;
  if contact is null then
    return; -- not the contact's latest call: a later one decides
  end if;
  recall := p_refused and callback and unsuppressed;
  if p_refused then
    next_at := case when unsuppressed and not callback then p_now end;
  elsif p_redialable and unsuppressed then
    select p_now + make_interval(mins => c.retry_delay_minutes) into next_at
    from calls l join campaigns c on c.id = l.campaign_id join contacts k on k.id = l.contact_id
    where l.id = p_call and l.status in ('ENDED', 'FAILED', 'CANCELED', 'TIMEOUT')
      and l.disposition = any(c.retry_dispositions)
      and k.attempts - (select count(*) from calls r where r.contact_id = k.id
                        and (r.refused and r.id <> l.id or r.callback))
          < c.max_attempts
      and not exists (select 1 from dnc d where d.phone = k.phone);
  end if;
  -- Still the contact's latest call when the row is ours: a claim of its
  -- next attempt committing meanwhile (which this update waits for) has
  -- made the contact another call's, and a redial set now would dial
  -- it twice.
  if pending_at is distinct from next_at or recall and callback_was is null then
    update contacts k set next_attempt_at = next_at,
      callback_at = case when recall then coalesce(k.callback_at, p_now) else k.callback_at end
    where k.id = contact and k.last_call_id = p_call;
  end if;
end $$;

-- campaign.CompleteIfDone: finishes the campaign if it is active with no
-- call live, no contact left to dial and no retry or callback pending
-- (contacts on the do-not-call list are done), and says whether it did.
-- One statement, one snapshot: a claim committing concurrently is seen
-- either as an undialed contact or as a live call, never as neither. The
-- list is campaign.ActiveSQL.
create function public.complete_if_done(p_campaign uuid, p_now timestamptz)
returns boolean language plpgsql as $$
begin
  -- Most ends leave other calls live: one probe of calls_live_idx says
  -- so. (Not completing is always safe: the tick's sweep completes what
  -- two ends racing each saw the other keep open.)
  if exists (select 1 from calls l where l.campaign_id = p_campaign and l.live) then
    return false;
  end if;
  update campaigns c set status = 'COMPLETED', completed_at = p_now, paused_from = null
  where c.id = p_campaign
    and c.status in ('QUEUED', 'DIALING', 'RUNNING')
    and not exists (select 1 from calls l where l.campaign_id = c.id and l.live)
    and not exists (select 1 from contacts k where k.campaign_id = c.id and k.suppressed_at is null
                    and (k.last_call_id is null or k.next_attempt_at is not null or k.callback_at is not null)
                    and not exists (select 1 from dnc d where d.phone = k.phone))
    -- Outcomes (and the callback they may ask for) come with the
    -- end-of-call report, after the call ended: an answered call of a
    -- campaign with outcome fields holds completion until its report is
    -- in (cost known), at most 15 minutes.
    and not exists (select 1 from calls l where l.campaign_id = c.id and c.outcome_fields <> '[]'::jsonb
                    and l.disposition = 'answered' and l.cost is null
                    and coalesce(l.ended_at, l.updated_at) > p_now - interval '15 minutes');
  return found;
end $$;

-- For the server's own role only, as every function here.
revoke execute on function public.schedule_retry(uuid, timestamptz, boolean, boolean),
  public.complete_if_done(uuid, timestamptz) from public, anon, authenticated;
