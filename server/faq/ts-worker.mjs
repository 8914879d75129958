// Entry of this server's worker threads, in JavaScript: on Node 20 a worker started on a .ts file with
// `execArgv: ['--import', 'tsx']` gets tsx too late for that very file. This one registers tsx, then
// loads the TypeScript module named in workerData.entry (see thread.ts).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
