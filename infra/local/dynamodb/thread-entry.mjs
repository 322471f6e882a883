// Entry of the endpoint's worker thread. Plain JavaScript, so the thread starts under plain
// Node whatever started the local cloud (tsx, vitest); it registers tsx for the TypeScript
// modules of the endpoint, then runs them.
import { register } from 'tsx/esm/api';

register();
await import('./thread-worker.ts');
