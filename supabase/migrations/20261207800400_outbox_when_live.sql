-- call.finished's trigger asks whether the call stopped being live as
-- calls.live says it (20261207700050), the same condition as its two
-- status lists: a trigger's WHEN is read back from its text and planned
-- at every update of calls, every webhook's included, and two boolean
-- columns cost less to read and plan than two lists of statuses.
drop trigger calls_outbox_finished on public.calls;
create trigger calls_outbox_finished after update of status on public.calls
  for each row
  when (old.live and not new.live)
  execute function public.outbox_row_event('call.finished');
