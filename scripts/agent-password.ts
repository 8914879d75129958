/**
 * Gives an agent a new password and ends all their sessions (their open consoles log out within a
 * second). Without --password, asks for it on the terminal (no echo). On the embedded database it
 * refuses while the server runs: every agent can change their own password in the console then.
 * @example npm run agent:password -- --email ana@example.com
 */
import { NewPassword } from '../shared/schemas.ts';
import { setPassword } from '../server/agents/agents.service.ts';
import { findAgentByEmail } from '../server/agents/agents.repository.ts';
import { CliError, fail, optionsOf, openForCli, passwordFrom, run } from './cli.ts';

const USAGE = 'usage: npm run agent:password -- --email E [--password P]';
const values = optionsOf(USAGE, { email: { type: 'string' }, password: { type: 'string' } });
if (!values.email) fail(USAGE, 2);
const email = values.email.trim().toLowerCase();

const { database } = await openForCli('npm run agent:password', 'Agents');
await run(database, 'could not set the password', async () => {
  const agent = await findAgentByEmail(database.db, email);
  if (!agent) throw new CliError(`no agent has the email ${email} (npm run agent:add adds one)`);
  const password = await passwordFrom(values.password, USAGE);
  if (!NewPassword.safeParse(password).success) throw new CliError('a password has 8 to 200 characters; nothing was changed.', 2);
  const ended = await setPassword(database.db, agent.id, password);
  return [`new password set for ${agent.email}; ${ended} session${ended === 1 ? '' : 's'} ended`];
});
