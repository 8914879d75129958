// The demand worker's entry, in JavaScript: on Node 20 a worker started on a .ts file with
// `execArgv: ['--import', 'tsx']` gets tsx too late for that very file. This one registers tsx, then
// loads the TypeScript worker (see faq.admin.ts).
import { register } from 'tsx/esm/api';

register();
await import('./demand.worker.ts');
