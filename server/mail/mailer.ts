/**
 * Sending one email: through SMTP with nodemailer when SMTP_URL and MAIL_FROM are set; otherwise
 * email is off, and what would have been sent goes to the log instead (without the link, which
 * would let anyone reading the log into the visitor's conversation).
 */
import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** SMTP_URL and MAIL_FROM are set. */
  readonly enabled: boolean;
  /** Resolves once the SMTP server accepted the mail (or it was logged, email off); rejects with the reason otherwise. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * How long an SMTP server may keep a send waiting. nodemailer's defaults (2 min to connect, 10 min
 * of silence) outlast the lock a node holds on a job (LOCK_MS, 120 s, in mail-worker.ts), and a
 * batch of 10 jobs is sent one after another: past the lock, another node claims the jobs again and
 * mails them a second time. With these, a server that stops answering fails a send within 8 s
 * (connectionTimeout bounds the whole setup, DNS to greeting and STARTTLS, greetingTimeout within
 * it; then socketTimeout of silence on any command), so a batch of 10 is over within 80 s, leaving
 * 40 s of the lock for the database work around each send. A relay answers each step within a
 * second or two when it is up. The SMTP URL may still set its own (?socketTimeout=…), which wins.
 */
const SMTP_TIMEOUTS = { connectionTimeout: 3_000, greetingTimeout: 3_000, socketTimeout: 5_000 };

export function createMailer(config: Config['mail'], log: Logger): Mailer {
  const { smtpUrl, from } = config;
  if (!smtpUrl || !from) {
    log.warn('email is off: SMTP_URL and MAIL_FROM are not set, so replies to visitors who left an address are not mailed (each is logged by its subject)');
    return {
      enabled: false,
      async send(mail) {
        // Neither the address nor the text: a log line cannot be erased with the visitor (visitors/privacy.ts).
        log.info({ subject: mail.subject, chars: mail.text.length }, 'email is off (SMTP_URL, MAIL_FROM unset): not sent');
      },
      close() {},
    };
  }
  // Options such as ?pool=true go in the URL (nodemailer reads them there, over the other keys).
  const transport = nodemailer.createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS });
  return {
    enabled: true,
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
    close: () => transport.close(),
  };
}
