-- Deleting a directory assistant keeps the row for the finished campaigns
-- that name it; it only leaves the directory. Vapi's copy is never deleted
-- implicitly.
alter table public.assistants add column deleted_at timestamptz;
alter table public.assistants drop constraint assistants_provider_assistant_id_key;
create unique index assistants_provider_live_key on public.assistants (provider_assistant_id)
  where deleted_at is null;
