import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialsConfig } from '../../config/sources/aws.js';

/** What the SDK clients accept as `credentials`, without importing the SDK's internal type packages. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
export type CredentialProvider = () => Promise<AwsCredentials>;

/** Thrown while resolving credentials; the connector turns it into an `auth` SourceError. */
export class CredentialsConfigError extends Error {
  override readonly name = 'CredentialsProviderError';
}

/**
 * Shares one resolution across every client of an account (one AssumeRole per account, not per
 * region) and refreshes five minutes before temporary credentials expire.
 */
function memoize(provider: CredentialProvider): CredentialProvider {
  let current: Promise<AwsCredentials> | null = null;
  return async () => {
    if (current) {
      const value = await current.catch(() => null);
      if (value && (!value.expiration || value.expiration.getTime() - Date.now() > 5 * 60_000)) return value;
    }
    current = provider();
    return current;
  };
}

function fromEnvNames(fields: AwsCredentialsConfig, env: NodeJS.ProcessEnv): CredentialProvider {
  return async () => {
    const id = env[fields.access_key_id_env ?? ''];
    const secret = env[fields.secret_access_key_env ?? ''];
    const token = fields.session_token_env ? env[fields.session_token_env] : undefined;
    if (!id || !secret) {
      const missing = !id ? fields.access_key_id_env : fields.secret_access_key_env;
      throw new CredentialsConfigError(`environment variable ${missing} is not set`);
    }
    return { accessKeyId: id, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}) };
  };
}

/**
 * The credentials of an account or bucket: its own profile or key variables, else `base` (the
 * source's `credentials`), else the SDK's standard chain (undefined: the client resolves it);
 * then its role assumed on top when it names one.
 */
export function credentialsFor(
  fields: AwsCredentialsConfig,
  base: CredentialProvider | undefined,
  region: string,
  env: NodeJS.ProcessEnv = process.env,
): CredentialProvider | undefined {
  let own: CredentialProvider | undefined;
  if (fields.access_key_id_env) own = fromEnvNames(fields, env);
  else if (fields.profile) own = fromIni({ profile: fields.profile }) as CredentialProvider;
  const chain = own ?? base;
  if (!fields.role_arn) return own ? memoize(own) : base;
  const externalId = fields.external_id_env ? env[fields.external_id_env] : undefined;
  if (fields.external_id_env && !externalId) {
    return async () => {
      throw new CredentialsConfigError(`environment variable ${fields.external_id_env} is not set`);
    };
  }
  return memoize(
    fromTemporaryCredentials({
      params: {
        RoleArn: fields.role_arn,
        RoleSessionName: 'auditlake',
        DurationSeconds: 3600,
        ...(externalId ? { ExternalId: externalId } : {}),
      },
      ...(chain ? { masterCredentials: chain } : {}),
      clientConfig: { region },
    }) as CredentialProvider,
  );
}
