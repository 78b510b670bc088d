import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runIngestSources } from '../../src/cli/commands/ingest-sources.js';
import { SOURCE_NAMES } from '../../src/model/event.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-ingest-all-'));
  mkdirSync(join(dir, 'exports'));
  const records = [1, 2, 3].map((n) => cloudtrailRecord(n));
  writeFileSync(join(dir, 'exports', 'trail.json.gz'), gzipSync(JSON.stringify({ Records: records })));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('auditlake ingest (all sources)', () => {
  it('reads the sources.files folders of auditlake.yaml, relative to it, and a rerun adds nothing', async () => {
    const config = join(dir, 'auditlake.yaml');
    writeFileSync(config, 'sources:\n  files:\n    - name: trail-sync\n      paths: [exports]\n');
    const db = join(dir, 'store.duckdb');
    const first = await runIngestSources(db, SOURCE_NAMES, {
      configPath: config,
      quiet: true,
      withFiles: true,
    });
    expect(first.status).toBe('ok');
    expect(first.streams).toEqual([
      expect.objectContaining({
        stream: 'files/trail-sync',
        status: 'ok',
        pages: 1,
        events_new: 3,
        errors: 0,
      }),
    ]);
    const again = await runIngestSources(db, SOURCE_NAMES, {
      configPath: config,
      quiet: true,
      withFiles: true,
    });
    expect(again.streams[0]).toMatchObject({ pages: 0, events_new: 0 });

    // `auditlake sources` lists the entry with its files and last result.
    const listed = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', '--db', db, 'sources', '--config', config, '--format', 'json'],
      { encoding: 'utf8' },
    );
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        source: 'files',
        stream: 'files/trail-sync',
        scope: join(dir, 'exports'),
        checkpoint: { files: 1 },
        last_status: 'ok',
        last_new_events: 0,
      }),
    ]);
  });

  it('names a files entry whose folder is missing as failed, without stopping the run', async () => {
    const config = join(dir, 'auditlake.yaml');
    writeFileSync(
      config,
      'sources:\n  files:\n    - name: gone\n      paths: [nowhere]\n    - name: trail-sync\n      paths: [exports]\n',
    );
    const result = await runIngestSources(join(dir, 'store.duckdb'), SOURCE_NAMES, {
      configPath: config,
      quiet: true,
      withFiles: true,
    });
    expect(result.status).toBe('partial');
    expect(result.streams[0]).toMatchObject({ stream: 'files/gone', status: 'failed' });
    expect(result.streams[0]?.error).toMatch(/files gone: .*nowhere/);
    expect(result.streams[1]).toMatchObject({ stream: 'files/trail-sync', status: 'ok', events_new: 3 });
  });
});
