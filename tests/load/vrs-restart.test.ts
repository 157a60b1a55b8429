import { vrsRestart } from '../../bench/faults/vrs-restart.js';
import { faultTest } from '../helpers/fault-test.js';

faultTest('VRS stopped and restarted mid-run', () => vrsRestart({ kiosks: 5, durationS: 8 }));
