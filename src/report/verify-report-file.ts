import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { AuditlakeError, describeError } from '../errors.js';
import {
  notSigned,
  SIGNATURE_SUFFIX,
  type SignatureVerification,
  verifyDetached,
  verifyEmbedded,
} from './report-signature.js';
import { parsePublicKeyPem } from './signing-key.js';

/**
 * `auditlake verify-report`: finds a report's signature and checks it. The signature is the one
 * named with --sig, else `FILE.sig` next to the file, else a JSON report's own `signature` member.
 */

export interface ReportFileVerification extends SignatureVerification {
  file: string;
  /** The detached signature file read, when one was. */
  signature_file: string | null;
}

export interface VerifyReportOptions {
  /** A detached signature file (default FILE.sig). */
  sig?: string | undefined;
  /** A PEM file with the public key the report must be signed with. */
  publicKey?: string | undefined;
}

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new AuditlakeError('input', `cannot read the ${what} ${file}: ${describeError(error)}`, {
      context: { file },
    });
  }
}

export function verifyReportFile(file: string, options: VerifyReportOptions = {}): ReportFileVerification {
  const bytes = read(file, 'report');
  const expected = options.publicKey
    ? parsePublicKeyPem(read(options.publicKey, 'public key').toString('utf8'), options.publicKey)
    : null;
  const sigFile = options.sig ?? `${file}${SIGNATURE_SUFFIX}`;
  if (options.sig !== undefined || existsSync(sigFile)) {
    if (!existsSync(sigFile)) {
      return {
        ...notSigned(`the signature file ${sigFile} does not exist`, expected),
        file,
        signature_file: null,
      };
    }
    const text = read(sigFile, 'signature file').toString('utf8');
    return { ...verifyDetached(bytes, text, sigFile, expected), file, signature_file: sigFile };
  }
  const sigName = `${basename(file)}${SIGNATURE_SUFFIX}`;
  const text = bytes.toString('utf8');
  if (!/\.json$/i.test(file) && !/^\s*[{[]/.test(text)) {
    return { ...notSigned(`no ${sigName} next to it`, expected), file, signature_file: null };
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return {
      ...notSigned(
        `no ${sigName} next to it, and it is not well-formed JSON, so it carries no signature either ` +
          '(a signed JSON report changed so that it no longer parses looks like this)',
        expected,
      ),
      file,
      signature_file: null,
    };
  }
  const embedded = verifyEmbedded(document, expected);
  if (!embedded) {
    return {
      ...notSigned(`no ${sigName} next to it and no "signature" member in the JSON`, expected),
      file,
      signature_file: null,
    };
  }
  return { ...embedded, file, signature_file: null };
}
