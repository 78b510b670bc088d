/**
 * Checks on a notification endpoint, shared by the config schema (a `url` written in the file)
 * and delivery (a URL read from an environment variable). Messages never quote the URL: webhook
 * URLs often carry their credential in the path (Slack's do), so only the host may be shown.
 */

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

export type TargetUrlCheck = { ok: true; url: URL } | { ok: false; error: string };

/**
 * https, or http to a loopback address (a local relay, a test receiver) or when explicitly
 * allowed: the payload names principals and accounts and must not cross a network in clear.
 */
export function checkTargetUrl(text: string, options: { allowHttp?: boolean } = {}): TargetUrlCheck {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { ok: false, error: 'not a valid URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, error: `expected an https URL, got a ${url.protocol.replace(/:$/, '')} URL` };
  }
  if (url.username || url.password) {
    return { ok: false, error: 'credentials in the URL are not allowed: use url_env or secret_env' };
  }
  if (url.protocol === 'http:' && !options.allowHttp && !isLoopbackHost(url.hostname)) {
    return {
      ok: false,
      error: `plain http to ${url.host} would send findings in clear: use https (or allow_http: true)`,
    };
  }
  return { ok: true, url };
}

/** What logs and results may show of an endpoint: its host (and port). */
export function targetHost(text: string): string {
  try {
    return new URL(text.trim()).host || 'unknown-host';
  } catch {
    return 'invalid-url';
  }
}
