-- ---
-- id: aws/s3-ransom-note-uploaded
-- title: Ransom note uploaded to an S3 bucket
-- severity: high
-- sources: [aws]
-- attack: [T1486, T1485]
-- controls:
--   soc2_2017: ['CC7.2']
--   iso27001_2022: ['A.8.16']
--   nist_800_53_r5: ['SI-4']
-- method: match
-- keys: [resource]
-- description: >
--   An object written (PutObject, CopyObject) whose file name is one ransomware leaves for its victim:
--   HOW_TO_DECRYPT_FILES.txt, RANSOM_NOTE.txt, FILES_ENCRYPTED.html, README_TO_RESTORE.txt and the like
--   (name_pattern, a case-insensitive regular expression on the name after the last slash). S3
--   ransomware deletes or re-encrypts a bucket's objects and leaves such a note, so this is often the
--   first visible trace. One finding per bucket. Needs S3 data events in the trail.
-- remediation: >
--   Treat the bucket as under attack: find who wrote the note and stop that principal, check for
--   deletions, overwrites, SSE-C writes and versioning changes in the hours before, and restore from
--   object versions or backups.
-- false_positives:
--   - "Security awareness or incident-response exercises that plant a sample note: suppress by actor."
--   - "Software documentation named like a note (a project's DECRYPT.md): narrow name_pattern."
-- params:
--   name_pattern: '(how|what)[ _.-]*to[ _.-]*(decrypt|recover|restore|unlock|get[ _.-]*back)|ransom|decrypt[ _.-]*(your|my|all)?[ _.-]*(files|data|instructions|readme)|(files|data)[ _.-]*(are[ _.-]*|were[ _.-]*)?(encrypted|locked)|restore[ _.-]*(my|your|all)?[ _.-]*files|readme[ _.-]*(to|for)[ _.-]*(decrypt|restore|recover)'
-- ---
with writes as (
  select
    event_id,
    event_time,
    actor,
    account,
    region,
    source_ip,
    action,
    -- the object key from the object ARN when the record lists one (no need to parse raw), else raw
    coalesce(
      regexp_extract(list_filter(resources, r -> r like 'arn:aws%:s3:::%/%')[1], '^arn:aws[a-z-]*:s3:::[^/]+/(.+)$', 1),
      raw->>'$.requestParameters.key'
    ) as object_key,
    coalesce(raw->>'$.requestParameters.bucketName', resources[1]) as bucket
  from events
  where source = 'aws'
    and event_time >= getvariable('window_start')
    and event_time < getvariable('window_end')
    and service = 's3.amazonaws.com'
    and action in ['PutObject', 'CopyObject']
    and outcome = 'success'
),
notes as (
  select
    *
  from writes
  where regexp_matches(regexp_extract(object_key, '[^/]*$'), getvariable('name_pattern'), 'i')
)
select
  min(event_time) as event_time,
  arg_min(actor, event_time) as actor,
  account,
  arg_min(region, event_time) as region,
  arg_min(source_ip, event_time) as source_ip,
  string_agg(distinct action, ', ' order by action) as action,
  bucket as resource,
  format('{} uploaded what looks like a ransom note to bucket {}: {}', arg_min(actor, event_time), bucket,
    array_to_string(list(distinct object_key order by object_key)[1:5], ', ')) as summary,
  arg_min(event_id, event_time, 200) as evidence
from notes
group by account, bucket
order by event_time
