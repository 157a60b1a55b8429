import { vrsSlow } from '../../bench/faults/vrs-slow.js';
import { faultTest } from '../helpers/fault-test.js';

faultTest("VRS slower than the relay's timeout", () => vrsSlow({ kiosks: 5, durationS: 8 }));
