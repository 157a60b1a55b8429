import { describe, expect, inject, it } from 'vitest';
import { sameMillisecond } from '../../bench/faults/same-millisecond.js';

describe('fault: requests from different kiosks in the same millisecond', () => {
  it('serves each document once, to its own session only, and records each completion once', async () => {
    const result = await sameMillisecond({ sessions: 12, databaseServerUrl: inject('databaseUrl') });
    if (!result.ok) console.log(result.text);
    expect(result.problems).toEqual([]);
  }, 150_000);
});
