-- The import's minimum work for the benchmark's 100,000 rows: COPY the CSV
-- into a temporary table, then one INSERT … SELECT … ON CONFLICT into our
-- contacts table (every column the import writes), in one transaction. The
-- CSV comes on standard input.
begin;
create temp table staged (name text, business_name text, phone text, city text) on commit drop;
\copy staged from pstdin with (format csv, header true)
insert into contacts (campaign_id, position, name, business_name, phone, variables, timezones)
select '00000000-0000-4000-8000-000000000002', row_number() over (), name, business_name, phone,
  jsonb_build_object('city', city), '{America/New_York}'
from staged
on conflict do nothing;
commit;
