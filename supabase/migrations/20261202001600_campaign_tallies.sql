-- Counters a read can sum instead of scanning a campaign's contacts and
-- calls (a million-contact campaign read in milliseconds, not seconds).
--
-- campaign_tallies is append-only: triggers add a signed delta per change,
-- never updating a shared row, so many calls of one campaign ending at
-- once do not queue on a counter; the tick compacts each campaign's deltas
-- into one row per bucket (public.compact_campaign_tallies).
--
-- A bucket is what the contacts table shows: the status, ended reason and
-- disposition of each contact's latest call, NOT_CALLED while it has none.
-- n counts contacts in the bucket. cost sums every call's cost, all
-- attempts included, in deltas of their own (status '').
create table public.campaign_tallies (
  id           bigserial primary key,
  campaign_id  uuid not null references public.campaigns (id) on delete cascade,
  status       text not null,
  ended_reason text not null default '',
  disposition  text not null default '',
  n            bigint not null default 0,
  cost         numeric not null default 0
);
create index campaign_tallies_campaign_idx on public.campaign_tallies (campaign_id);
alter table public.campaign_tallies enable row level security;
revoke all on public.campaign_tallies from anon, authenticated;
revoke all on sequence public.campaign_tallies_id_seq from anon, authenticated;

-- New contacts are NOT_CALLED (an import inserts thousands per statement,
-- hence statement-level triggers over transition tables).
create function public.tally_contacts_inserted() returns trigger language plpgsql as $$
begin
  insert into public.campaign_tallies (campaign_id, status, n)
  select campaign_id, 'NOT_CALLED', count(*) from new_rows where last_call_id is null group by campaign_id;
  insert into public.campaign_tallies (campaign_id, status, ended_reason, disposition, n)
  select r.campaign_id, coalesce(l.status, 'PENDING'), coalesce(l.ended_reason, ''), coalesce(l.disposition, ''), count(*)
  from new_rows r left join public.calls l on l.id = r.last_call_id
  where r.last_call_id is not null group by 1, 2, 3, 4;
  return null;
end $$;
create trigger contacts_tally_insert after insert on public.contacts
  referencing new table as new_rows for each statement execute function public.tally_contacts_inserted();

-- A contact's latest call changes only when the tick claims a dial or
-- releases one (lib/scheduler/claim.go). The bucket left is read from the
-- old call; a call that no longer exists was a released claim, which is
-- always PENDING. The calls trigger below never moves a contact whose
-- latest call changes in the same statement: those claims insert calls.
create function public.tally_contacts_updated() returns trigger language plpgsql as $$
begin
  with moved as (
    select o.campaign_id, o.last_call_id as old_call, n.last_call_id as new_call
    from old_rows o join new_rows n on n.id = o.id
    where o.last_call_id is distinct from n.last_call_id
  ), deltas as (
    select m.campaign_id,
      case when m.old_call is null then 'NOT_CALLED' else coalesce(l.status, 'PENDING') end as status,
      coalesce(l.ended_reason, '') as ended_reason, coalesce(l.disposition, '') as disposition, -1 as n
    from moved m left join public.calls l on l.id = m.old_call
    union all
    select m.campaign_id,
      case when m.new_call is null then 'NOT_CALLED' else coalesce(l.status, 'PENDING') end,
      coalesce(l.ended_reason, ''), coalesce(l.disposition, ''), 1
    from moved m left join public.calls l on l.id = m.new_call
  )
  insert into public.campaign_tallies (campaign_id, status, ended_reason, disposition, n)
  select campaign_id, status, ended_reason, disposition, sum(n) from deltas
  group by 1, 2, 3, 4 having sum(n) <> 0;
  return null;
end $$;
create trigger contacts_tally_update after update on public.contacts
  referencing old table as old_rows new table as new_rows for each statement execute function public.tally_contacts_updated();

