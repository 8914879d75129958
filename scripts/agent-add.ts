/**
 * Adds an agent (or an admin) who can log in to the console. Without --password, asks for it on
 * the terminal (no echo). On the embedded database it refuses while the server runs (use the
 * console's Agents page then).
 * @example npm run agent:add -- --email ana@example.com --name Ana --site demo
 */
import { z } from 'zod';
import { NewPassword } from '../shared/schemas.ts';
import { createAgent } from '../server/agents/agents.service.ts';
import { findAgentByEmail } from '../server/agents/agents.repository.ts';
import { findSite, listSites } from '../server/sites/sites.repository.ts';
import { isUniqueViolation } from '../server/errors.ts';
import { CliError, fail, optionsOf, openForCli, passwordFrom, run } from './cli.ts';

const USAGE = 'usage: npm run agent:add -- --email E [--password P] [--name N] [--site KEY …] [--admin]';
const values = optionsOf(USAGE, {
  email: { type: 'string' },
  password: { type: 'string' },
  name: { type: 'string' },
  admin: { type: 'boolean', default: false },
  site: { type: 'string', multiple: true },
});
if (!values.email) fail(USAGE, 2);
const email = values.email.trim().toLowerCase();
if (!z.email().max(320).safeParse(email).success) fail(`not an email address: ${values.email}`, 2);
const exists = `could not add the agent: an agent with the email ${email} already exists; to give it a new password: npm run agent:password -- --email ${email}`;

const { database } = await openForCli('npm run agent:add', 'Agents');
await run(database, 'could not add the agent', async () => {
  // Checked before asking for a password that would not be used (the insert checks again).
  if (await findAgentByEmail(database.db, email)) throw new CliError(exists);
  // Without --site, the agent works for every site that exists now (the usual single-site case).
  const siteIds = values.site ?? (await listSites(database.db)).map((s) => s.id);
  for (const id of siteIds) if (!(await findSite(database.db, id))) throw new CliError(`unknown site: ${id} (npm run site:add creates one)`);
  const password = await passwordFrom(values.password, USAGE);
  if (!NewPassword.safeParse(password).success) throw new CliError('a password has 8 to 200 characters; nothing was added.', 2);
  try {
    const agent = await createAgent(database.db, { email, password, name: values.name, role: values.admin ? 'admin' : 'agent', siteIds });
    return [`added ${agent.role} ${agent.email} (${agent.name}) for sites: ${siteIds.join(', ') || 'none'}`];
  } catch (err) {
    throw isUniqueViolation(err) ? new CliError(exists) : err;
  }
});
