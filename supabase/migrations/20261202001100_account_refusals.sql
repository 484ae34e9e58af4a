-- Calls Vapi refused for the account's sake (no credits, a frozen
-- subscription, its own transient faults…): the contact is dialed again
-- and such an attempt does not use up one of the contact's redials.
alter table public.calls
  add column refused boolean not null default false;

-- An account refusal pauses each campaign it hits and tells admins once
-- per pause; detail is the text they read.
alter table public.alerts drop constraint alerts_kind_check;
alter table public.alerts add constraint alerts_kind_check
  check (kind in ('account-day', 'account-month', 'campaign', 'vapi-account'));
alter table public.alerts add column detail text;
