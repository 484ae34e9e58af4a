-- A call's change is tallied by a row trigger that fires only when the
-- call's bucket or cost changed, instead of a statement trigger over
-- transition tables. The statement trigger ran for every UPDATE of calls,
-- rows changed or not, and built both transition tables and a join for
-- each: most of the cost of news about a call beyond the call's own row.
-- Deltas are the same (compaction folds one per call as well as one per
-- statement): the call's contact moves between buckets while the call is
-- its latest; its cost counts whether or not it is.
create function public.tally_call_row() returns trigger language plpgsql as $$
begin
  if (old.status, coalesce(old.ended_reason, ''), coalesce(old.disposition, ''))
     is distinct from (new.status, coalesce(new.ended_reason, ''), coalesce(new.disposition, ''))
     and exists (select 1 from public.contacts k where k.id = new.contact_id and k.last_call_id = new.id) then
    insert into public.campaign_tallies (campaign_id, status, ended_reason, disposition, n) values
      (new.campaign_id, old.status, coalesce(old.ended_reason, ''), coalesce(old.disposition, ''), -1),
      (new.campaign_id, new.status, coalesce(new.ended_reason, ''), coalesce(new.disposition, ''), 1);
  end if;
  if coalesce(new.cost, 0) <> coalesce(old.cost, 0) then
    insert into public.campaign_tallies (campaign_id, status, cost)
    values (new.campaign_id, '', coalesce(new.cost, 0) - coalesce(old.cost, 0));
  end if;
  return null;
end $$;

drop trigger calls_tally_update on public.calls;
drop function public.tally_calls_updated();
create trigger calls_tally_row after update on public.calls for each row
  when (old.status is distinct from new.status or old.ended_reason is distinct from new.ended_reason
        or old.disposition is distinct from new.disposition or old.cost is distinct from new.cost)
  execute function public.tally_call_row();

revoke execute on function public.tally_call_row() from public, anon, authenticated;

-- No foreign key from the tallies to their campaign: checking it locked
-- the campaign row (FOR KEY SHARE) for every delta inserted, so the many
-- calls of one campaign ending at once shared that row's lock (as a
-- multixact) at every piece of news. A campaign's deltas go with it by
-- trigger instead.
alter table public.campaign_tallies drop constraint campaign_tallies_campaign_id_fkey;
create function public.drop_campaign_tallies() returns trigger language plpgsql as $$
begin
  delete from public.campaign_tallies t using old_rows o where t.campaign_id = o.id;
  return null;
end $$;
create trigger campaigns_drop_tallies after delete on public.campaigns
  referencing old table as old_rows for each statement execute function public.drop_campaign_tallies();
revoke execute on function public.drop_campaign_tallies() from public, anon, authenticated;
