import { z } from 'zod';

/**
 * `integrity:` in auditlake.yaml: settings of the evidence checks (docs/integrity.md).
 */
export const integritySchema = z.strictObject({
  /**
   * A file of CloudTrail public keys, for verifying digest signatures of local files without network:
   * the JSON `aws cloudtrail list-public-keys` prints (one region, or an array of such outputs), or a
   * map of fingerprint to PEM public key. The S3 trail connector fetches keys with ListPublicKeys.
   */
  cloudtrail_public_keys: z.string().min(1).optional(),
});
export type IntegrityConfig = z.infer<typeof integritySchema>;
