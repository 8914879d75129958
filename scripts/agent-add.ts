/**
 * Adds an agent (or an admin) who can log in to the console.
 * @example npm run agent:add -- --email ana@example.com --password 'long secret' --name Ana --site demo
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.ts';
import { openDatabase } from '../server/db/client.ts';
import { createAgent } from '../server/agents/agents.service.ts';
import { findSite, listSites } from '../server/sites/sites.repository.ts';
import { isUniqueViolation } from '../server/errors.ts';
import { serializeError } from '../server/logger.ts';

const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    password: { type: 'string' },
    name: { type: 'string' },
    admin: { type: 'boolean', default: false },
    site: { type: 'string', multiple: true },
  },
});
if (!values.email || !values.password) {
  console.error('usage: npm run agent:add -- --email E --password P [--name N] [--site KEY …] [--admin]');
  process.exit(2);
}
const config = loadConfig();
const database = await openDatabase({ url: config.databaseUrl, dataDir: path.resolve(config.dataDir) });
try {
  // Without --site, the agent works for every site that exists now (the usual single-site case).
  const siteIds = values.site ?? (await listSites(database.db)).map((s) => s.id);
  for (const id of siteIds) if (!(await findSite(database.db, id))) throw new Error(`unknown site: ${id}`);
  const agent = await createAgent(database.db, {
    email: values.email,
    password: values.password,
    name: values.name,
    role: values.admin ? 'admin' : 'agent',
    siteIds,
  });
  console.log(`added ${agent.role} ${agent.email} (${agent.name}) for sites: ${siteIds.join(', ') || 'none'}`);
} catch (err) {
  // A failed query's message carries its parameters, the password hash among them: say what happened instead.
  const reason = isUniqueViolation(err) ? `an agent with the email ${values.email.toLowerCase()} already exists` : (serializeError(err) as Error).message;
  console.error(`could not add the agent: ${reason}`);
  process.exitCode = 1;
} finally {
  await database.close();
}
