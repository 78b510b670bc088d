import type { AzureSourceConfig } from '../../config/sources/azure.js';
import { AuditlakeError } from '../../errors.js';
import type { CloudConnectors } from '../source-connector.js';

// PLACEHOLDER until the azure connector lands.
export const azureConnectors: CloudConnectors<AzureSourceConfig> = {
  source: 'azure',
  connectors() {
    throw new AuditlakeError('source', 'the azure connector is not available in this build');
  },
  async doctor() {
    throw new AuditlakeError('source', 'the azure connector is not available in this build');
  },
};
