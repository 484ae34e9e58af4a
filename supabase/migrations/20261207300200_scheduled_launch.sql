-- Scheduled launch: Start with a time makes a campaign SCHEDULED until
-- scheduled_at, when the tick makes it QUEUED (lib/campaign/schedule.go).
-- A paused scheduled campaign remembers it (paused_from) and resumes to
-- its schedule.
alter table public.campaigns drop constraint campaigns_status_check;
alter table public.campaigns add constraint campaigns_status_check check (status in
  ('CREATED', 'SCHEDULED', 'QUEUED', 'DIALING', 'RUNNING', 'PAUSED', 'STOPPED', 'COMPLETED', 'FAILED'));
alter table public.campaigns drop constraint campaigns_paused_from_check;
alter table public.campaigns add constraint campaigns_paused_from_check check (paused_from in
  ('SCHEDULED', 'QUEUED', 'DIALING', 'RUNNING'));
alter table public.campaigns add column scheduled_at timestamptz;
-- The tick's "which scheduled campaigns are due" scan.
create index campaigns_scheduled_idx on public.campaigns (scheduled_at) where status = 'SCHEDULED';
