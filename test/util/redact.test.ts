import { describe, expect, it } from 'vitest';
import { REDACTED, redact, redactJson } from '../../src/util/redact.js';

// Test secrets are built from parts so secret scanners do not flag this file.
const AKIA = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');
const ASIA = ['ASIA', 'Y34FZKBOKMUTVV7A'].join('');
const SECRET_KEY = ['wJalrXUtnFEMI', '/K7MDENG/bPxRfiCY', 'EXAMPLEKEY'].join('');
const JWT = [
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9',
  'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ',
  'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
].join('.');
const PEM = [
  '-----BEGIN PRIVATE KEY-----',
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
  'MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu',
  '-----END PRIVATE KEY-----',
].join('\n');

function expectGone(text: string, secret: string): string {
  const out = redact(text);
  expect(out).not.toContain(secret);
  expect(out).toContain(REDACTED);
  return out;
}

describe('redact: credentials are masked', () => {
  it('AWS access key ids, keeping the prefix that tells their kind', () => {
    expect(redact(`The security token included in the request is invalid (key ${AKIA})`)).toBe(
      `The security token included in the request is invalid (key AKIA${REDACTED})`,
    );
    expectGone(`accessKeyId=${ASIA}`, ASIA);
  });

  it('AWS secret access keys in key=value, ini, env and JSON contexts', () => {
    expectGone(`aws_secret_access_key = ${SECRET_KEY}`, SECRET_KEY);
    expectGone(`AWS_SECRET_ACCESS_KEY=${SECRET_KEY}`, SECRET_KEY);
    const json = redact(
      JSON.stringify({
        accessKeyId: AKIA,
        secretAccessKey: SECRET_KEY,
        sessionToken: 'FwoGZXIvYXdzEJr//abc',
      }),
    );
    expect(json).not.toContain(SECRET_KEY);
    expect(json).not.toContain('FwoGZXIvYXdzEJr');
    expect(JSON.parse(json)).toEqual({
      accessKeyId: `AKIA${REDACTED}`,
      secretAccessKey: REDACTED,
      sessionToken: REDACTED,
    });
    // Escaped JSON inside a message (an SDK error quoting a request body).
    expectGone(`body: {\\"SecretAccessKey\\":\\"${SECRET_KEY}\\"}`, SECRET_KEY);
  });

  it('bearer tokens and JWTs', () => {
    expect(redact('Authorization: Bearer ya29.a0AfH6SMBx-long-token-value_123')).toBe(
      `Authorization: Bearer ${REDACTED}`,
    );
    expectGone(`id_token ${JWT} rejected`, JWT);
    expectGone(`token=${JWT}`, JWT);
    expectGone('Authorization: Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA');
    expectGone('ya29.a0AfH6SMBxTheRestOfAnOAuthToken', 'TheRestOfAnOAuthToken');
  });

  it('Azure SAS tokens and storage connection strings', () => {
    const sas =
      'https://acct.blob.core.windows.net/insights-activity-logs?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2026-01-01T00:00:00Z&sig=AbCdEf%2BGhIjKlMnOp%3D';
    const out = expectGone(sas, 'AbCdEf%2BGhIjKlMnOp');
    expect(out).toContain('se=2026-01-01T00:00:00Z');
    expect(out).toContain('acct.blob.core.windows.net/insights-activity-logs');
    expectGone(
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4==;EndpointSuffix=core.windows.net',
      'Zm9vYmFyYmF6cXV4',
    );
    expectGone('client_secret=Abc8Q~xyz.0123456789', 'Abc8Q~xyz');
  });

  it('GCP service account keys and PEM private keys', () => {
    const sa = JSON.stringify({
      type: 'service_account',
      project_id: 'acme-prod',
      private_key_id: '4f2a1b',
      private_key: `${PEM}\n`,
      client_email: 'ingest@acme-prod.iam.gserviceaccount.com',
    });
    const out = redact(sa);
    expect(out).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw');
    expect(out).toContain('ingest@acme-prod.iam.gserviceaccount.com');
    expect(out).toContain('acme-prod');
    expectGone(`key:\n${PEM}`, 'MzEfYyjiWA4R4');
    expectGone('-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA75truncated', 'MIIEowIBAAKCAQEA75');
    expectGone(
      '"private_key": "-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIO\\n-----END EC PRIVATE KEY-----\\n"',
      'MHcCAQEEIO',
    );
  });

  it('passwords in connection strings and URLs', () => {
    expectGone('Server=db;Database=audit;User Id=svc;Password=Hunter2!;', 'Hunter2!');
    expectGone('postgres://svc:s3cr3t@db.internal:5432/audit', 's3cr3t');
    expect(redact('https://proxy:pa55@proxy.corp:3128')).toBe(`https://proxy:${REDACTED}@proxy.corp:3128`);
    expectGone('password: "correct horse battery staple"', 'correct horse');
    expectGone('password: hunter2', 'hunter2');
    expectGone('password=hunter', 'hunter');
    expectGone("ATTACH 'x.duckdb' AS s (ENCRYPTION_KEY 'k3y-value-long')", 'k3y-value-long');
  });

  it('Slack webhook URLs, whose path is the credential', () => {
    const hook = [
      'https://hooks.slack.com/services/T0',
      '1ABCDEF/B0',
      '2GHIJKL/',
      'aBcDeFgHiJkLmNoPqRsTuVwX',
    ].join('');
    const out = expectGone(`POST ${hook} failed: 404 no_service`, 'aBcDeFgHiJkLmNoPqRsTuVwX');
    expect(out).toBe(`POST https://hooks.slack.com/services/${REDACTED} failed: 404 no_service`);
    expectGone('hooks.slack.com/workflows/T01ABC/A02DEF/123456/xyzSecret', 'xyzSecret');
  });

  it('redactJson masks fields of a log line', () => {
    const line = redactJson({ event: 'auth', token: 'abc.def.ghi123', scope: '111122223333' });
    expect(line).not.toContain('abc.def.ghi123');
    expect(line).toContain('111122223333');
  });
});

