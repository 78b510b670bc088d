import { z } from 'zod';

/**
 * A detector parameter value: what a header default can be. Its own module, so the detector header
 * schema can use it without importing the whole config schema (which reaches back to detect/
 * through the notification targets' severities: an import cycle).
 */
export const paramValueSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.union([z.string(), z.number(), z.boolean()])),
]);
export type ParamValue = z.infer<typeof paramValueSchema>;
