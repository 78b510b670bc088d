import { z } from 'zod';
import { paramValueSchema } from '../config/param-value-schema.js';
import { ATTACK_VERSION, isKnownTechnique } from './attack-techniques.js';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const METHODS = ['match', 'threshold', 'new_value', 'baseline', 'sequence'] as const;
export const SOURCES = ['aws', 'gcp', 'azure'] as const;

/** Versioned compliance frameworks a header may map to (docs/detector-format.md). */
export const FRAMEWORK_KEYS = [
  'cis_aws_v4.0.0',
  'cis_gcp_v3.0.0',
  'cis_azure_v3.0.0',
  'soc2_2017',
  'pci_dss_v4.0',
  'iso27001_2022',
  'nist_800_53_r5',
  'hipaa_security',
] as const;
export type FrameworkKey = (typeof FRAMEWORK_KEYS)[number];

/** Variables the engine sets itself; a param may not shadow them. */
export const RESERVED_VARIABLES = ['window_start', 'window_end'] as const;

const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'expected a lowercase identifier (a-z, 0-9, _)');

const controlIds = z
  .array(z.string({ error: "control ids are strings: quote them, e.g. ['4.10']" }).min(1))
  .min(1, 'list at least one control id, or drop the framework');

const controlsSchema = z.strictObject(
  Object.fromEntries(FRAMEWORK_KEYS.map((key) => [key, controlIds.optional()])) as Record<
    FrameworkKey,
    z.ZodOptional<typeof controlIds>
  >,
);

const techniqueId = z
  .string()
  .regex(/^T\d{4}(\.\d{3})?$/, 'expected an ATT&CK technique id like T1078 or T1078.004')
  .refine(isKnownTechnique, {
    error: (issue) =>
      `${String(issue.input)} is not in ATT&CK ${ATTACK_VERSION} as pinned in src/detect/attack-techniques.ts`,
  });

export const detectorHeaderSchema = z.strictObject({
  id: z.string().min(1),
  title: z.string().trim().min(1),
  severity: z.enum(SEVERITIES),
  sources: z.array(z.enum(SOURCES)).min(1),
  attack: z.array(techniqueId).default([]),
  controls: controlsSchema.default({}),
  method: z.enum(METHODS),
  keys: z.array(identifier).min(1).default(['actor', 'account']),
  description: z.string().trim().min(1),
  remediation: z.string().trim().min(1).optional(),
  false_positives: z.array(z.string()).default([]),
  params: z
    .record(
      identifier.refine((name) => !(RESERVED_VARIABLES as readonly string[]).includes(name), {
        error: 'window_start and window_end are set by the engine',
      }),
      paramValueSchema,
    )
    .default({}),
});

export type DetectorHeader = z.infer<typeof detectorHeaderSchema>;
export type Controls = DetectorHeader['controls'];
