import { z } from 'zod';
import { RESERVED_VARIABLES, SOURCES } from '../detect/detector-header.js';

/** Types a hunt param may declare; each binds as the DuckDB type of the same meaning. */
export const PARAM_TYPES = ['string', 'integer', 'number', 'boolean', 'timestamp'] as const;
export type HuntParamType = (typeof PARAM_TYPES)[number];

const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'expected a lowercase identifier (a-z, 0-9, _)');

/** A look-back such as `7d`, `24h` or `30m`: the default window when --since is not given. */
export const durationSchema = z
  .string()
  .regex(/^\d+[dhm]$/, 'expected a duration like 7d, 24h or 30m')
  .transform((text) => {
    const n = Number(text.slice(0, -1));
    const unit = text.slice(-1);
    return n * (unit === 'd' ? 86_400_000 : unit === 'h' ? 3_600_000 : 60_000);
  });

const defaultValue = z.union([z.string(), z.number(), z.boolean()]);

const paramSchema = z
  .strictObject({
    type: z.enum(PARAM_TYPES),
    description: z.string().trim().min(1),
    /** Absent: the param is required (`--param name=value`). */
    default: defaultValue.optional(),
  })
  .superRefine((param, ctx) => {
    if (param.default === undefined) return;
    const ok =
      param.type === 'string'
        ? typeof param.default === 'string'
        : param.type === 'integer'
          ? Number.isInteger(param.default)
          : param.type === 'number'
            ? typeof param.default === 'number'
            : param.type === 'boolean'
              ? typeof param.default === 'boolean'
              : typeof param.default === 'string' && !Number.isNaN(Date.parse(param.default));
    if (!ok)
      ctx.addIssue({
        code: 'custom',
        path: ['default'],
        message: `the default is not of type ${param.type}`,
      });
  });
export type HuntParam = z.infer<typeof paramSchema>;

/**
 * A hunt's header (docs/hunts.md): the detector header's shape (docs/detector-format.md) without
 * what only findings need (severity, method, keys, controls), with typed params.
 */
export const huntHeaderSchema = z.strictObject({
  id: z.string().min(1),
  title: z.string().trim().min(1),
  sources: z
    .array(z.enum(SOURCES))
    .min(1)
    .default([...SOURCES]),
  description: z.string().trim().min(1),
  /** Default look-back from --until (or now) when --since is not given; all time when absent. */
  window: durationSchema.optional(),
  params: z
    .record(
      identifier.refine((name) => !(RESERVED_VARIABLES as readonly string[]).includes(name), {
        error: 'window_start and window_end are set by the engine',
      }),
      paramSchema,
    )
    .default({}),
  /** Ways to call it, shown by `hunt --list --format json` and in docs/hunts.md. */
  examples: z.array(z.string()).default([]),
});

export type HuntHeader = z.infer<typeof huntHeaderSchema>;
