-- Contacts whose latest call is live share one tally bucket, LIVE, so
-- a live call's news (queued, ringing, in progress) writes no tally: two
-- of every call's four tally writes were a plpgsql trigger firing and a
-- two-row insert for a move between live statuses. Reads split LIVE by
-- status from the live calls themselves, which calls_live_idx bounds by
-- the concurrency cap (campaign.bucketCounts).
create or replace function public.tally_call_row() returns trigger language plpgsql as $$
begin
  if (old.live <> new.live or not new.live
      and (old.status, coalesce(old.ended_reason, ''), coalesce(old.disposition, ''))
          is distinct from (new.status, coalesce(new.ended_reason, ''), coalesce(new.disposition, '')))
     and exists (select 1 from public.contacts k where k.id = new.contact_id and k.last_call_id = new.id) then
    insert into public.campaign_tallies (campaign_id, status, ended_reason, disposition, n) values
      (new.campaign_id, case when old.live then 'LIVE' else old.status end,
       case when old.live then '' else coalesce(old.ended_reason, '') end,
       case when old.live then '' else coalesce(old.disposition, '') end, -1),
      (new.campaign_id, case when new.live then 'LIVE' else new.status end,
       case when new.live then '' else coalesce(new.ended_reason, '') end,
       case when new.live then '' else coalesce(new.disposition, '') end, 1);
  end if;
  if coalesce(new.cost, 0) <> coalesce(old.cost, 0) then
    insert into public.campaign_tallies (campaign_id, status, cost)
    values (new.campaign_id, '', coalesce(new.cost, 0) - coalesce(old.cost, 0));
  end if;
  return null;
end $$;

-- The trigger's condition that spares a live call staying live comes
-- with 20261207800300, which makes the trigger again anyway.

-- A contact's move to another latest call: a call that no longer exists
-- was a released claim, which was live (PENDING).
create or replace function public.tally_contact_row() returns trigger language plpgsql as $$
begin
  insert into public.campaign_tallies (campaign_id, status, ended_reason, disposition, n)
  select new.campaign_id,
         case when old.last_call_id is null then 'NOT_CALLED' when l.id is null or l.live then 'LIVE' else l.status end,
         case when l.live then '' else coalesce(l.ended_reason, '') end,
         case when l.live then '' else coalesce(l.disposition, '') end, -1
  from (select 1) one left join public.calls l on l.id = old.last_call_id
  union all
  select new.campaign_id,
         case when new.last_call_id is null then 'NOT_CALLED' when l.id is null or l.live then 'LIVE' else l.status end,
         case when l.live then '' else coalesce(l.ended_reason, '') end,
         case when l.live then '' else coalesce(l.disposition, '') end, 1
  from (select 1) one left join public.calls l on l.id = new.last_call_id;
  return null;
end $$;

create or replace function public.tally_contacts_inserted() returns trigger language plpgsql as $$
begin
  insert into public.campaign_tallies (campaign_id, status, n)
  select campaign_id, 'NOT_CALLED', count(*) from new_rows where last_call_id is null group by campaign_id;
  insert into public.campaign_tallies (campaign_id, status, ended_reason, disposition, n)
  select r.campaign_id, case when l.id is null or l.live then 'LIVE' else l.status end,
         case when l.live then '' else coalesce(l.ended_reason, '') end,
         case when l.live then '' else coalesce(l.disposition, '') end, count(*)
  from new_rows r left join public.calls l on l.id = r.last_call_id
  where r.last_call_id is not null group by 1, 2, 3, 4;
  return null;
end $$;

-- The live buckets tallied so far, folded into LIVE.
update public.campaign_tallies set status = 'LIVE', ended_reason = '', disposition = ''
where status in ('PENDING', 'QUEUED', 'RINGING', 'IN_PROGRESS');
