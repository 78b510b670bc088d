import { AuditlakeError } from '../errors.js';

/** A hunt that could not run (refused SQL, SQL error, time-out); names the hunt. */
export class HuntError extends AuditlakeError {
  readonly huntId: string;

  constructor(huntId: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    // Hunts are queries of the detection library: the same error code as a failing detector.
    super('detector', `hunt ${huntId}: ${message}`, { ...options, context: { hunt: huntId } });
    this.name = 'HuntError';
    this.huntId = huntId;
  }
}
