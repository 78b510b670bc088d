import type { GcpSourceConfig } from '../../config/sources/gcp.js';
import { AuditlakeError } from '../../errors.js';
import type { CloudConnectors } from '../source-connector.js';

// PLACEHOLDER until the gcp connector lands.
export const gcpConnectors: CloudConnectors<GcpSourceConfig> = {
  source: 'gcp',
  connectors() {
    throw new AuditlakeError('source', 'the gcp connector is not available in this build');
  },
  async doctor() {
    throw new AuditlakeError('source', 'the gcp connector is not available in this build');
  },
};
