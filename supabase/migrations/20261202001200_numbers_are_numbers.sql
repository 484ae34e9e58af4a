-- Amounts are finite: numeric accepts 'NaN', and NaN > 0 is true in
-- Postgres, so a NaN spend limit passed the positivity check yet never
-- fired. A stored NaN behaved as no limit; it becomes exactly that.
update public.campaigns set spend_limit_usd = null where spend_limit_usd = 'NaN';
update public.campaigns set spend_alert_usd = null where spend_alert_usd = 'NaN';
alter table public.campaigns
  add constraint campaigns_spend_limit_finite check (spend_limit_usd <> 'NaN'),
  add constraint campaigns_spend_alert_finite check (spend_alert_usd <> 'NaN');

-- Retention horizons are read back with ::int; a stored 30.0 made every
-- read fail. Whole numbers only, from now on written as such.
update public.system_config set value = to_jsonb(round((value #>> '{}')::numeric)::int)
where key in ('retention_transcript_days', 'retention_pii_days') and jsonb_typeof(value) = 'number';
