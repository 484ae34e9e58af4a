-- A contact held back by the frequency cap is not probed again on every
-- tick: the claim (lib/scheduler/claim.go) records when its number frees
-- and skips it until then, so a campaign of many held contacts does not
-- cost a probe per contact per tick under the account lock.
alter table public.contacts add column held_until timestamptz;
create index contacts_held_idx on public.contacts (held_until) where held_until is not null;

-- held_until is only ever too late when a number frees earlier than its
-- attempts said: the cap's setting changed, an attempt was deleted (a
-- released claim) or turned out refused for the account (it does not
-- count). Each clears the marks, and the next claim probes again.
create function public.clear_frequency_holds() returns trigger language plpgsql as $$
begin
  update public.contacts set held_until = null where held_until is not null;
  return null;
end $$;
create trigger system_config_frequency_cap after insert or update on public.system_config
  for each row when (new.key in ('frequency_cap_attempts', 'frequency_cap_days'))
  execute function public.clear_frequency_holds();
create trigger calls_deleted_frees_holds after delete on public.calls
  for each statement execute function public.clear_frequency_holds();

create function public.clear_number_holds() returns trigger language plpgsql as $$
begin
  update public.contacts k set held_until = null
  where k.held_until is not null and k.phone = (select o.phone from public.contacts o where o.id = new.contact_id);
  return null;
end $$;
create trigger calls_refused_frees_holds after update of refused on public.calls
  for each row when (new.refused and not old.refused)
  execute function public.clear_number_holds();
revoke execute on function public.clear_frequency_holds(), public.clear_number_holds() from public, anon, authenticated;
