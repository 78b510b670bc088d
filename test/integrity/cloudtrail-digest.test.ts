import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  awsLogsKey,
  DigestFormatError,
  parseDigest,
  parseDigestKey,
  signingString,
} from '../../src/integrity/cloudtrail-digest.js';
import { type DigestFacts, evaluateChain } from '../../src/integrity/evaluate-chain.js';
import { keyObject, parsePublicKeyFile, verifySha256WithRsa } from '../../src/integrity/public-keys.js';
import { signDigest } from '../helpers/cloudtrail-digests.js';

// AWS's sample digest ("CloudTrail digest file structure"), trimmed.
const SAMPLE = {
  awsAccountId: '111122223333',
  digestStartTime: '2015-08-17T14:01:31Z',
  digestEndTime: '2015-08-17T15:01:31Z',
  digestS3Bucket: 'S3-bucket-name',
  digestS3Object:
    'AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz',
  digestPublicKeyFingerprint: '31e8b5433410dfb61a9dc45cc65b22ff',
  digestSignatureAlgorithm: 'SHA256withRSA',
  newestEventTime: '2015-08-17T14:52:27Z',
  oldestEventTime: '2015-08-17T14:42:27Z',
  previousDigestS3Bucket: 'S3-bucket-name',
  previousDigestS3Object:
    'AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T140131Z.json.gz',
  previousDigestHashValue: '97fb791cf91ffc440d274f8190dbdd9aa09c34432aba82739df18b6d3c13df2d',
  previousDigestHashAlgorithm: 'SHA-256',
  previousDigestSignature: '50887ccffad4c002b97caa37cc9dc626',
  logFiles: [
    {
      s3Bucket: 'S3-bucket-name',
      s3Object:
        'AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/17/111122223333_CloudTrail_us-east-2_20150817T1445Z_9nYN7gp2eWAJHIfT.json.gz',
      hashValue: '9bb6196fc6b84d6f075a56548feca262bd99ba3c2de41b618e5b6e22c1fc71f6',
      hashAlgorithm: 'SHA-256',
    },
  ],
};

describe('CloudTrail digest files', () => {
  it('reads account, region, trail and hour from a digest key, under any prefix or folder', () => {
    expect(parseDigestKey(`/data/sync/trail/${SAMPLE.digestS3Object}`)).toEqual({
      key: SAMPLE.digestS3Object,
      account: '111122223333',
      region: 'us-east-2',
      trail: 'your-trail-name',
      homeRegion: 'us-east-2',
      end: new Date('2015-08-17T15:01:31Z'),
      backfill: false,
    });
    const org = parseDigestKey(
      'p/AWSLogs/o-abcdef1234/444455556666/CloudTrail-Digest/eu-west-1/2026/11/02/444455556666_CloudTrail-Digest_eu-west-1_org_trail_us-east-1_20261102T010031Z_backfill.json.gz',
    );
    expect(org).toMatchObject({
      account: '444455556666',
      region: 'eu-west-1',
      trail: 'org_trail',
      homeRegion: 'us-east-1',
      backfill: true,
    });
    expect(org?.key.startsWith('AWSLogs/o-abcdef1234/')).toBe(true);
    expect(
      parseDigestKey('AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/02/digest.json.gz'),
    ).toBeNull();
    expect(parseDigestKey(SAMPLE.logFiles[0]?.s3Object ?? '')).toBeNull();
    expect(awsLogsKey('/x/MyAWSLogs/y')).toBeNull();
  });

  it('parses the fields verification uses, and says what a broken file lacks', () => {
    const d = parseDigest(JSON.stringify(SAMPLE));
    expect(d).toMatchObject({
      endText: '2015-08-17T15:01:31Z',
      bucket: 'S3-bucket-name',
      fingerprint: '31e8b5433410dfb61a9dc45cc65b22ff',
      previousHashValue: SAMPLE.previousDigestHashValue,
      previousSignature: SAMPLE.previousDigestSignature,
    });
    expect(d.logFiles).toEqual([
      expect.objectContaining({
        key: SAMPLE.logFiles[0]?.s3Object,
        hashValue: SAMPLE.logFiles[0]?.hashValue,
      }),
    ]);
    // The field list's name for the fingerprint is accepted too.
    const { digestPublicKeyFingerprint, ...rest } = SAMPLE;
    expect(
      parseDigest(JSON.stringify({ ...rest, publicKeyFingerprint: digestPublicKeyFingerprint })).fingerprint,
    ).toBe(digestPublicKeyFingerprint);
    expect(() => parseDigest(JSON.stringify({ ...SAMPLE, digestEndTime: undefined }))).toThrow(
      /missing digestEndTime/,
    );
    expect(() => parseDigest('{"logFiles": [')).toThrow(DigestFormatError);
  });

  it('signs end time, bucket/object, the digest hash and the previous signature, "null" for a first digest', () => {
    const base = { endText: 'E', bucket: 'b', object: 'AWSLogs/o', sha256: 'h' };
    expect(signingString({ ...base, previousSignature: 'ab' })).toBe('E\nb/AWSLogs/o\nh\nab');
    expect(signingString({ ...base, previousSignature: null })).toBe('E\nb/AWSLogs/o\nh\nnull');
  });

  it('reads public keys from list-public-keys output (PKCS#1 or SPKI) or a PEM map, and verifies', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs1 = publicKey.export({ format: 'der', type: 'pkcs1' }).toString('base64');
    const spki = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const fromCli = parsePublicKeyFile(
      JSON.stringify({
        PublicKeyList: [
          {
            Value: pkcs1,
            ValidityStartTime: '1436317441.0',
            ValidityEndTime: 1438909441,
            Fingerprint: 'AA11',
          },
          { Value: spki, Fingerprint: 'bb22' },
        ],
      }),
      'keys.json',
    );
    expect(fromCli.map((k) => [k.fingerprint, k.validFrom?.toISOString() ?? null])).toEqual([
      ['aa11', '2015-07-08T01:04:01.000Z'],
      ['bb22', null],
    ]);
    const fromPem = parsePublicKeyFile(JSON.stringify({ cc33: pem }), 'keys.json');
    const signature = signDigest(privateKey, 'data');
    for (const k of [...fromCli, ...fromPem]) {
      expect(verifySha256WithRsa(keyObject(k.value), 'data', signature)).toBe(true);
      expect(verifySha256WithRsa(keyObject(k.value), 'other', signature)).toBe(false);
    }
    expect(verifySha256WithRsa(keyObject(pkcs1), 'data', 'not hex')).toBe(false);
    expect(() => parsePublicKeyFile(JSON.stringify({ dd44: 'nope' }), 'keys.json')).toThrow(
      /not a PEM public key/,
    );
  });
});

