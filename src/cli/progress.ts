import cliProgress from 'cli-progress';
import type { FileIngestProgress } from '../ingest/ingest-files.js';

/**
 * Progress for long ingests: a bar on a terminal, an occasional plain line otherwise (logs of
 * scheduled jobs), nothing when quiet.
 */
export function fileProgressReporter(
  stream: NodeJS.WriteStream,
  quiet: boolean,
): {
  update(p: FileIngestProgress): void;
  stop(): void;
} {
  if (quiet) return { update() {}, stop() {} };
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format:
          'ingest [{bar}] {percentage}% | {value}/{total} files | {events} new events | {errors} errors | {rate}',
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    const t0 = Date.now();
    return {
      update(p) {
        const rate = `${Math.round(p.eventsNew / Math.max(0.001, (Date.now() - t0) / 1000)).toLocaleString('en-US')} events/s`;
        const payload = { events: p.eventsNew.toLocaleString('en-US'), errors: p.errors, rate };
        if (!started) {
          bar.start(p.filesTotal, p.filesDone, payload);
          started = true;
        } else bar.update(p.filesDone, payload);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 5000 && p.filesDone < p.filesTotal) return;
      last = now;
      stream.write(
        `ingest: ${p.filesDone}/${p.filesTotal} files, ${p.eventsNew} new events, ${p.errors} errors\n`,
      );
    },
    stop() {},
  };
}
