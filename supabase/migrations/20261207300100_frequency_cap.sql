-- One history per phone number: the frequency cap counts a number's
-- attempts across campaigns at claim time (lib/campaign/frequency.go), and
-- GET /api/numbers/{phone}/calls lists them. Both find a number's
-- contacts in every campaign by this index, then their calls by
-- calls (contact_id, attempt).
create index contacts_phone_idx on public.contacts (phone);
-- The attempts inside the cap's window, from the side of their time:
-- how a campaign's held-back contacts are counted (cappedNumbersSQL).
create index calls_dialed_at_idx on public.calls ((coalesce(dial_requested_at, created_at))) where not refused;
