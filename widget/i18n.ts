/** The panel's words, English then Chinese. Placeholders are `{name}`; a missing one stays visible. */
import type { Locale } from '../shared/schemas.ts';
import type { ErrorCode } from '../shared/result.ts';
import type { NoticeCode } from '../shared/types.ts';

const strings = {
  title: ['Support chat', '在线客服'],
  close: ['Close support chat', '关闭在线客服'],
  tabChat: ['Ask a question', '咨询问题'],
  tabFeedback: ['Leave feedback', '意见反馈'],
  message: ['Message', '输入消息'],
  placeholder: ['Type your question…', '请输入您的问题…'],
  send: ['Send', '发送'],
  attach: ['Send a file or image', '发送文件或图片'],
  emoji: ['Emoji', '表情'],
  agentsOnline: ['A person is online', '人工客服在线'],
  agentsAway: ['We reply as soon as we can', '我们会尽快回复'],
  connecting: ['Connecting…', '正在连接…'],
  online: ['Connected', '已连接'],
  offline: ['Offline: messages will be sent later', '网络已断开，消息将稍后发送'],
  reconnecting: ['Reconnecting…', '正在重新连接…'],
  tryAgain: ['Try again', '重试'],
  you: ['You', '我'],
  agent: ['Support', '客服'],
  bot: ['Assistant', '智能助手'],
  sending: ['Sending…', '发送中…'],
  sent: ['Sent', '已发送'],
  read: ['Read', '已读'],
  typing: ['Support is typing…', '客服正在输入…'],
  queue: ['You are number {n} in the queue', '您当前排在第 {n} 位'],
  queueWait: [' · about {m} min', '，预计等待约 {m} 分钟'],
  queueSoon: [' · less than a minute', '，预计等待不到 1 分钟'],
  retrying: ['Not sent yet, retrying…', '尚未发送，正在重试…'],
  failed: ['Not sent: {reason}', '发送失败：{reason}'],
  retry: ['Retry', '重新发送'],
  discard: ['Delete', '删除'],
  actionFailed: ['That failed; please try again.', '操作失败，请重试。'],
  solved: ['This solved it', '问题已解决'],
  human: ['Talk to a person', '转人工客服'],
  didYouMean: ['Did you mean…?', '您是不是想问…'],
  noneHuman: ['None of these, talk to a person', '都不是，转人工客服'],
  articles: ['These articles may help', '这些文章也许有帮助'],
  newTab: ['(opens in a new tab)', '（在新标签页中打开）'],
  fbNote: ['Reply from {name}:', '{name} 的回复：'],
  fbProcessedNotice: ['Your feedback has been processed', '您的反馈已处理'],
  fbView: ['View', '查看'],
  dismiss: ['Dismiss', '关闭提示'],
  tabHistory: ['Conversations', '历史会话'],
  messages: ['Messages', '消息记录'],
  error_UNKNOWN_SITE: ['Support chat is not set up for this site.', '此网站尚未开通在线客服。'],
  error_ORIGIN_NOT_ALLOWED: ['Support chat is not enabled on this web address.', '此网址未开通在线客服。'],
  error: ['Support chat is unavailable right now.', '在线客服暂时无法使用。'],
  reason_INVALID_PAYLOAD: ['it is empty or too long', '消息为空或过长'],
  reason_CONVERSATION_CLOSED: ['this conversation is closed', '会话已关闭'],
  reason: ['the server refused it', '服务器拒绝了此消息'],
  notice_waiting_for_agent: ['A person will reply here shortly.', '已为您转接人工客服，请稍候。'],
  notice_no_agent_online: ['No agent is online right now. Leave your question here: the reply will be waiting for you on your next visit.', '当前没有客服在线。请留下您的问题，下次访问时即可看到回复。'],
  notice_agent_joined: ['{agentName} joined the conversation', '{agentName} 已加入会话'],
  notice_resolved: ['This conversation was marked as resolved. Write again any time.', '此会话已标记为已解决。如有需要，欢迎随时再来咨询。'],
  notice_reopened: ['This conversation was reopened.', '此会话已重新打开。'],
  notice_greeting: ['Hello! How can we help?', '您好！请问有什么可以帮您？'],
  notice_thanks: ['Thank you!', '谢谢！'],
  notice_goodbye: ['Goodbye, and thanks for stopping by.', '再见，感谢您的访问。'],
  notice_solved_thanks: ['Glad it helped!', '很高兴能帮到您！'],
  notice_dont_know: ["I don't know the answer to that; a person will help you.", '这个问题我暂时无法回答，将由人工客服为您解答。'],
} satisfies Record<string, [en: string, zh: string]>;

export type Key = keyof typeof strings;

/**
 * The text for a key in a locale, with `{name}` placeholders filled in.
 * @example t('zh', 'notice_agent_joined', { agentName: '小王' }) // '小王 已加入会话'
 */
export function t(locale: Locale, key: Key, params: Record<string, string | number> = {}): string {
  return strings[key][locale === 'zh' ? 1 : 0].replace(/\{(\w+)\}/g, (whole, name: string) => String(params[name] ?? whole));
}

/** A key for a code when the dictionary has one (`error_UNKNOWN_SITE`), else the general one (`error`). */
const pick = (prefix: 'error' | 'reason' | 'notice', code: string | undefined): Key | undefined =>
  `${prefix}_${code}` in strings ? (`${prefix}_${code}` as Key) : undefined;

/** A connection error in words: known codes get their own sentence. */
export const errorText = (locale: Locale, code: ErrorCode | undefined): string => t(locale, pick('error', code) ?? 'error');

/** Why a message was not sent, in words. */
export const reasonText = (locale: Locale, code: ErrorCode | undefined): string => t(locale, pick('reason', code) ?? 'reason');

/** A notice in words; a code this widget does not know (a newer server) falls back to the server's body. */
export function noticeText(locale: Locale, notice: NoticeCode | undefined, fallback: string, agentName?: string | null): string {
  const key = pick('notice', notice);
  return key ? t(locale, key, { agentName: agentName || t(locale, 'agent') }) : fallback;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * When something was written, in the visitor's conventions: the time, and the date when it is not today.
 * The browser's own language tag is used when it is the interface language (en-GB keeps its 24-hour
 * clock), else the interface language.
 * @example when('2026-12-01T09:05:00Z', 'en') // '9:05 AM' today, 'Nov 30, 9:05 AM' another day
 */
export function when(iso: string, locale: Locale, now = new Date()): string {
  const date = new Date(iso);
  const today = date.toDateString() === now.toDateString();
  const tag = navigator.language.toLowerCase().startsWith(locale) ? navigator.language : locale;
  const key = `${tag}${today}${date.getFullYear() === now.getFullYear()}`;
  let format = formats.get(key);
  if (!format) {
    const options: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit' };
    if (!today) Object.assign(options, { month: 'short', day: 'numeric', year: date.getFullYear() === now.getFullYear() ? undefined : 'numeric' });
    format = new Intl.DateTimeFormat(tag, options);
    formats.set(key, format);
  }
  return format.format(date);
}
