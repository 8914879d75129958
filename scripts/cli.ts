/**
 * What the command-line tools share: opening the database the server uses, and saying in one
 * sentence why a command cannot run. Nothing here prints a password, a hash, a session id or a
 * query's parameters: a failed query's message carries its parameters, so it is never printed.
 */
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { read } from 'read';
import { loadConfig, type Config } from '../server/config.ts';
import { openDatabase, type Database } from '../server/db/client.ts';
import { DataDirInUseError } from '../server/db/data-dir-lock.ts';
import { serializeError } from '../server/logger.ts';

/** Prints one line to stderr and ends the command with `code` (before the database is open). */
export function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

/**
 * The command's options, or its usage and exit code 2. Node's own error quotes the argument it could
 * not place, which may be a password typed unquoted (`--password my pass`): it is not printed.
 */
export function optionsOf<T extends ParseArgsConfig['options']>(usage: string, options: T) {
  try {
    return parseArgs({ options }).values;
  } catch {
    return fail(`unexpected or malformed arguments (not shown: one may be a password; quote a value with spaces)\n${usage}`, 2);
  }
}

/** A refusal once the database is open: thrown, so that the database is closed before exiting. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * Runs a command's work on the open database and closes it; prints what the work returned only
 * once the database is closed (PGlite writes its files back on close), so that no success is
 * printed for a write that did not reach the disk. A refusal or failure is one line on stderr.
 */
export async function run(database: Database, what: string, work: () => Promise<string[]>): Promise<void> {
  let lines: string[] | undefined;
  try {
    lines = await work();
  } catch (err) {
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
    console.error(err instanceof CliError ? err.message : `${what}: ${describe(err)}`);
  }
  try {
    await database.close();
  } catch (err) {
    process.exitCode = 1;
    console.error(`${what}: closing the database failed, the change may be lost: ${describe(err)}`);
    return;
  }
  if (lines) console.log(lines.join('\n'));
}

/**
 * Opens the server's database. On PGlite, a running server owns the folder (two processes writing
 * one folder lose writes): the command refuses and says what to do instead of writing in vain.
 * @param command the npm script, e.g. 'npm run site:add', named to a server that finds the folder taken
 * @param page the console page that does the same while the server runs
 */
export async function openForCli(command: string, page: string): Promise<{ config: Config; database: Database }> {
  const config = loadConfig();
  try {
    const database = await openDatabase({ url: config.databaseUrl, dataDir: path.resolve(config.dataDir), owner: command });
    return { config, database };
  } catch (err) {
    if (err instanceof DataDirInUseError) {
      const what = err.owner.role === 'server' ? `Stop the server, or use the console's ${page} page (/console) while it runs` : `Wait until it ends`;
      fail(`${command}: ${err.message}, and only one process may use an embedded database folder (a write from here would be lost). ${what}.`);
    }
    fail(`${command}: could not open the database: ${describe(err)}`);
  }
}

/** An error's own message, with any query parameters it carries scrubbed out. */
export function describe(err: unknown): string {
  const e = serializeError(err) as { message?: string; cause?: { message?: string } };
  return e.cause?.message ?? e.message ?? String(err);
}

/**
 * The password from --password, else asked for on a terminal without echo (twice, to catch a
 * typo); a command that is not on a terminal must pass --password.
 */
export async function passwordFrom(given: string | undefined, usage: string): Promise<string> {
  if (given !== undefined) return given;
  if (!process.stdin.isTTY) throw new CliError(`no --password given and no terminal to ask on.\n${usage}`, 2);
  const first = await read({ prompt: 'New password: ', silent: true, replace: '' });
  const again = await read({ prompt: 'Repeat it:    ', silent: true, replace: '' });
  if (first !== again) throw new CliError('the two passwords differ; nothing was changed.');
  return first;
}
