/** First-start data: the first admin, and the demo site with its FAQ and articles. */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { FaqEntryInput } from '../shared/schemas.ts';
import type { Ctx } from './context.ts';
import { faqEntries } from './db/schema.ts';
import { randomToken } from './crypto.ts';
import { countAgents } from './agents/agents.repository.ts';
import { createAgent } from './agents/agents.service.ts';
import { findSite } from './sites/sites.repository.ts';
import { createSite, ensureOrigins } from './sites/sites.service.ts';
import { deleteArticle, listArticles, upsertArticles } from './articles/articles.service.ts';
import { importEntries } from './faq/faq.admin.ts';
import { DEMO_ARTICLES, demoArticleUrl } from '../demo/articles.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_SITE = 'demo';

/** Where the first admin's generated password is written (in DATA_DIR), never printed or logged. */
export const FIRST_ADMIN_FILE = 'first-admin-password';

/**
 * Writes a secret to DATA_DIR/`name`, readable by its owner only, and resolves with the file's path:
 * a secret printed to the terminal ends up in every log collector the output goes to.
 */
export async function writeOwnerOnly(dataDir: string, name: string, secret: string): Promise<string> {
  const file = path.resolve(dataDir, name);
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  // `mode` applies only to a new file: an old one keeps its permissions unless set again.
  await chmod(file, 0o600);
  return file;
}

/**
 * On an empty database: ADMIN_EMAIL/ADMIN_PASSWORD, or an admin (admin@demo.local) with a generated
 * password written to DATA_DIR/first-admin-password, readable by its owner only: a password printed
 * to the terminal ends up in every log collector the output goes to. The file is written after the
 * admin is created, so of several nodes seeding at once only the one that created it writes it.
 */
export async function seedAdmin(ctx: Ctx, print: (line: string) => void): Promise<void> {
  if ((await countAgents(ctx.db)) > 0) return;
  const email = ctx.config.adminEmail ?? 'admin@demo.local';
  const password = ctx.config.adminPassword ?? randomToken(12);
  await createAgent(ctx.db, { email, password, name: 'Admin', role: 'admin' });
  if (ctx.config.adminPassword) return print(`Created the first admin: ${email}`);
  const file = path.resolve(ctx.config.dataDir, FIRST_ADMIN_FILE);
  try {
    await writeOwnerOnly(ctx.config.dataDir, FIRST_ADMIN_FILE, password);
    print(`Created the first admin: ${email}. Its password is in ${file} (readable by you only): sign in, change it under My account, then delete the file.`);
  } catch (err) {
    print(`Created the first admin: ${email}, but its password could not be written to ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}): set one with npm run agent:password.`);
  }
}

/** The demo site allows this server's own origin; its FAQ is loaded once, its articles on every start. */
export async function seedDemo(ctx: Ctx, publicUrl: string): Promise<void> {
  const port = new URL(publicUrl).port;
  const own = [publicUrl, ...(port ? [`http://localhost:${port}`, `http://127.0.0.1:${port}`] : [])];
  const site = await findSite(ctx.db, DEMO_SITE);
  if (site) await ensureOrigins(ctx.db, site, own);
  else await createSite(ctx.db, { id: DEMO_SITE, name: '知更学堂 Robin Academy', origins: own });

  const [anyEntry] = await ctx.db.select({ id: faqEntries.id }).from(faqEntries).where(eq(faqEntries.siteId, DEMO_SITE)).limit(1);
  if (!anyEntry && !site) {
    const raw = JSON.parse(await readFile(path.join(root, 'demo/faq.json'), 'utf8')) as unknown[];
    await importEntries(ctx, DEMO_SITE, raw.map((e) => FaqEntryInput.parse(e)), false);
  }
  const demoArticles = DEMO_ARTICLES.map((a) => ({
      url: demoArticleUrl(publicUrl, a),
      title: a.title,
      summary: a.summary,
      body: a.body.join('\n\n'),
      language: a.language,
  }));
  // The server's address may have changed since the last start: drop links to the old one.
  const current = new Set(demoArticles.map((a) => a.url));
  for (const a of await listArticles(ctx, [DEMO_SITE])) if (!current.has(a.url)) await deleteArticle(ctx, DEMO_SITE, a.url);
  await upsertArticles(ctx, DEMO_SITE, demoArticles);
}
