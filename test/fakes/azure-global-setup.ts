import { rmSync } from 'node:fs';
import { hasOpenssl, makeLoopbackCertificate, TLS_DIR_ENV } from './azure-tls.js';

/**
 * Vitest global setup: makes the loopback certificate of the Log Analytics fake before any test
 * worker starts, and points NODE_EXTRA_CA_CERTS at it. Workers are forked child processes that
 * inherit this environment, and Node reads NODE_EXTRA_CA_CERTS at process start, so only a setup
 * that runs before them can make them trust the fake. Without openssl the azure tests skip.
 */
export default function setup(): () => void {
  if (!hasOpenssl()) return () => {};
  const cert = makeLoopbackCertificate();
  process.env[TLS_DIR_ENV] = cert.dir;
  process.env.NODE_EXTRA_CA_CERTS = cert.trustFile;
  return () => rmSync(cert.dir, { recursive: true, force: true });
}
