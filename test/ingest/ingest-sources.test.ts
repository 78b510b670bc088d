import { describe, expect, it } from 'vitest';
import {
  type JsonValue,
  type SourceConnector,
  SourceError,
  type SourceRecordBatch,
} from '../../src/connectors/source-connector.js';
import { ingestSources } from '../../src/ingest/ingest-sources.js';
import { openStore } from '../../src/store/open-store.js';
import { startRun } from '../../src/store/runs.js';
import { cloudtrailRecord } from '../helpers/cloudtrail-records.js';

/** A stream of pages of CloudTrail records; the cursor is the next page number. */
function pagedStream(
  stream: string,
  pages: number[][],
  failAtPage?: number,
): SourceConnector & { pulls: unknown[] } {
  const pulls: unknown[] = [];
  return {
    source: 'aws',
    stream,
    scope: `test ${stream}`,
    pulls,
    async *pull(cursor: JsonValue | undefined): AsyncIterable<SourceRecordBatch> {
      pulls.push(cursor);
      for (let page = typeof cursor === 'number' ? cursor : 0; page < pages.length; page++) {
        if (page === failAtPage) {
          throw new SourceError('server', 'InternalError: service unavailable', {
            source: 'aws',
            stream,
            scope: `test ${stream}`,
            requestId: 'req-123',
          });
        }
        const records = (pages[page] ?? []).map((n) => JSON.stringify(cloudtrailRecord(n)));
        yield { origin: `test:${stream}`, records, cursor: page + 1, pages: 1 };
      }
    },
  };
}

describe('ingestSources', () => {
  it('commits each batch with its cursor; a failing stream keeps what it committed and the others complete', async () => {
    const store = await openStore({ path: ':memory:' });
    try {
      const c = store.connection;
      const good = pagedStream('good', [[1, 2], [3], [4, 5]]);
      const flaky = pagedStream('flaky', [[10, 11], [12], [13]], 2);
      const first = await ingestSources(c, await startRun(c, 'test'), [good, flaky]);
      expect(first.find((s) => s.stream === 'good')).toMatchObject({ status: 'ok', pages: 3, events_new: 5 });
      expect(first.find((s) => s.stream === 'flaky')).toMatchObject({
        status: 'failed',
        pages: 2,
        events_new: 3,
        error: 'aws test flaky [flaky]: server: InternalError: service unavailable (request id req-123)',
      });
      const errors = (await c.runAndReadAll('select origin, reason from ingest_errors')).getRowObjectsJS();
      expect(errors).toEqual([{ origin: 'flaky', reason: expect.stringContaining('req-123') }]);

      // The rerun resumes each stream at its committed cursor; the source recovered meanwhile.
      const recovered = pagedStream('flaky', [[10, 11], [12], [13]]);
      const again = pagedStream('good', [[1, 2], [3], [4, 5]]);
      const second = await ingestSources(c, await startRun(c, 'test'), [again, recovered]);
      expect(again.pulls).toEqual([3]);
      expect(recovered.pulls).toEqual([2]);
      expect(second.find((s) => s.stream === 'flaky')).toMatchObject({ status: 'ok', events_new: 1 });
      const count = (
        await c.runAndReadAll('select count(*)::int, count(distinct event_id)::int from events')
      ).getRows();
      expect(count).toEqual([[9, 9]]);
    } finally {
      store.close();
    }
  });
});
