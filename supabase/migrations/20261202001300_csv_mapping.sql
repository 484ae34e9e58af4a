-- The column mapping the first chunk of a campaign's list was read with
-- (field → header cells), so later chunks map their columns the same way.
alter table public.campaigns add column csv_mapping jsonb;
