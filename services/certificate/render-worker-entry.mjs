// Entry of a render worker thread: registers tsx's loader in this thread (loader flags given to a
// Worker's execArgv do not reach its main module on Node 20), then runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./render-worker.ts');
