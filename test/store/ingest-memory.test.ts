import { describe, expect, it } from 'vitest';
import { ingestMemoryLimit } from '../../src/store/ingest-memory.js';

describe('the ingest memory limit', () => {
  it('is 350MB for the default batch and smaller ones', () => {
    expect(ingestMemoryLimit({})).toBe('350MB');
    expect(ingestMemoryLimit({}, 128)).toBe('350MB');
    expect(ingestMemoryLimit({}, 64)).toBe('350MB');
  });

  it('grows with a larger batch, in proportion', () => {
    expect(ingestMemoryLimit({}, 160)).toBe('438MB');
    expect(ingestMemoryLimit({}, 256)).toBe('700MB');
  });

  it('is what AUDITLAKE_MEMORY_LIMIT says, whatever the batch', () => {
    expect(ingestMemoryLimit({ AUDITLAKE_MEMORY_LIMIT: '1GB' }, 256)).toBe('1GB');
    expect(ingestMemoryLimit({ AUDITLAKE_MEMORY_LIMIT: '300MB' })).toBe('300MB');
  });
});
