-- System defaults. Admins change them through PATCH /api/admin/config;
-- re-running the seed never overwrites an admin's choice.
insert into public.system_config (key, value) values
  ('default_concurrency_cap', '8'),
  ('account_concurrency_cap', '10'),
  ('default_cron_cadence', '60'),
  ('default_region', '"US"')
on conflict (key) do nothing;
