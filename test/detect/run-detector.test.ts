import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFixtures } from '../../src/detect/fixtures.js';
import { loadDetectors } from '../../src/detect/load-detectors.js';

describe('runDetector', () => {
  it('binds getvariable() with the variables set, so arithmetic on the window and params works', async () => {
    const library = loadDetectors(join('test', 'fixtures', 'detect-queries', 'arithmetic'));
    expect(library.problems).toEqual([]);
    const [detector] = library.detectors;
    if (!detector) throw new Error('no detector');
    const results = await runFixtures(detector);
    expect(results.map((r) => [r.kind, r.passed, r.message])).toEqual([
      ['positive', true, expect.anything()],
      ['negative', true, expect.anything()],
    ]);
  });
});
