import { azureActivityFormat } from './azure-activity.js';
import { cloudtrailFormat } from './cloudtrail.js';
import { entraAuditFormat } from './entra-audit.js';
import { entraSigninFormat } from './entra-signin.js';
import { gcpAuditFormat } from './gcp-audit.js';
import type { RecordFormat } from './record-format.js';

/**
 * Every format we normalize, in classification order: the first whose `matchSql` is true for a
 * record normalizes it, so more specific shapes come first (Entra sign-in and audit records also
 * look like generic Azure records).
 */
export const RECORD_FORMATS: readonly RecordFormat[] = [
  cloudtrailFormat,
  gcpAuditFormat,
  entraSigninFormat,
  entraAuditFormat,
  azureActivityFormat,
];
