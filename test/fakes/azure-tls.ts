import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway self-signed certificate for 127.0.0.1, for the loopback Log Analytics fake: the
 * Azure SDK refuses bearer tokens over plain http, so the fake speaks TLS and the process that
 * talks to it trusts this certificate through NODE_EXTRA_CA_CERTS (read at process start only).
 */
export interface LoopbackCertificate {
  readonly dir: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** What NODE_EXTRA_CA_CERTS points at: the certificate after any CAs already trusted that way. */
  readonly trustFile: string;
}

/** Where the vitest global setup put the certificate (test/fakes/azure-global-setup.ts). */
export const TLS_DIR_ENV = 'AUDITLAKE_TEST_AZURE_TLS_DIR';

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function makeLoopbackCertificate(
  dir = mkdtempSync(join(tmpdir(), 'auditlake-azure-tls-')),
): LoopbackCertificate {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  // An EC key is generated in milliseconds; one day is all a test run needs.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    ],
    { stdio: 'ignore' },
  );
  const trustFile = join(dir, 'trust.pem');
  // NODE_EXTRA_CA_CERTS names one file: keep the extra CAs the environment already trusts.
  const previous = process.env.NODE_EXTRA_CA_CERTS;
  const kept = previous && existsSync(previous) ? `${readFileSync(previous, 'utf8').trimEnd()}\n` : '';
  writeFileSync(trustFile, `${kept}${readFileSync(certFile, 'utf8')}`);
  return { dir, certFile, keyFile, trustFile };
}

/** The certificate the global setup made, when this process was started trusting it. */
export function trustedLoopbackCertificate(): LoopbackCertificate | null {
  const dir = process.env[TLS_DIR_ENV];
  if (!dir) return null;
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  if (!existsSync(certFile) || !existsSync(keyFile)) return null;
  const trustFile = join(dir, 'trust.pem');
  if (process.env.NODE_EXTRA_CA_CERTS !== trustFile) return null;
  return { dir, certFile, keyFile, trustFile };
}

export function readPem(cert: LoopbackCertificate): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(cert.certFile), key: readFileSync(cert.keyFile) };
}
