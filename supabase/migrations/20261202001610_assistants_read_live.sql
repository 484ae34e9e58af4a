-- Security review L2: a deleted assistant leaves the directory for the
-- API roles too; finished campaigns still name it through the server.
drop policy assistants_read on public.assistants;
create policy assistants_read on public.assistants
  for select to authenticated using (public.is_allowlisted() and deleted_at is null);
