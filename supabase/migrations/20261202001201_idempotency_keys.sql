-- Answers of creates and uploads a client may send again with the same
-- Idempotency-Key (lib/idempotency). Server-side only: RLS on, no policy,
-- nothing granted to the API roles. Keys are forgotten after a day.
create table public.idempotency_keys (
  user_id    uuid not null,
  key        text not null check (length(key) between 1 and 200),
  scope      text not null,
  -- The answer's JSON as sent (text, not jsonb: a replay is byte-identical).
  answer     text,
  created_at timestamptz not null default now(),
  primary key (user_id, key)
);
alter table public.idempotency_keys enable row level security;
revoke all on public.idempotency_keys from anon, authenticated;
