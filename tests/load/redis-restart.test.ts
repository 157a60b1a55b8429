import { redisRestart } from '../../bench/faults/redis-restart.js';
import { faultTest } from '../helpers/fault-test.js';

faultTest('Redis killed and restarted mid-run', () => redisRestart({ kiosks: 5, durationS: 8 }));
