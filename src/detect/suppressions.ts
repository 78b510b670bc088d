import type { SuppressionRule } from '../config/config-schema.js';

/** A rule as recorded on a finding: which one (position in auditlake.yaml) and what it said. */
export interface AppliedSuppression {
  readonly rule: number;
  readonly detector: string;
  readonly actor?: string;
  readonly source_ip?: string;
  readonly account?: string;
  readonly reason: string;
  readonly expires?: string;
  readonly by?: string;
}

export interface SuppressionSubject {
  readonly actor: string | null;
  readonly source_ip: string | null;
  readonly account: string | null;
}

/** Shell-style glob (`*`, `?`), whole value, case-insensitive (emails and UPNs vary in case). */
export function globMatches(pattern: string, value: string | null): boolean {
  if (pattern === '*') return true;
  if (value === null) return false;
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${source}$`, 'is').test(value);
}

function ipv4ToNumber(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    n = n * 256 + Number(part);
  }
  return n;
}

/** `203.0.113.0/24` is matched as an IPv4 CIDR block; anything else as a glob. */
export function ipMatches(pattern: string, value: string | null): boolean {
  const cidr = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(pattern);
  if (!cidr) return globMatches(pattern, value);
  if (value === null) return false;
  const ip = ipv4ToNumber(value);
  const base = ipv4ToNumber(cidr[1] ?? '');
  const bits = Number(cidr[2]);
  if (ip === null || base === null || bits > 32) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(ip / size) === Math.floor(base / size);
}

export function isActive(rule: SuppressionRule, now: Date): boolean {
  return rule.expires === undefined || now < rule.expires;
}

function ruleMatches(rule: SuppressionRule, detectorId: string, subject: SuppressionSubject): boolean {
  return (
    globMatches(rule.detector, detectorId) &&
    (rule.actor === undefined || globMatches(rule.actor, subject.actor)) &&
    (rule.source_ip === undefined || ipMatches(rule.source_ip, subject.source_ip)) &&
    (rule.account === undefined || globMatches(rule.account, subject.account))
  );
}

/** The first active rule that matches, or null; an expired rule never matches. */
export function findSuppression(
  rules: readonly SuppressionRule[],
  detectorId: string,
  subject: SuppressionSubject,
  now: Date,
): AppliedSuppression | null {
  const index = rules.findIndex((r) => isActive(r, now) && ruleMatches(r, detectorId, subject));
  const rule = rules[index];
  if (!rule) return null;
  return {
    rule: index + 1,
    detector: rule.detector,
    ...(rule.actor === undefined ? {} : { actor: rule.actor }),
    ...(rule.source_ip === undefined ? {} : { source_ip: rule.source_ip }),
    ...(rule.account === undefined ? {} : { account: rule.account }),
    reason: rule.reason,
    ...(rule.expires === undefined ? {} : { expires: rule.expires.toISOString() }),
    ...(rule.by === undefined ? {} : { by: rule.by }),
  };
}

/**
 * A finding is suppressed when every row behind it matches an active rule: one row from an
 * unexpected IP among allowed ones must still be seen. The first row's rule is the one recorded.
 */
export function suppressionForRows(
  rules: readonly SuppressionRule[],
  detectorId: string,
  rows: readonly SuppressionSubject[],
  now: Date,
): AppliedSuppression | null {
  let first: AppliedSuppression | null = null;
  for (const row of rows) {
    const applied = findSuppression(rules, detectorId, row, now);
    if (!applied) return null;
    first ??= applied;
  }
  return first;
}
