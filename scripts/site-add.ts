/**
 * Creates a site and prints its key (for the embed snippet) and its secret (for identity signing).
 * @example npm run site:add -- --name "My Courses" --origin https://courses.example.com --origin https://www.example.com
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.ts';
import { openDatabase } from '../server/db/client.ts';
import { createSite } from '../server/sites/sites.service.ts';

const { values } = parseArgs({
  options: { name: { type: 'string' }, origin: { type: 'string', multiple: true }, key: { type: 'string' } },
});
if (!values.name || !values.origin?.length) {
  console.error('usage: npm run site:add -- --name NAME --origin https://example.com [--origin …] [--key KEY]');
  process.exit(2);
}
const config = loadConfig();
const database = await openDatabase({ url: config.databaseUrl, dataDir: path.resolve(config.dataDir) });
try {
  const site = await createSite(database.db, { name: values.name, origins: values.origin, id: values.key });
  console.log(`site key:    ${site.id}`);
  console.log(`site secret: ${site.secret}   (keep it on your server: it signs identities and registers articles)`);
  console.log(`origins:     ${site.origins.join(', ')}`);
  console.log(`embed:       <script src="${config.publicUrl ?? `http://localhost:${config.port}`}/widget.js" data-site="${site.id}" async></script>`);
} catch (err) {
  console.error(`could not create the site: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await database.close();
}
