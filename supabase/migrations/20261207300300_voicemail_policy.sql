-- Voicemail policy per campaign (lib/campaign/voicemail.go): hang up on a
-- voicemail Vapi detects (the default), or leave voicemail_message, only
-- on a contact's last attempt. The message is Vapi's
-- assistantOverrides.voicemailMessage, at most 1000 characters.
alter table public.campaigns
  add column voicemail_policy  text not null default 'hangup'
    check (voicemail_policy in ('hangup', 'message_last_attempt')),
  add column voicemail_message text check (char_length(voicemail_message) between 1 and 1000),
  add constraint campaigns_voicemail_message_needed
    check (voicemail_policy = 'hangup' or voicemail_message is not null);

-- An attempt that carried the voicemail message: with a voicemail
-- outcome, the message was left. The partial index counts a campaign's.
alter table public.calls add column voicemail_message_sent boolean not null default false;
create index calls_voicemail_message_idx on public.calls (campaign_id) where voicemail_message_sent;

-- Call screening (a service that answers for the person and asks who is
-- calling) is counted apart from answered calls: Vapi has no ended
-- reason for it, so the end-of-call report's transcript tells it
-- (lib/callstate/screening.go).
alter table public.calls drop constraint calls_disposition_check;
alter table public.calls add constraint calls_disposition_check check (disposition in
  ('answered', 'no-answer', 'busy', 'voicemail', 'screened', 'failed', 'canceled', 'timeout', 'unknown'));
