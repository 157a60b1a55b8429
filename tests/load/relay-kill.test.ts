import { relayKill } from '../../bench/faults/relay-kill.js';
import { faultTest } from '../helpers/fault-test.js';

faultTest('one of two relay processes killed mid-run', () => relayKill({ kiosks: 5, durationS: 8 }));
