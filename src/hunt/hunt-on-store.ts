import { existsSync } from 'node:fs';
import { restrictForDetection } from '../detect/detection-connection.js';
import { jsonValue } from '../detect/plain-value.js';
import { StoreError } from '../errors.js';
import { openStore, type StoreOptions } from '../store/open-store.js';
import type { BoundParam } from './hunt-params.js';
import type { Hunt } from './load-hunts.js';
import { type HuntResult, type HuntWindow, runHunt } from './run-hunt.js';

export interface HuntOnStoreOptions {
  readonly store: StoreOptions;
  readonly window: HuntWindow;
  readonly params: Readonly<Record<string, BoundParam>>;
  readonly timeoutMs?: number;
}

/**
 * Opens the store read-only, locks the instance down as detection does (no file system or network
 * access, configuration locked), runs the hunt and closes the store.
 */
export async function runHuntOnStore(hunt: Hunt, options: HuntOnStoreOptions): Promise<HuntResult> {
  const path = options.store.path;
  if (path !== ':memory:' && !existsSync(path)) {
    throw new StoreError(`no store at ${path}`, {
      hint: 'ingest first (`auditlake ingest files PATH`), or pass --db',
    });
  }
  const store = await openStore({ ...options.store, readOnly: true });
  try {
    await restrictForDetection(store.connection);
    return await runHunt(store.connection, hunt, {
      window: options.window,
      params: options.params,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  } finally {
    store.close();
  }
}

/**
 * Rows as plain data for the renderers: timestamps as ISO-8601 UTC; JSON columns decoded when
 * `decodeJson` (JSON and NDJSON output), kept as text otherwise (tables, CSV).
 */
export function huntOutputRows(result: HuntResult, decodeJson: boolean): Record<string, unknown>[] {
  const jsonColumns = new Set(result.columns.filter((_, i) => result.types[i] === 'JSON'));
  return result.rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const column of result.columns) {
      const value = jsonValue(row[column] ?? null);
      if (decodeJson && jsonColumns.has(column) && typeof value === 'string') {
        try {
          out[column] = JSON.parse(value);
          continue;
        } catch {
          // Not JSON after all: keep the text.
        }
      }
      out[column] = value;
    }
    return out;
  });
}
