-- assistants.config carries no credential, header value or webhook secret
-- (security review H1). Rows stored before are cut to what lib/assistant
-- keeps: the configurable top-level keys (assistant.storedKeys), a server
-- reduced to its delivery tuning, and nothing at any depth under a
-- credential-like name (assistant.secretKeyPattern; booleans are flags
-- and stay). These are assistant.Scrub's rules; a test runs this file on
-- dirty rows and compares with Scrub. Re-running it changes nothing.
create or replace function pg_temp.scrub_assistant_value(v jsonb) returns jsonb
language plpgsql immutable as $$
begin
  return case jsonb_typeof(v)
    when 'object' then coalesce((
      select jsonb_object_agg(key, pg_temp.scrub_assistant_value(value))
      from jsonb_each(v)
      where jsonb_typeof(value) = 'boolean'
         or lower(key) !~ 'secret|password|credential|authentication|authorization|^(sip)?headers$|key$|keyid$|token$'),
      '{}'::jsonb)
    when 'array' then coalesce((
      select jsonb_agg(pg_temp.scrub_assistant_value(value) order by n)
      from jsonb_array_elements(v) with ordinality as e(value, n)),
      '[]'::jsonb)
    else v
  end;
end;
$$;

create or replace function pg_temp.scrub_assistant_config(cfg jsonb) returns jsonb
language plpgsql immutable as $$
declare
  kept jsonb;
  server jsonb;
begin
  if jsonb_typeof(cfg) <> 'object' then
    return '{}'::jsonb;
  end if;
  select coalesce(jsonb_object_agg(key, value), '{}'::jsonb) into kept
  from jsonb_each(cfg)
  where key = any (array[
    'analysisPlan', 'artifactPlan', 'backgroundSound', 'backgroundSpeechDenoisingPlan',
    'clientMessages', 'compliancePlan', 'endCallMessage', 'endCallPhrases', 'firstMessage',
    'firstMessageInterruptionsEnabled', 'firstMessageMode', 'hooks', 'keypadInputPlan',
    'maxDurationSeconds', 'metadata', 'model', 'modelOutputInMessagesEnabled', 'monitorPlan',
    'observabilityPlan', 'serverMessages', 'startSpeakingPlan', 'stopSpeakingPlan',
    'transcriber', 'transportConfigurations', 'voice', 'voicemailDetection',
    'voicemailMessage', 'systemPrompt']);
  if jsonb_typeof(cfg -> 'server') = 'object' then
    select jsonb_object_agg(key, value) into server
    from jsonb_each(cfg -> 'server')
    where key in ('timeoutSeconds', 'backoffPlan', 'staticIpAddressesEnabled');
    if server is not null then
      kept := kept || jsonb_build_object('server', server);
    end if;
  end if;
  return pg_temp.scrub_assistant_value(kept);
end;
$$;

update public.assistants set config = pg_temp.scrub_assistant_config(config)
where config is distinct from pg_temp.scrub_assistant_config(config);

drop function pg_temp.scrub_assistant_config(jsonb);
drop function pg_temp.scrub_assistant_value(jsonb);

-- Signed-in users read assistants through the API only as far as their
-- role allows (operators: display fields); directly through PostgREST
-- they see the directory's columns but never the config.
revoke select on public.assistants from authenticated;
grant select (id, provider_assistant_id, name, source, active, created_at, updated_at, deleted_at)
  on public.assistants to authenticated;
