import type { RecordFormat } from './record-format.js';

// PLACEHOLDER until the real mapping lands: matches nothing.
export const cloudtrailFormat: RecordFormat = {
  id: 'cloudtrail',
  source: 'aws',
  description: 'cloudtrail (not yet mapped)',
  matchSql: 'false',
  projection: (input) =>
    `select origin, position, r as raw, null::varchar as event_id, null::timestamptz as event_time, null::varchar as account, null::varchar as region, null::varchar as service, null::varchar as action, null::varchar as log_type, null::varchar as actor, null::varchar as actor_type, null::varchar as actor_issuer, null::varchar as source_ip, null::varchar as user_agent, 'unknown' as outcome, null::varchar as error_code, null::varchar as error_message, null::boolean as mfa, []::varchar[] as resources, null::json as details from ${input}`,
};
