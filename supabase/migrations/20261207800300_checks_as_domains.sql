-- Checks every webhook paid for at every statement. A table's CHECK is
-- read back from its stored text and planned whenever a statement writes
-- the table, so each webhook's update of calls parsed three and its event
-- row one; a domain's check is kept with the type, parsed once a session,
-- and runs only on the columns a statement assigns. The values allowed
-- are the same. (calls.status keeps its CHECK: the generated columns are
-- computed from it, and changing its type means rewriting the table.)
--
-- Each domain gets its check after its columns have the type: a column
-- moved to a domain that has a check is rewritten, every row, while
-- adding the check to the domain only reads the rows once (about 0.1 s
-- for 300,000 rows here), and call_events can be large.
create domain public.call_disposition as text;
create domain public.attempt_number as integer;
-- The tally trigger names disposition: it is made again once the column
-- has its type.
drop trigger calls_tally_row on public.calls;
alter table public.calls
  drop constraint calls_disposition_check,
  drop constraint calls_attempt_check,
  alter column disposition type public.call_disposition,
  alter column attempt type public.attempt_number;
-- It fires only for updates that name a column a tally counts (the
-- retention purge, reconciliation's marks and outcomes never consider
-- it), and its condition only rules out what most news is, a live call
-- staying live (20261207800200): tally_call_row decides the rest. A
-- trigger's WHEN is read back from its stored text at every statement
-- that writes the table, so it is kept short (a condition spelling out
-- every column was 2.4 KB stored: a twentieth of the instructions a
-- ringing or in-progress webhook costs Postgres).
create trigger calls_tally_row after update of status, ended_reason, disposition, cost on public.calls for each row
  when (not (old.live and new.live) or old.cost is distinct from new.cost)
  execute function public.tally_call_row();
alter domain public.call_disposition add constraint call_disposition_check check (value in
  ('answered', 'no-answer', 'busy', 'voicemail', 'screened', 'failed', 'canceled', 'timeout', 'unknown'));
alter domain public.attempt_number add constraint attempt_number_check check (value >= 1);

create domain public.event_source as text;
alter table public.call_events
  drop constraint call_events_source_check,
  alter column source type public.event_source;
alter domain public.event_source add constraint event_source_check check (value in ('webhook', 'tick', 'api', 'reconcile'));

-- No statement reads it since calls_voicemail_left_idx (20261207500100)
-- serves the summary's count; every update of calls opened it.
drop index public.calls_voicemail_message_idx;
