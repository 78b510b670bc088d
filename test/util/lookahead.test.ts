import { describe, expect, it } from 'vitest';
import { Lookahead } from '../../src/util/lookahead.js';

/** Work items that finish when the test says so, recording when each started. */
function controlled() {
  const startedAt: number[] = [];
  const finish = new Map<number, (value: string) => void>();
  const fail = new Map<number, (error: Error) => void>();
  const start = (n: number) => {
    startedAt.push(n);
    return new Promise<string>((resolve, reject) => {
      finish.set(n, resolve);
      fail.set(n, reject);
    });
  };
  return { startedAt, finish, fail, start };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Lookahead', () => {
  it('runs the items after the one taken, one at a time, at most `ahead` past it, results in order', async () => {
    const c = controlled();
    const look = new Lookahead([0, 1, 2, 3, 4, 5], { skip: () => false, start: c.start }, 3);
    const first = look.take(0);
    await tick();
    expect(c.startedAt).toEqual([0]);
    c.finish.get(0)?.('zero');
    expect(await first).toBe('zero');
    // The caller is busy: item 1 runs meanwhile, then item 2; item 3 waits for take(1).
    await tick();
    c.finish.get(1)?.('one');
    await tick();
    c.finish.get(2)?.('two');
    await tick();
    expect(c.startedAt).toEqual([0, 1, 2]);
    expect(await look.take(1)).toBe('one');
    await tick();
    expect(c.startedAt).toEqual([0, 1, 2, 3]);
    expect(await look.take(2)).toBe('two');
  });

  it('never starts skipped items, nor items the caller passes over', async () => {
    const c = controlled();
    const look = new Lookahead([0, 1, 2, 3, 4, 5, 6], { skip: (n) => n % 2 === 1, start: c.start }, 2);
    const zero = look.take(0);
    expect(look.take(1)).toBeNull();
    await tick();
    c.finish.get(0)?.('zero');
    await zero;
    const four = look.take(4);
    await tick();
    c.finish.get(2)?.('two');
    await tick();
    expect(c.startedAt).toEqual([0, 2, 4]);
    c.finish.get(4)?.('four');
    expect(await four).toBe('four');
    expect(() => look.take(3)).toThrow(RangeError);
  });

  it('reports a failure when its item is taken, not as an unhandled rejection before, and goes on', async () => {
    const c = controlled();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const look = new Lookahead([0, 1, 2], { skip: () => false, start: c.start }, 3);
      const first = look.take(0);
      await tick();
      c.finish.get(0)?.('zero');
      await first;
      await tick();
      c.fail.get(1)?.(new Error('cannot read file 1'));
      await tick();
      c.finish.get(2)?.('two');
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
      await expect(look.take(1)).rejects.toThrow('cannot read file 1');
      expect(await look.take(2)).toBe('two');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('turns a start that throws into a rejection of that item', async () => {
    const start = (n: number) => {
      if (n === 1) throw new Error('bad item');
      return Promise.resolve(n);
    };
    const look = new Lookahead([0, 1], { skip: () => false, start }, 2);
    expect(await look.take(0)).toBe(0);
    await expect(look.take(1)).rejects.toThrow('bad item');
  });
});
