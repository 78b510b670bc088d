import { describe, expect, it } from 'vitest';
import { mergeAsync } from '../../src/util/merge-async.js';
import { sleep } from '../../src/util/retry.js';

async function* source(name: string, delays: number[], failAfter?: number): AsyncGenerator<string> {
  for (let i = 0; i < delays.length; i++) {
    await sleep(delays[i] as number);
    if (failAfter !== undefined && i === failAfter) throw new Error(`${name} broke`);
    yield `${name}${i}`;
  }
}

describe('mergeAsync', () => {
  it('interleaves sources as items become ready and keeps going when one fails', async () => {
    const errors: string[] = [];
    const out: string[] = [];
    for await (const { value } of mergeAsync(
      [
        { key: 'slow', iterable: source('s', [30, 30]) },
        { key: 'fast', iterable: source('f', [5, 5, 5]) },
        { key: 'bad', iterable: source('b', [1, 1], 1) },
      ],
      (key, error) => errors.push(`${key}: ${(error as Error).message}`),
    )) {
      out.push(value);
    }
    expect(out.sort()).toEqual(['b0', 'f0', 'f1', 'f2', 's0', 's1']);
    expect(out.indexOf('f2')).toBeLessThan(out.indexOf('s1'));
    expect(errors).toEqual(['bad: b broke']);
  });

  it('closes unfinished sources when the consumer stops early', async () => {
    let closed = false;
    async function* endless(): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i++) {
          await sleep(1);
          yield i;
        }
      } finally {
        closed = true;
      }
    }
    for await (const { value } of mergeAsync([{ key: 1, iterable: endless() }], () => {})) {
      if (value === 3) break;
    }
    expect(closed).toBe(true);
  });
});
