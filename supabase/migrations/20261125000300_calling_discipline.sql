-- Calling discipline: local-time calling windows, redial rules, the
-- do-not-call list, spend limits and several caller numbers per campaign.

alter table public.campaigns
  add column window_start      time not null default '09:00',
  add column window_end        time not null default '17:00',
  -- ISO days of week (1 = Monday … 7 = Sunday).
  add column window_days       smallint[] not null default '{1,2,3,4,5}',
  -- Zone used for contacts whose number maps to no zone.
  add column fallback_timezone text not null default 'America/New_York',
  add column max_attempts      integer not null default 3 check (max_attempts between 1 and 10),
  add column retry_delay_minutes integer not null default 240 check (retry_delay_minutes between 1 and 10080),
  add column retry_dispositions text[] not null default '{no-answer,busy,voicemail}',
  add column spend_limit_usd   numeric(12, 2) check (spend_limit_usd > 0),
  add column auto_dnc_on_opt_out boolean not null default false,
  -- Caller numbers rotated by the tick; phone_number_id is the first.
  add column phone_number_ids  text[] not null default '{}',
  add constraint campaigns_window_check check (window_start < window_end);

update public.campaigns set phone_number_ids = array[phone_number_id] where phone_number_ids = '{}';

alter table public.contacts
  -- IANA zones of the number (several when the number spans zones).
  add column timezones       text[] not null default '{}',
  -- When a retry of this contact is due; null: none pending.
  add column next_attempt_at timestamptz,
  -- Set when the contact was found on the do-not-call list: never dialed again.
  add column suppressed_at   timestamptz;

create index contacts_retry_idx on public.contacts (campaign_id, next_attempt_at)
  where next_attempt_at is not null;

-- The account-wide do-not-call list, in E.164.
create table public.dnc (
  phone      text primary key check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  source     text not null default 'manual' check (source in ('manual', 'import', 'opt-out')),
  reason     text,
  created_by uuid,
  created_at timestamptz not null default now()
);
alter table public.dnc enable row level security;
create policy dnc_read on public.dnc for select to authenticated using (public.is_allowlisted());
revoke all on public.dnc from anon;
grant select on public.dnc to authenticated;

insert into public.system_config (key, value) values
  ('legal_window_start', '"08:00"'),
  ('legal_window_end', '"21:00"')
on conflict (key) do nothing;

-- Whether "at" falls inside the window [ws, we) on one of days in every
-- zone of the contact (the most restrictive rule for numbers spanning
-- several zones); a contact without zones uses the fallback zone.
create function public.in_calling_window(zones text[], fallback text, at timestamptz,
                                         ws time, we time, days smallint[])
returns boolean language sql stable as $$
  select bool_and(extract(isodow from (at at time zone z))::smallint = any(days)
                  and (at at time zone z)::time >= ws
                  and (at at time zone z)::time < we)
  from unnest(case when cardinality(zones) = 0 then array[fallback] else zones end) as z
$$;
