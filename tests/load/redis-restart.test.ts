import { describe, expect, inject, it } from 'vitest';
import { runFault } from '../../bench/faults/fault-harness.js';
import { redisRestart } from '../../bench/faults/redis-restart.js';

describe('fault: Redis killed and restarted mid-run', () => {
  it('delivers no document to the wrong session, loses or doubles no completion notice, answers coded errors and comes back by itself', async () => {
    const result = await runFault(redisRestart({ kiosks: 5, durationS: 8 }), { databaseServerUrl: inject('databaseUrl') });
    if (!result.ok) console.log(result.text);
    expect(result.problems).toEqual([]);
    expect(result.report.state.mismatches).toEqual([]);
    expect(result.vrs.lost).toEqual([]);
    expect(result.vrs.phantom).toEqual([]);
  }, 150_000);
});
