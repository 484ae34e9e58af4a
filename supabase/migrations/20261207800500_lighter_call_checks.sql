-- Postgres reads a table CHECK and a trigger's WHEN from their stored
-- text again at every statement that writes the table, so their cost is
-- their length, paid at every webhook's update of calls whatever the row.

-- The tally trigger fires only for updates that name a column a tally
-- counts: the retention purge, reconciliation's marks and outcomes never
-- consider it. Its condition only rules out what most news is, a live
-- call staying live; tally_call_row decides the rest, as it always has.
-- (Its former condition was 2.4 KB of stored expression: a twentieth of
-- the instructions a ringing or in-progress webhook costs Postgres.)
drop trigger calls_tally_row on public.calls;
create trigger calls_tally_row after update of status, ended_reason, disposition, cost on public.calls for each row
  when (not (old.live and new.live) or old.cost is distinct from new.cost)
  execute function public.tally_call_row();

-- The same statuses as one array constant instead of eight: a third of
-- the text to read. Adding it scans calls (reading status only) under
-- the ALTER's lock; nothing is rewritten.
alter table public.calls
  drop constraint calls_status_check,
  add constraint calls_status_check
    check (status = any ('{PENDING,QUEUED,RINGING,IN_PROGRESS,ENDED,FAILED,CANCELED,TIMEOUT}'::text[]));
