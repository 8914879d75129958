/** The words of the emails, English then Chinese. Placeholders are `{name}`. */
import type { Locale } from '../../shared/schemas.ts';

const strings = {
  replySubject: ['New reply from {site}', '{site} 客服回复了您'],
  replyIntro: ['{site} replied to your question:', '{site} 回复了您的问题：'],
  transcriptSubject: ['Your conversation with {site}', '您与 {site} 的会话记录'],
  transcriptIntro: ['Here is your conversation with {site}, as you asked.', '这是您要求发送的与 {site} 的会话记录。'],
  open: ['Continue the conversation', '继续会话'],
  linkNote: [
    'The link works once, in any browser, until {expires} (UTC); it brings that browser back into this conversation. Do not forward this email.',
    '此链接可在任意浏览器中使用一次，有效期至 {expires}（UTC），用于在该浏览器中回到此会话。请勿转发本邮件。',
  ],
  noLink: ['(Email is off on this server: no link was made.)', '（本服务器未开启邮件：未生成链接。）'],
  you: ['You', '我'],
  agent: ['Support', '客服'],
  bot: ['Assistant', '智能助手'],
  why: ["You get this email because you left this address in {site}'s support chat.", '您收到此邮件，是因为您在 {site} 的在线客服中留下了此邮箱地址。'],
} satisfies Record<string, [en: string, zh: string]>;

export type MailKey = keyof typeof strings;

/** The text for a key in a locale (anything but zh is English), with `{name}` placeholders filled in. */
export function mailText(locale: Locale | string | null, key: MailKey, params: Record<string, string> = {}): string {
  return strings[key][locale === 'zh' ? 1 : 0].replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}
