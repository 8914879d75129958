/**
 * The body of a reply or transcript email, as text and as simple HTML. Every piece of the HTML
 * that came from a person (messages, names, the site's name) is escaped.
 */
import type { Author } from '../../shared/types.ts';
import type { OutgoingMail } from './mailer.ts';
import { mailText, type MailKey } from './mail-strings.ts';

export interface MailMessage {
  author: Author;
  authorName: string | null;
  body: string;
}

export interface MailContent {
  kind: 'reply' | 'transcript';
  to: string;
  locale: string | null;
  siteName: string;
  messages: MailMessage[];
  /** The one-time link back into the conversation; null when none was made (email off). */
  link: { url: string; expiresAt: Date } | null;
}

// Five characters, as the demo site's pages escape them: no library in the stack exports this.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

const SPEAKER: Record<Author, MailKey> = { visitor: 'you', agent: 'agent', bot: 'bot', system: 'bot' };

export function buildMail(c: MailContent): OutgoingMail {
  const l = (key: MailKey, params: Record<string, string> = {}) => mailText(c.locale, key, { site: c.siteName, ...params });
  const speaker = (m: MailMessage) => (m.author === 'agent' && m.authorName) || l(SPEAKER[m.author]);
  const subject = l(c.kind === 'reply' ? 'replySubject' : 'transcriptSubject');
  const intro = l(c.kind === 'reply' ? 'replyIntro' : 'transcriptIntro');
  const expires = c.link ? c.link.expiresAt.toISOString().slice(0, 16).replace('T', ' ') : '';

  const text = [
    intro,
    '',
    ...c.messages.flatMap((m) => [`${speaker(m)}:`, m.body, '']),
    ...(c.link ? [`${l('open')}: ${c.link.url}`, l('linkNote', { expires })] : [l('noLink')]),
    '',
    '--',
    l('why'),
  ].join('\n');

  const paragraphs = (body: string) => escape(body).replace(/\n/g, '<br>');
  const html = `<!doctype html>
<html lang="${c.locale === 'zh' ? 'zh' : 'en'}"><head><meta charset="utf-8"><title>${escape(subject)}</title></head>
<body style="font-family:system-ui,-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',sans-serif;color:#1f2937;line-height:1.5">
<p>${escape(intro)}</p>
${c.messages.map((m) => `<p><strong>${escape(speaker(m))}</strong><br>${paragraphs(m.body)}</p>`).join('\n')}
${
  c.link
    ? `<p><a href="${escape(c.link.url)}" style="display:inline-block;padding:10px 16px;background:#2563eb;color:#fff;border-radius:8px;text-decoration:none">${escape(l('open'))}</a></p>
<p style="font-size:13px;color:#4b5563">${escape(l('linkNote', { expires }))}</p>`
    : `<p>${escape(l('noLink'))}</p>`
}
<hr><p style="font-size:12px;color:#6b7280">${escape(l('why'))}</p>
</body></html>`;
  return { to: c.to, subject, text, html };
}
