/**
 * Creates a site and prints its key (for the embed snippet) and its secret (for identity signing).
 * On the embedded database it refuses while the server runs (use the console's Sites page then).
 * @example npm run site:add -- --name "My Courses" --origin https://courses.example.com --origin https://www.example.com
 */
import { createSite, normalizeOrigin } from '../server/sites/sites.service.ts';
import { isUniqueViolation } from '../server/errors.ts';
import { CliError, fail, optionsOf, openForCli, run } from './cli.ts';
import { writeOwnerOnly } from '../server/seed.ts';

const USAGE = 'usage: npm run site:add -- --name NAME --origin https://example.com [--origin …] [--key KEY]';
const values = optionsOf(USAGE, { name: { type: 'string' }, origin: { type: 'string', multiple: true }, key: { type: 'string' } });
if (!values.name?.trim() || !values.origin?.length) fail(USAGE, 2);
for (const origin of values.origin) {
  try {
    normalizeOrigin(origin);
  } catch {
    fail(`not an http(s) origin: ${origin} (an origin looks like https://www.example.com)`, 2);
  }
}
if (values.key !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(values.key)) fail('a site key has 1 to 64 letters, digits, _ or -', 2);

const { config, database } = await openForCli('npm run site:add', 'Sites');
await run(database, 'could not create the site', async () => {
  try {
    const site = await createSite(database.db, { name: values.name!.trim(), origins: values.origin!, id: values.key });
    // Not printed (server/seed.ts writeOwnerOnly); the console shows it once too, and can rotate it.
    const file = await writeOwnerOnly(config.dataDir, `site-${site.id}-secret`, site.secret).catch(
      (err: NodeJS.ErrnoException) => `nowhere: it could not be written (${err.code ?? 'error'}); rotate it under Sites in the console to see a new one`,
    );
    return [
      `site key:    ${site.id}`,
      `site secret: in ${file} (readable by you only; keep it on your server, where it signs identities and registers articles, then delete the file)`,
      `origins:     ${site.origins.join(', ')}`,
      `embed:       <script src="${config.publicUrl ?? `http://localhost:${config.port}`}/widget.js" data-site="${site.id}" async></script>`,
    ];
  } catch (err) {
    throw isUniqueViolation(err) ? new CliError(`could not create the site: a site with the key ${values.key} already exists`) : err;
  }
});
