/** A real SMTP server in the test process (smtp-server), whose mail is parsed with mailparser. */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface TestInbox {
  /** smtp://127.0.0.1:port, for SMTP_URL. */
  url: string;
  mails: ParsedMail[];
  /** Refuses the next `n` mails with a temporary failure (451). */
  failNext(n: number): void;
  /** Resolves with the next mail (or one already received) that matches. */
  next(match?: (mail: ParsedMail) => boolean, timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestInbox> {
  const mails: ParsedMail[] = [];
  const waiting: (() => void)[] = [];
  let failures = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          if (failures > 0) {
            failures--;
            const err = new Error('try again later') as Error & { responseCode: number };
            err.responseCode = 451;
            return callback(err);
          }
          mails.push(mail);
          for (const wake of waiting.splice(0)) wake();
          callback();
        },
        (err) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const seen = new Set<ParsedMail>();
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    failNext: (n) => (failures = n),
    next(match = () => true, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no mail arrived')), timeoutMs);
        const look = () => {
          const mail = mails.find((m) => !seen.has(m) && match(m));
          if (!mail) return void waiting.push(look);
          seen.add(mail);
          clearTimeout(timer);
          resolve(mail);
        };
        look();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The one-time token in a mail's link (the fragment of its "continue" URL). */
export function linkOf(mail: ParsedMail): { url: string; token: string } {
  const url = /https?:\/\/\S+#support-chat-link=[A-Za-z0-9_-]+/.exec(mail.text ?? '')?.[0];
  if (!url) throw new Error('no link in the mail');
  return { url, token: url.split('#support-chat-link=')[1] };
}
