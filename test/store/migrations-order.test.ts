import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';

describe('migrations', () => {
  it('are numbered 1, 2, 3 ... in order, so a store at version N never skips a lower one', () => {
    // The runner applies every migration above the store's version in array order: a version
    // out of order or missing would be skipped for good by a store that already passed it.
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });
});
