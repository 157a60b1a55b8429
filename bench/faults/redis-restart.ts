import type { FaultScenario } from './fault-harness.js';
import { runFault } from './fault-harness.js';
import { isMain, runStandalone } from './standalone.js';

/**
 * Redis killed (SIGKILL) at 3 s and started again at 6 s on the same port and data (AOF fsynced
 * on every write, as a deployment that promises durable completion notices runs it). While it is
 * down the relays must answer coded errors; afterwards they reconnect by themselves.
 */
export function redisRestart(o: { kiosks?: number; durationS?: number } = {}): FaultScenario {
  return {
    name: 'redis-restart',
    relays: 2,
    kiosks: o.kiosks ?? 12,
    durationS: o.durationS ?? 16,
    async act(stack, second) {
      if (second === 3) {
        await stack.redis!.stop('SIGKILL');
        if (stack.redis!.running) throw new Error('Redis is still running');
      }
      // Down for 3 s: longer than ioredis's offline queue rides out, so kiosks see the coded 503.
      if (second === 6) {
        await stack.redis!.start();
        return 'repaired';
      }
    },
  };
}

if (isMain(import.meta.url)) void runStandalone([(ctx) => runFault(redisRestart(), ctx)]);
