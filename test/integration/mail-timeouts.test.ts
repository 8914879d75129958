/**
 * Mail against an SMTP server that stalls, and a job whose mail went out but could not be marked sent.
 * A send must fail well within the lock a node holds on a job (120 s), or another node claims the job
 * again and mails it a second time; so must a mail the database could not mark sent be kept from
 * being mailed again. Real SMTP servers in this process (smtp-server, as test/support/smtp.ts).
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Ctx } from '../../server/context.ts';
import type { MailJob } from '../../server/db/schema.ts';
import { createLogger } from '../../server/logger.ts';
import { MailWorker } from '../../server/mail/mail-worker.ts';
import { createMailer, type Mailer, type OutgoingMail } from '../../server/mail/mailer.ts';
import { startSmtpServer } from '../support/smtp.ts';

const repo = vi.hoisted(() => ({
  scanUnseenReplies: vi.fn(async () => 0),
  claimJobs: vi.fn(async (): Promise<MailJob[]> => []),
  markSent: vi.fn(async () => {}),
  markFailed: vi.fn(async () => {}),
  lastMailedSeq: vi.fn(async () => 0),
}));
// Only the worker's test below uses the queue; the mailer's tests never reach it.
vi.mock('../../server/mail/mail-jobs.repository.ts', () => repo);

const FROM = 'Support <support@test.local>';
const MAIL: OutgoingMail = { to: 'ada@example.com', subject: 'New reply', text: 'Fixed.', html: '<p>Fixed.</p>' };

function logged() {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
  return { log: createLogger('info', sink), lines };
}

/** An SMTP server that never gets past one step of a session; `close` drops the sessions it holds. */
async function stallingServer(options: SMTPServerOptions) {
  const server = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false, ...options });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('sending to an SMTP server that stalls', () => {
  const closing: (() => unknown)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
  });

  it('sends to a server that answers', async () => {
    const inbox = await startSmtpServer();
    closing.push(() => inbox.close());
    const mailer = createMailer({ smtpUrl: inbox.url, from: FROM, linkTtlMs: 3600_000, scanIntervalMs: 20_000 }, logged().log);
    closing.push(() => mailer.close());
    await mailer.send(MAIL);
    expect((await inbox.next()).subject).toBe('New reply');
  });

  // nodemailer's defaults waited 30 s for a greeting and 10 min for an answer: the tests' own
  // timeout, 15 s, is the bound (the mailer's are a few seconds, see mailer.ts).
  it('fails, rather than waits, when the server accepts the connection and never greets', { timeout: 15_000 }, async () => {
    // The greeting is written once onConnect calls back: this one never does.
    const server = await stallingServer({ onConnect: () => {} });
    const mailer = createMailer({ smtpUrl: server.url, from: FROM, linkTtlMs: 3600_000, scanIntervalMs: 20_000 }, logged().log);
    closing.push(() => server.close(), () => mailer.close());
    await expect(mailer.send(MAIL)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('fails, rather than waits, when the server takes the mail and never answers', { timeout: 15_000 }, async () => {
    const server = await stallingServer({ onData: (stream) => stream.resume() });
    const mailer = createMailer({ smtpUrl: server.url, from: FROM, linkTtlMs: 3600_000, scanIntervalMs: 20_000 }, logged().log);
    closing.push(() => server.close(), () => mailer.close());
    await expect(mailer.send(MAIL)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });
});

describe('a mail sent that the database could not mark sent', () => {
  it('is not mailed again: the worker marks it at its next run, even when it claims the job again first', async () => {
    const job = { id: 'job-1', kind: 'reply', attempts: 1, conversationId: 'c-1', payload: { seq: 2 } } as unknown as MailJob;
    let t = Date.parse('2024-01-01T00:00:00Z');
    const { log, lines } = logged();
    const ctx = { db: {}, raw: vi.fn(), clock: () => new Date(t), log, config: { mail: { scanIntervalMs: 3600_000 } } } as unknown as Ctx;
    const sent: OutgoingMail[] = [];
    const mailer: Mailer = { enabled: true, send: async (m) => void sent.push(m), close() {} };
    // What the job would mail: composing reads conversations and messages, which are not the point here.
    vi.spyOn(MailWorker.prototype as unknown as { _compose(job: MailJob): Promise<OutgoingMail> }, '_compose').mockResolvedValue(MAIL);
    const down = Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    const worker = new MailWorker(ctx, mailer);
    // Started (a stopped worker claims nothing), but its own interval is an hour: the test runs it.
    worker.start();

    // The SMTP server accepts the mail; marking it sent fails.
    repo.claimJobs.mockResolvedValueOnce([job]);
    repo.markSent.mockRejectedValueOnce(down);
    await worker.poke();
    expect(sent).toHaveLength(1);
    expect(repo.markFailed).not.toHaveBeenCalled();
    const sentAt = new Date(t);
    expect(lines.filter((l) => l.level === 50).map((l) => l.msg)).toEqual(['mail sent but not marked sent: marked at the next run, not sent again']);

    // The database still fails, and the job comes back (its lock ran out): it is not mailed again.
    t += 20_000;
    repo.markSent.mockRejectedValueOnce(down).mockRejectedValueOnce(down);
    repo.claimJobs.mockResolvedValueOnce([job]);
    await worker.poke();
    expect(sent).toHaveLength(1);
    expect(repo.markFailed).not.toHaveBeenCalled();

    // The database answers: the job is marked sent, as of when it was sent, and left alone after.
    t += 20_000;
    repo.markSent.mockClear();
    await worker.poke();
    expect(repo.markSent).toHaveBeenCalledTimes(1);
    expect(repo.markSent).toHaveBeenCalledWith(ctx.db, 'job-1', sentAt);
    await worker.poke();
    expect(repo.markSent).toHaveBeenCalledTimes(1);
    expect(sent).toHaveLength(1);
    expect(repo.markFailed).not.toHaveBeenCalled();
    await worker.stop();
  });
});