describe('judging a chain', () => {
  const fact = (hour: number, overrides: Partial<DigestFacts> = {}): DigestFacts => ({
    digestKey: `AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/02/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20261102T${String(hour).padStart(2, '0')}0031Z.json.gz`,
    backfill: false,
    end: new Date(Date.UTC(2026, 10, 2, hour, 0, 31)),
    bucket: 'b',
    object: `o${hour}`,
    endText: `T${hour}`,
    sha256: `sha${hour}`,
    fingerprint: 'f',
    metaSignature: `sig${hour}`,
    previousKey: null,
    previousSha256: null,
    previousSignature: null,
    unreadable: null,
    signatureChecked: null,
    signatureOk: null,
    ...overrides,
  });
  const link = (hour: number, overrides: Partial<DigestFacts> = {}) =>
    fact(hour, {
      previousKey: fact(hour - 1).digestKey,
      previousSha256: `sha${hour - 1}`,
      previousSignature: `sig${hour - 1}`,
      ...overrides,
    });
  const accept = () => true;

  it('notes a restarted chain without calling it broken, and keeps backfill digests out of the chain', () => {
    const v = evaluateChain(
      [fact(1), link(2), fact(5), fact(6, { backfill: true, previousKey: 'x', previousSha256: 'y' })],
      [],
      accept,
    );
    expect(v.digests.map((d) => d.status)).toEqual(['valid', 'valid', 'valid', 'valid']);
    expect(v.digests[2]?.detail).toMatch(/the chain restarts here/);
    expect(v.missing).toEqual([]);
  });

  it('reuses a signature already verified when no key is at hand', () => {
    const noKey = () => 'no-key' as const;
    const checked = evaluateChain([fact(1, { signatureChecked: 'sig1', signatureOk: true })], [], noKey);
    expect(checked.digests[0]?.status).toBe('valid');
    const unchecked = evaluateChain([fact(1)], [], noKey);
    expect(unchecked.digests[0]?.status).toBe('unverifiable');
  });

  it('calls a digest missing only when the store holds the chain before it', () => {
    const first = evaluateChain([link(3), link(4)], [], accept);
    expect(first.missing).toEqual([]);
    expect(first.digests[0]?.detail).toMatch(/not in the store/);
    const gap = evaluateChain([fact(1), link(3), link(4)], [], accept);
    expect(gap.missing.map((m) => m.digestKey)).toEqual([fact(2).digestKey]);
    const elsewhere = evaluateChain([link(3), link(4)], [], accept, {
      earliest: fact(1).end.getTime(),
      presentElsewhere: new Set([fact(2).digestKey]),
    });
    expect(elsewhere.missing).toEqual([]);
  });
});
