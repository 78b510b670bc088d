import { ListPublicKeysCommand } from '@aws-sdk/client-cloudtrail';
import { createCloudTrailClient } from './cloudtrail-api.js';
import type { CredentialProvider } from './credentials.js';

export interface FetchedPublicKey {
  fingerprint: string;
  /** base64 of the DER key (PKCS#1), as ListPublicKeys returns it. */
  value: string;
  validFrom: Date | null;
  validTo: Date | null;
}

/**
 * CloudTrail's public keys for digests of a region over a time range (`cloudtrail:ListPublicKeys`).
 * Keys are per region: a digest is checked with a key of the region it covers.
 */
export async function listPublicKeys(options: {
  region: string;
  endpoint: string | undefined;
  credentials: CredentialProvider | undefined;
  from: Date;
  to: Date;
}): Promise<FetchedPublicKey[]> {
  const client = createCloudTrailClient(options);
  const out: FetchedPublicKey[] = [];
  try {
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListPublicKeysCommand({ StartTime: options.from, EndTime: options.to, NextToken: token }),
      );
      for (const k of page.PublicKeyList ?? []) {
        if (!k.Value || !k.Fingerprint) continue;
        out.push({
          fingerprint: k.Fingerprint.toLowerCase(),
          value: Buffer.from(k.Value).toString('base64'),
          validFrom: k.ValidityStartTime ?? null,
          validTo: k.ValidityEndTime ?? null,
        });
      }
      token = page.NextToken;
    } while (token);
  } finally {
    client.destroy();
  }
  return out;
}
