-- Calls Vapi refused for the account's sake (no credits, a frozen
-- subscription, its own transient faults…): the contact is dialed again
-- and such an attempt does not use up one of the contact's redials.
alter table public.calls
  add column refused boolean not null default false;

-- Alerts that are not about spend: an account refusal that paused a
-- campaign (once per pause), a call reconciliation gave up on. detail is
-- the text admins read.
alter table public.alerts drop constraint alerts_kind_check;
alter table public.alerts add constraint alerts_kind_check
  check (kind in ('account-day', 'account-month', 'campaign', 'vapi-account', 'reconcile-failed'));
alter table public.alerts add column detail text;