-- A call's outcome moves its contact between buckets while it is the
-- contact's latest; its cost counts whether or not it is.
create function public.tally_calls_updated() returns trigger language plpgsql as $$
begin
  with changed as (
    select n.campaign_id, n.id, n.contact_id,
      o.status as o_status, coalesce(o.ended_reason, '') as o_reason, coalesce(o.disposition, '') as o_disp,
      n.status as n_status, coalesce(n.ended_reason, '') as n_reason, coalesce(n.disposition, '') as n_disp,
      coalesce(n.cost, 0) - coalesce(o.cost, 0) as cost
    from old_rows o join new_rows n on n.id = o.id
  ), moved as (
    select c.* from changed c join public.contacts k on k.id = c.contact_id and k.last_call_id = c.id
    where (c.o_status, c.o_reason, c.o_disp) is distinct from (c.n_status, c.n_reason, c.n_disp)
  ), deltas as (
    select campaign_id, o_status as status, o_reason as ended_reason, o_disp as disposition, -1 as n, 0 as cost from moved
    union all
    select campaign_id, n_status, n_reason, n_disp, 1, 0 from moved
    union all
    select campaign_id, '', '', '', 0, cost from changed where cost <> 0
  )
  insert into public.campaign_tallies (campaign_id, status, ended_reason, disposition, n, cost)
  select campaign_id, status, ended_reason, disposition, sum(n), sum(cost) from deltas
  group by 1, 2, 3, 4 having sum(n) <> 0 or sum(cost) <> 0;
  return null;
end $$;
create trigger calls_tally_update after update on public.calls
  referencing old table as old_rows new table as new_rows for each statement execute function public.tally_calls_updated();

-- Inserted and deleted calls change only the cost: whichever contact
-- points at them is counted by the contacts trigger.
create function public.tally_calls_cost() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into public.campaign_tallies (campaign_id, status, cost)
    select campaign_id, '', sum(cost) from new_rows where cost is not null and cost <> 0 group by campaign_id;
  else
    insert into public.campaign_tallies (campaign_id, status, cost)
    select campaign_id, '', -sum(cost) from old_rows where cost is not null and cost <> 0
      and exists (select 1 from public.campaigns c where c.id = old_rows.campaign_id)
    group by campaign_id;
  end if;
  return null;
end $$;
create trigger calls_tally_insert after insert on public.calls
  referencing new table as new_rows for each statement execute function public.tally_calls_cost();
create trigger calls_tally_delete after delete on public.calls
  referencing old table as old_rows for each statement execute function public.tally_calls_cost();

-- Folds a campaign's deltas into one row per bucket. Deltas inserted while
-- it runs are not in its snapshot and stay for the next compaction; two
-- compactions at once each fold only the rows they deleted.
create function public.compact_campaign_tallies(campaign uuid) returns void language sql as $$
  with gone as (delete from public.campaign_tallies where campaign_id = campaign returning *)
  insert into public.campaign_tallies (campaign_id, status, ended_reason, disposition, n, cost)
  select campaign_id, status, ended_reason, disposition, sum(n), sum(cost) from gone
  group by 1, 2, 3, 4 having sum(n) <> 0 or sum(cost) <> 0;
$$;

-- Campaigns that exist already: their tallies, from the rows themselves.
insert into public.campaign_tallies (campaign_id, status, ended_reason, disposition, n)
select k.campaign_id, coalesce(l.status, 'NOT_CALLED'), coalesce(l.ended_reason, ''), coalesce(l.disposition, ''), count(*)
from public.contacts k left join public.calls l on l.id = k.last_call_id
group by 1, 2, 3, 4;
insert into public.campaign_tallies (campaign_id, status, cost)
select campaign_id, '', sum(cost) from public.calls where cost is not null group by campaign_id having sum(cost) <> 0;

-- The summary's suppressed count without scanning every contact.
create index contacts_suppressed_idx on public.contacts (campaign_id) where suppressed_at is not null;

-- The contacts page's search: a substring of name, business name or phone
-- (lowercased, joined by a separator a search cannot contain), served by
-- one trigram index instead of a scan of every contact.
create schema if not exists extensions;
create extension if not exists pg_trgm with schema extensions;
create function public.contact_search_text(name text, business_name text, phone text) returns text
  language sql immutable parallel safe
  return lower(name) || E'\x1f' || lower(business_name) || E'\x1f' || phone;
create index contacts_search_trgm_idx on public.contacts
  using gin (public.contact_search_text(name, business_name, phone) extensions.gin_trgm_ops);
drop index public.contacts_search_idx;

-- Supabase lets the API roles execute every new function by default; these
-- serve triggers, an index and the tick only.
revoke execute on function public.tally_contacts_inserted(), public.tally_contacts_updated(),
  public.tally_calls_updated(), public.tally_calls_cost(), public.compact_campaign_tallies(uuid),
  public.contact_search_text(text, text, text) from public, anon, authenticated;
