/**
 * What loads after the chat is opened, when first needed: the words of the later parts (past
 * conversations, feedback, the survey, answers while typing, attachments), English then Chinese, how they are
 * styled, what the visitor chose not to rate, and the signs of a reply on a hidden page. They import nothing the panel
 * imports (its words, styles, date format): anything shared with the panel would be split out of the
 * panel's one file into another request before the chat opens.
 */
// The one value imported from lit (the later parts all import it too): with it, esbuild puts its own
// helpers in lit's file, which the launcher loads, rather than in one more file before opening.
import { html, supportsAdoptingStyleSheets, type CSSResult } from 'lit';
import type { Locale } from '../shared/schemas.ts';
import { csatSkippedKey } from './storage-keys.ts';

const strings = {
  historyEmpty: ['No conversations yet.', '还没有会话记录。'],
  historyFailed: ['The conversations could not be loaded.', '会话记录加载失败。'],
  loading: ['Loading…', '加载中…'],
  loadMore: ['Show older conversations', '加载更早的会话'],
  back: ['Back to conversations', '返回会话列表'],
  askNew: ['Ask something new', '提出新问题'],
  startedOn: ['Conversation of {date}', '{date} 的会话'],
  unreadN: ['{n} new', '{n} 条新消息'],
  lastMessage: ['{who}: {text}', '{who}：{text}'],
  status_bot: ['Answered automatically', '自动回答'],
  status_open: ['Waiting for a reply', '等待回复'],
  status_pending: ['Replied', '已回复'],
  status_snoozed: ['Waiting for a reply', '等待回复'],
  status_resolved: ['Resolved', '已解决'],
  csatTitle: ['How did we do?', '您对本次服务满意吗？'],
  csatScale: ['1 = very poor, 5 = excellent', '1 = 非常不满意，5 = 非常满意'],
  csatComment: ['Comment (optional)', '补充说明（选填）'],
  csatSend: ['Send rating', '提交评价'],
  csatSkip: ['Skip', '跳过'],
  csatThanks: ['Thank you for your rating!', '感谢您的评价！'],
  csatGiven: ['You rated this conversation {n} of 5.', '您对本次会话的评分：{n} 分（满分 5 分）。'],
  csatStar: ['{n} of 5', '{n} 分（满分 5 分）'],
  suggestTitle: ['Answers that may help', '以下答案也许能帮到您'],
  newReply: ['({n}) New reply', '（{n}）新回复'],
  fbContent: ['Your feedback', '您的意见'],
  fbContact: ['Contact (optional)', '联系方式（选填）'],
  fbSubmit: ['Send feedback', '提交反馈'],
  fbThanks: ['Thank you! We received your feedback.', '感谢！我们已收到您的反馈。'],
  fbMine: ['My feedback', '我的反馈'],
  fbNone: ['You have not left feedback yet.', '您还没有提交过反馈。'],
  fbReceived: ['Received', '已收到'],
  fbProcessed: ['Processed', '已处理'],
  fbFailed: ['Not sent; please try again.', '提交失败，请重试。'],
  emailPrechat: ['Before we start: how can we reach you if you leave?', '开始咨询前，请留下联系方式，以便您离开后我们也能回复您。'],
  emailOffline: ['Nobody is online right now. Leave your email and the reply will be sent to you.', '当前没有客服在线。留下邮箱，回复会发送到您的邮箱。'],
  emailSlow: ['This is taking longer than usual. Leave your email and the reply will be sent to you.', '等待时间比平时长。留下邮箱，回复会发送到您的邮箱。'],
  emailAsk: ['Get the reply by email', '通过邮件接收回复'],
  emailAskWhy: ['If you are away when we reply, the reply will be sent to this address, with a link back to this conversation.', '如果我们回复时您不在，回复会发送到这个邮箱，并附带返回本会话的链接。'],
  emailName: ['Name', '称呼'],
  emailNameOptional: ['Name (optional)', '称呼（选填）'],
  emailAddress: ['Email', '邮箱'],
  emailSave: ['Save', '保存'],
  emailStart: ['Start', '开始咨询'],
  emailNotNow: ['Not now', '暂不需要'],
  emailSaved: ['If you are away when we reply, it will be sent to {email}.', '如果我们回复时您不在，回复会发送到 {email}。'],
  emailInvalid: ['Please enter a valid email address.', '请输入有效的邮箱地址。'],
  emailTranscript: ['Email me this conversation', '将本次会话发送到我的邮箱'],
  linkRefused: ['This link from an email was already used or has expired.', '邮件中的链接已使用过或已过期。'],
  linkAsk: ['This link from an email opens the conversation of {email}. Is that your address?', '这个邮件链接会打开 {email} 的会话。这是您的邮箱吗？'],
  linkOpen: ['Yes, open it', '是的，打开'],
  linkNotMe: ['No, stay here', '不是，留在这里'],
  emailTranscriptSent: ['The conversation is on its way to {email}.', '会话记录正在发送到 {email}。'],
  // The panel's words these parts need too (importing widget/i18n.ts would split it out of the panel's file).
  you: ['You', '我'],
  emoji: ['Emoji', '表情'],
  agent: ['Support', '客服'],
  bot: ['Assistant', '智能助手'],
  didYouMean: ['Did you mean…?', '您是不是想问…'],
  articles: ['These articles may help', '这些文章也许有帮助'],
  actionFailed: ['That failed; please try again.', '操作失败，请重试。'],
  fbNote: ['Reply from {name}:', '{name} 的回复：'],
  // Attachments (support-chat-uploads, support-chat-file).
  fileUploading: ['Sending {name}…', '正在发送 {name}…'],
  fileProgress: ['Upload of {name}', '{name} 的上传进度'],
  fileFailed: ['{name} was not sent.', '{name} 发送失败。'],
  fileRetry: ['Send {name} again', '重新发送 {name}'],
  fileRemove: ['Remove {name}', '移除 {name}'],
  fileTooLarge: ['{name} is too large: files up to {max} can be sent.', '{name} 太大：最大可发送 {max} 的文件。'],
  fileBadType: ['{name} cannot be sent: images, PDF, text and office documents can.', '无法发送 {name}：仅支持图片、PDF、文本和 Office 文档。'],
  fileRefused: ['{name} was refused.', '{name} 被拒绝。'],
  fileOpen: ['Open {name} full size', '查看 {name} 原图'],
  fileDownload: ['Download {name} · {size}', '下载 {name} · {size}'],
  fileUnavailable: ['{name} ({size}) is not available', '{name}（{size}）暂时无法获取'],
} satisfies Record<string, [en: string, zh: string]>;

