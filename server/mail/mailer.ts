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

export function createMailer(config: Config['mail'], log: Logger): Mailer {
  const { smtpUrl, from } = config;
  if (!smtpUrl || !from) {
    log.warn('email is off: SMTP_URL and MAIL_FROM are not set, so replies to visitors who left an address are written to this log instead of mailed');
    return {
      enabled: false,
      async send(mail) {
        log.info({ to: mail.to, subject: mail.subject, text: mail.text }, 'email is off (SMTP_URL, MAIL_FROM unset): not sent');
      },
      close() {},
    };
  }
  // Options such as ?pool=true go in the URL (nodemailer reads them there).
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    enabled: true,
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
    close: () => transport.close(),
  };
}
