// Node 20 cannot start a worker on a .ts file: this entry registers tsx, then loads the session.
import { register } from 'tsx/esm/api';

register();
await import('./session-worker.ts');
