import { AuditlakeError } from '../errors.js';

/** A detector that could not run or returned rows the engine cannot use; names the detector. */
export class DetectorError extends AuditlakeError {
  readonly detectorId: string;

  constructor(detectorId: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('detector', `${detectorId}: ${message}`, { ...options, context: { detector: detectorId } });
    this.name = 'DetectorError';
    this.detectorId = detectorId;
  }
}
