/** The three clouds a normalized event can come from. */
export type SourceName = 'aws' | 'gcp' | 'azure';
export const SOURCE_NAMES: readonly SourceName[] = ['aws', 'gcp', 'azure'];

/** Native record formats we normalize; each has exactly one projection in src/normalize/. */
export type FormatId = 'cloudtrail' | 'gcp_audit' | 'azure_activity' | 'entra_signin' | 'entra_audit';

export type ActorType = 'root' | 'user' | 'role' | 'service' | 'federated' | 'anonymous' | 'unknown';
export type Outcome = 'success' | 'failure' | 'unknown';

/** One row of the `events` table, as read back into TypeScript. Column meanings: docs/schema.md. */
export interface NormalizedEvent {
  event_id: string;
  source: SourceName;
  format: FormatId;
  event_time: string; // ISO-8601 UTC
  account: string | null;
  region: string | null;
  service: string | null;
  action: string | null;
  log_type: string | null;
  actor: string | null;
  actor_type: ActorType | null;
  actor_issuer: string | null;
  source_ip: string | null;
  user_agent: string | null;
  outcome: Outcome;
  error_code: string | null;
  error_message: string | null;
  mfa: boolean | null;
  resources: string[];
  details: Record<string, unknown> | null;
  raw: unknown;
  origin: string;
  position: number | null;
  ingested_at: string;
}
