import { describe, expect, inject, it } from 'vitest';
import { runFault } from '../../bench/faults/fault-harness.js';
import { vrsSlow } from '../../bench/faults/vrs-slow.js';

describe("fault: VRS slower than the relay's timeout", () => {
  it('delivers no document to the wrong session, loses or doubles no completion notice, answers coded errors and comes back by itself', async () => {
    const result = await runFault(vrsSlow({ kiosks: 5, durationS: 8 }), { databaseServerUrl: inject('databaseUrl') });
    if (!result.ok) console.log(result.text);
    expect(result.problems).toEqual([]);
    expect(result.report.state.mismatches).toEqual([]);
    expect(result.vrs.lost).toEqual([]);
    expect(result.vrs.phantom).toEqual([]);
  }, 150_000);
});
