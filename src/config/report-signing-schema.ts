import { z } from 'zod';

/**
 * `report.signing:` in auditlake.yaml: the Ed25519 key reports are signed with (docs/reports.md).
 * Like the store key, the private key never appears here: the config names an environment variable
 * holding the PEM, or a key file, so the file can be shared, reviewed and committed.
 */
export const reportSigningSchema = z
  .strictObject({
    /** Environment variable holding the private key PEM, e.g. AUDITLAKE_REPORT_KEY. */
    key_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name like AUDITLAKE_REPORT_KEY')
      .optional(),
    /** PEM file holding the private key (PKCS#8); must not be readable by other users. */
    key_file: z
      .string()
      .min(1)
      .refine(
        (s) => !s.includes('-----BEGIN'),
        'key_file names a file: never put the key itself in the config',
      )
      .optional(),
  })
  .refine((s) => (s.key_env === undefined) !== (s.key_file === undefined), {
    message: 'give exactly one of key_env or key_file',
  });
export type ReportSigningConfig = z.infer<typeof reportSigningSchema>;
