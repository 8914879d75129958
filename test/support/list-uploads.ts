/**
 * Lists an uploads folder with the disk store, as the process's own user, and prints what it found:
 * `{ keys, unreadable }` as JSON. Run by attachment-storage.test.ts as an unprivileged user, since
 * root opens any folder. Usage: node --import tsx test/support/list-uploads.ts DIR
 */
import { diskStorage } from '../../server/attachments/storage.ts';

const unreadable: string[] = [];
const keys: string[] = [];
for await (const page of diskStorage(process.argv[2]).list(new Date(), (where) => unreadable.push(where))) keys.push(...page);
process.stdout.write(JSON.stringify({ keys: keys.sort(), unreadable }));
