-- The least a database must do for AutoLynx's hot paths, with none of
-- AutoLynx's code: a call row and its event log for webhooks (the import's
-- ceiling runs on our migrated schema instead, see bench-ceiling).
create table calls (
  id bigint primary key,
  status text not null,
  updated_at timestamptz not null default now()
);
create table call_events (
  id bigserial primary key,
  call_id bigint not null,
  type text not null,
  payload jsonb not null,
  received_at timestamptz not null default now()
);
create index on call_events (call_id);
insert into calls (id, status) select g, 'QUEUED' from generate_series(1, 10000) g;

