/**
 * Process exit codes, documented in the README. A nightly job alerts on anything but 0; 3 and 4
 * let it tell "something to look at" from "some input could not be read".
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  highFindings: 3,
  partial: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
