-- complete_if_done's first question, whether any call of the campaign is
-- live, asked so that only calls_live_idx can answer it. As an EXISTS it
-- let the planner pick a sequential scan whenever the statistics said
-- most of the campaign's calls were live (its first calls, analyzed
-- together), and that scan then read past every call ended since, at
-- every call's end, until the next ANALYZE. Ordered by the index's key
-- and limited to one row, a scan of calls would have to read them all
-- and sort: the index always wins. The rest of the function is as
-- migration 20261207700100 made it.
create or replace function public.complete_if_done(p_campaign uuid, p_now timestamptz)
returns boolean language plpgsql as $$
begin
  -- Most ends leave other calls live: one probe of calls_live_idx says
  -- so. (Not completing is always safe: the tick's sweep completes what
  -- two ends racing each saw the other keep open.)
  perform from calls l where l.campaign_id = p_campaign and l.live
  order by l.campaign_id, l.phone_number_id limit 1;
  if found then
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
