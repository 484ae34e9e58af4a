-- Outcomes a calling team acts on (issue 18): the fields a campaign's
-- assistant extracts from each call, the values found per call, the
-- result a person chose (by rule or by hand) per contact, and callbacks
-- the person asked for.

-- The campaign's outcome field definitions ([{name, type, description,
-- options}]) and disposition rules ([{field, equals, result}]), checked by
-- lib/outcome before they are stored.
alter table public.campaigns
  add column outcome_fields jsonb not null default '[]'::jsonb,
  add column outcome_rules  jsonb not null default '[]'::jsonb;

-- The call's outcome values by field name, typed as the field says
-- (written on the end-of-call report); callback marks an attempt placed
-- because the person asked to be called back, which is not one of the
-- campaign's redials.
alter table public.calls
  add column outcomes jsonb,
  add column callback boolean not null default false;

-- result is the business disposition ("won", "lost", "opt-out"…), not
-- calls.disposition (the ended reason's category); result_source says
-- whether a rule or a person set it, and who and when. callback_at is a
-- callback due, already placed inside the calling window.
alter table public.contacts
  add column result        text check (char_length(result) between 1 and 40),
  add column result_source text check (result_source in ('rule', 'manual')),
  add column result_set_by uuid,
  add column result_set_at timestamptz,
  add column callback_at   timestamptz;

-- The tick's "callbacks due" scan and the waiting/next-calls reads.
create index contacts_callback_idx on public.contacts (campaign_id, callback_at)
  where callback_at is not null;

-- A contact's outcomes are those of its latest call that has any (a
-- callback that went unanswered does not hide what was said before); the
-- summary counts them per campaign without reading its other calls.
create index calls_outcomes_idx on public.calls (campaign_id, contact_id, attempt desc) where outcomes is not null;
-- The summary's count of results reads only contacts that have one.
create index contacts_result_idx on public.contacts (campaign_id, result) where result is not null;
