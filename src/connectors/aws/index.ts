import type { AwsSourceConfig } from '../../config/sources/aws.js';
import { AuditlakeError } from '../../errors.js';
import type { CloudConnectors } from '../source-connector.js';

// PLACEHOLDER until the aws connector lands.
export const awsConnectors: CloudConnectors<AwsSourceConfig> = {
  source: 'aws',
  connectors() {
    throw new AuditlakeError('source', 'the aws connector is not available in this build');
  },
  async doctor() {
    throw new AuditlakeError('source', 'the aws connector is not available in this build');
  },
};
