import { z } from 'zod';

/** Where a first run starts: an ISO date, or a look-back like "7d" / "24h". */
export const startSchema = z
  .string()
  .regex(
    /^(\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?|\d+[dh])$/,
    'expected a date like 2026-01-31 or a look-back like 7d or 24h',
  )
  .optional();

/**
 * An endpoint override: a VPC/private endpoint or, in tests, a loopback fake. Never needed with
 * the clouds' public APIs.
 */
export const endpointSchema = z.string().url().optional();

/** Names of environment variables only: secrets never sit in the config file. */
export const envNameSchema = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'expected the NAME of an environment variable');
