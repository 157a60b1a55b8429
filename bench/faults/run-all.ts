/**
 * `npm run faults`: every fault scenario in turn (Redis restarted, VRS stopped and restarted, one
 * of two relays killed, VRS slower than the relay's timeout, requests from different kiosks in
 * the same millisecond), each bounded in time and on loopback only. Exits 1 if any invariant broke.
 */
import { runFault } from './fault-harness.js';
import { redisRestart } from './redis-restart.js';
import { relayKill } from './relay-kill.js';
import { sameMillisecond } from './same-millisecond.js';
import { runStandalone } from './standalone.js';
import { vrsRestart } from './vrs-restart.js';
import { vrsSlow } from './vrs-slow.js';

void runStandalone(
  [
    (ctx) => runFault(redisRestart(), ctx),
    (ctx) => runFault(vrsRestart(), ctx),
    (ctx) => runFault(relayKill(), ctx),
    (ctx) => runFault(vrsSlow(), ctx),
    (ctx) => sameMillisecond(ctx),
  ],
  900,
);