describe('redact: identifiers that look like secrets stay readable', () => {
  const keep = [
    // CloudTrail eventID / requestID and other GUIDs
    'event 3f6c2a1e-8b7d-4e0f-9a2b-1c3d5e7f9a0b failed to normalize',
    'requestID: 5d1f9c0e-2b3a-4c5d-8e9f-0a1b2c3d4e5f',
    // ARNs, including secret and parameter names
    'arn:aws:iam::111122223333:role/OrganizationAccountAccessRole',
    'arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-password-AbCdEf',
    'arn:aws:ssm:us-east-1:111122223333:parameter/prod/db_password: access denied',
    'arn:aws:sts::111122223333:assumed-role/Admin/alice@example.com',
    // object keys and paths
    's3://trail-bucket/AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/02/111122223333_CloudTrail_us-east-1_20260102T0000Z_abc.json.gz',
    // a 40-character hex digest (not a secret key: no key=value context)
    'commit 9fceb02d0ae598e95dc970b74767f19372d61af8',
    'sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    // GCP insertId and Azure ids
    'insertId: -x1q2w3e4r5t6',
    'correlationId 0f8fad5b-d9cb-469f-a165-70867728950e subscription 00000000-0000-0000-0000-000000000000',
    // pagination cursors are not credentials
    '{"nextPageToken":"EAAaEgoQCAEQARgBIAEoATABOAFAAQ"}',
    'NextToken=eyJ2IjoiMSJ9 returned',
    // prose
    'Bearer authentication failed for the workspace',
    'the IAM user has no password: console login disabled',
    'https://example.com:443/path?x=1',
    'user@example.com signed in from 203.0.113.7',
    'eventName: GetSecretValue, eventSource: secretsmanager.amazonaws.com',
    '"password": null, "token": ""',
    'AKIA alone, AKIASHORT, and AKIAIOSFODNN7EXAMPLEXXXX (too long to be a key id)',
  ];
  for (const text of keep) {
    it(text.slice(0, 60), () => {
      expect(redact(text)).toBe(text);
    });
  }

  it('is fast enough for error paths (1 MB in well under a second)', () => {
    const big = `${'eventID 3f6c2a1e-8b7d-4e0f-9a2b-1c3d5e7f9a0b arn:aws:iam::111122223333:role/x '.repeat(12_000)}`;
    const t = performance.now();
    expect(redact(big)).toBe(big);
    expect(performance.now() - t).toBeLessThan(1000);
  });
});
