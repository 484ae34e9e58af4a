-- A contact's move to another latest call is tallied by a row trigger that
-- fires only when last_call_id changed, as calls' is (20261207000200):
-- the statement trigger ran for every UPDATE of contacts, a redial
-- decision that changes nothing included. The bucket left is read from
-- the old call; a call that no longer exists was a released claim, which
-- is always PENDING.
create function public.tally_contact_row() returns trigger language plpgsql as $$
begin
  insert into public.campaign_tallies (campaign_id, status, ended_reason, disposition, n)
  select new.campaign_id,
         case when old.last_call_id is null then 'NOT_CALLED' else coalesce(l.status, 'PENDING') end,
         coalesce(l.ended_reason, ''), coalesce(l.disposition, ''), -1
  from (select 1) one left join public.calls l on l.id = old.last_call_id
  union all
  select new.campaign_id,
         case when new.last_call_id is null then 'NOT_CALLED' else coalesce(l.status, 'PENDING') end,
         coalesce(l.ended_reason, ''), coalesce(l.disposition, ''), 1
  from (select 1) one left join public.calls l on l.id = new.last_call_id;
  return null;
end $$;

drop trigger contacts_tally_update on public.contacts;
drop function public.tally_contacts_updated();
create trigger contacts_tally_row after update on public.contacts for each row
  when (old.last_call_id is distinct from new.last_call_id)
  execute function public.tally_contact_row();

revoke execute on function public.tally_contact_row() from public, anon, authenticated;
