import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  chainRootForPeriod,
  checkAgainstHeads,
  exportChainHeads,
  parseChainHeads,
} from '../../src/store/chain-heads.js';
import { verifyChain } from '../../src/store/chain-verify.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { awsRecord, commitBatch, gcpRecord, range } from './chain-helpers.js';

let dir: string;
let store: Store;

const batch1 = () => [...range(0, 5).map((n) => awsRecord(n, 1)), gcpRecord(1, '2026-11-01T03:00:00Z')];
const batch2 = () => range(5, 10).map((n) => awsRecord(n, 2));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditlake-chain-heads-'));
  store = await openStore({ path: join(dir, 'store.duckdb') });
  await commitBatch(store, batch1());
  await commitBatch(store, batch2());
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('exported chain heads', () => {
  it('list per source and day the root, counts and last batch, and round-trip through JSON', async () => {
    const heads = await exportChainHeads(store.connection);
    expect(heads.head).toMatchObject({ batch_id: 2, events: 11 });
    expect(heads.days.map((d) => [d.source, d.day, d.events, d.batches, d.last_batch_id])).toEqual([
      ['aws', '2026-11-01', 5, 1, 1],
      ['aws', '2026-11-02', 5, 1, 2],
      ['gcp', '2026-11-01', 1, 1, 1],
    ]);
    expect(parseChainHeads(JSON.stringify(heads), 'heads.json')).toEqual(heads);
    expect(() => parseChainHeads('{"format":"other"}', 'x.json')).toThrow(
      /not an auditlake chain heads export/,
    );
  });

  it('still match after later ingests, which extend the chain', async () => {
    const heads = await exportChainHeads(store.connection);
    await commitBatch(store, [awsRecord(50, 1), awsRecord(51, 3)]);
    expect(await checkAgainstHeads(store.connection, heads)).toEqual([]);
    expect((await verifyChain(store.connection)).status).toBe('intact');
  });

  it('catch a store rewritten consistently from scratch with one event changed', async () => {
    const heads = await exportChainHeads(store.connection);
    store.close();
    // Someone with write access rebuilds the store: same ingests, one record doctored.
    rmSync(join(dir, 'store.duckdb'));
    store = await openStore({ path: join(dir, 'store.duckdb') });
    const doctored = batch1();
    doctored[2] = { ...doctored[2], sourceIPAddress: '10.0.0.1' };
    await commitBatch(store, doctored);
    await commitBatch(store, batch2());
    // The rebuilt chain is consistent in itself...
    expect((await verifyChain(store.connection)).status).toBe('intact');
    // ...but not with the heads kept elsewhere.
    const problems = await checkAgainstHeads(store.connection, heads);
    const result = await verifyChain(store.connection, {}, problems);
    expect(result.status).toBe('broken');
    expect(result.first_break).toMatchObject({
      kind: 'export_head_mismatch',
      batch_id: 1,
      source: 'aws',
      day: '2026-11-01',
    });
    expect(
      problems.map((p) => `${p.kind} ${p.batch_id ?? ''} ${p.source ?? ''} ${p.day ?? ''}`.trim()),
    ).toContain('export_day_changed 1 aws 2026-11-01');
  });

  it('catch a day backdated into batches up to the exported head', async () => {
    const heads = await exportChainHeads(store.connection, {
      from: new Date('2026-11-01'),
      to: new Date('2026-11-02'),
    });
    await store.connection.run(
      `insert into batch_days values (1, 'azure', date '2026-11-01', 1, '${'a'.repeat(64)}')`,
    );
    const problems = await checkAgainstHeads(store.connection, heads);
    expect(problems).toEqual([
      expect.objectContaining({
        kind: 'export_day_unlisted',
        batch_id: 1,
        source: 'azure',
        day: '2026-11-01',
      }),
    ]);
  });
});

describe('chainRootForPeriod', () => {
  it('digests the day roots of the UTC days in the period, reproducibly as of a batch', async () => {
    const period = await chainRootForPeriod(store.connection, new Date('2026-11-01'), new Date('2026-11-02'));
    expect(period.days.map((d) => [d.source, d.day, d.events])).toEqual([
      ['aws', '2026-11-01', 5],
      ['gcp', '2026-11-01', 1],
    ]);
    expect(period.events).toBe(6);
    expect(period.value).toMatch(/^[0-9a-f]{64}$/);
    expect(period.as_of_batch_id).toBe(2);
    await commitBatch(store, [awsRecord(60, 1)]);
    const later = await chainRootForPeriod(store.connection, new Date('2026-11-01'), new Date('2026-11-02'));
    expect(later.value).not.toBe(period.value);
    const asPrinted = await chainRootForPeriod(
      store.connection,
      new Date('2026-11-01'),
      new Date('2026-11-02'),
      2,
    );
    expect(asPrinted.value).toBe(period.value);
  });
});
