/**
 * Once per test run: build the browser bundles and prepare a migrated PGlite data folder that each
 * test copies (opening a copy takes about a second; creating a fresh PGlite takes several).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildPublic } from '../../scripts/build.ts';
import { openDatabase } from '../../server/db/client.ts';

export default async function setup({ provide }: { provide: (key: string, value: unknown) => void }) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sc-template-'));
  const template = path.join(dir, 'pgdata');
  const [database] = await Promise.all([openDatabase({ dataDir: template }), buildPublic()]);
  await database.close();
  provide('pgliteTemplate', template);
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}
