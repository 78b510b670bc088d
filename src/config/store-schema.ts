import { z } from 'zod';

/**
 * `store:` in auditlake.yaml. The encryption key itself never appears here: the config names an
 * environment variable or a key file, so the file can be shared, reviewed and committed.
 */
export const storeEncryptionSchema = z
  .strictObject({
    /** Environment variable holding the key, e.g. AUDITLAKE_DB_KEY. */
    key_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name like AUDITLAKE_DB_KEY')
      .optional(),
    /** File holding the key (first line); must not be readable by other users. */
    key_file: z.string().min(1).optional(),
    /**
     * Writing an encrypted store needs DuckDB's OpenSSL crypto (the httpfs extension). Without it,
     * DuckDB's built-in mbedtls module can write only when forced, and DuckDB calls that unsafe
     * (its nonces come from a non-cryptographic random generator): opt in knowingly.
     */
    allow_unsafe_builtin_crypto: z.boolean().default(false),
  })
  .refine((e) => (e.key_env === undefined) !== (e.key_file === undefined), {
    message: 'give exactly one of key_env or key_file',
  });
export type StoreEncryptionConfig = z.infer<typeof storeEncryptionSchema>;

export const storeSchema = z.strictObject({
  encryption: storeEncryptionSchema.optional(),
});
export type StoreConfig = z.infer<typeof storeSchema>;