export type MoreKey = keyof typeof strings;

/**
 * The text for a key in a locale, with `{name}` placeholders filled in.
 * @example tm('zh', 'unreadN', { n: 2 }) // '2 条新消息'
 */
export function tm(locale: Locale, key: MoreKey, params: Record<string, string | number> = {}): string {
  return strings[key][locale === 'zh' ? 1 : 0].replace(/\{(\w+)\}/g, (whole, name: string) => String(params[name] ?? whole));
}

/**
 * For `createRenderRoot`: a late part renders into the shadow root it is placed in (the panel's or the
 * conversation's), whose shared styles then apply to it, and adds its own sheet (selectors prefixed with
 * its tag) to that root once. Without constructable stylesheets (Safari before 16.4) it goes unstyled.
 */
export function renderInPlace(element: HTMLElement, styles: CSSResult): HTMLElement {
  const root = element.getRootNode();
  const sheet = styles.styleSheet!;
  if (supportsAdoptingStyleSheets && root instanceof ShadowRoot && !root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  return element;
}

/** An icon from one 24×24 stroke path, as icons.ts draws the panel's (not imported from there, for the reason above). */
export const icon = (d: string) => html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d=${d} /></svg>`;

/** Resolved tickets this browser chose not to rate, newest last (at most 50). */
export const skippedRatings = {
  get(): string[] {
    try {
      return JSON.parse(localStorage.getItem(csatSkippedKey) ?? '[]') as string[];
    } catch {
      return [];
    }
  },
  add(id: string): void {
    try {
      localStorage.setItem(csatSkippedKey, JSON.stringify([...skippedRatings.get(), id].slice(-50)));
    } catch {
      // No storage: skipped for this page view.
    }
  },
};

// ---- A reply that arrives while the page is hidden (another tab, a minimised window): the title says so
// until the page is shown again, and, when the site asks for it (sites.reply_sound), a short chime
// plays, made with WebAudio so that no sound file is downloaded.

let original: string | null = null;
let count = 0;

/** Marks the title with the number of replies since the page was hidden; restored once it is visible. */
export function flagTitle(locale: Locale): void {
  if (original === null) {
    original = document.title;
    document.addEventListener('visibilitychange', restore);
  }
  document.title = `${tm(locale, 'newReply', { n: ++count })} ${original}`;
}

function restore(): void {
  if (document.hidden || original === null) return;
  document.title = original;
  original = null;
  count = 0;
  document.removeEventListener('visibilitychange', restore);
}

/** Two soft notes, 0.3 s in all; silent where the browser allows no audio yet. */
export function chime(): void {
  try {
    const audio = new AudioContext();
    const gain = audio.createGain();
    gain.connect(audio.destination);
    gain.gain.setValueAtTime(0.12, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.3);
    const tone = audio.createOscillator();
    tone.frequency.setValueAtTime(660, audio.currentTime);
    tone.frequency.setValueAtTime(880, audio.currentTime + 0.12);
    tone.connect(gain);
    tone.onended = () => void audio.close();
    tone.start();
    tone.stop(audio.currentTime + 0.3);
  } catch {
    // No WebAudio: the title says it.
  }
}
