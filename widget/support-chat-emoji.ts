/**
 * `<support-chat-emoji>`: a grid of common emoji above the composer. Each is a button named in the
 * visitor's language (the emoji alone is read out only where the screen reader knows it). One tab stop:
 * the arrow keys, Home and End move within the grid (roving tabindex); Escape closes it. Opening it moves
 * focus to the first emoji. Loaded when the composer's emoji button is first pressed.
 * Focus moving elsewhere (a click in the field or the messages, Tab out of the grid) closes it too, and
 * so does a press anywhere else (the widget's title, say, or the host page), which moves no focus.
 * @fires support-chat-emoji - detail: the chosen emoji; null when the visitor closed the picker (Escape);
 * '' when focus left it for another control (which keeps the focus)
 */
import { LitElement, css, html } from 'lit';
import type { Locale } from '../shared/schemas.ts';
import { renderInPlace, tm } from './later.ts';

/** Emoji, English name, Chinese name; eight to a row. (The build makes each line break in a widget template one space.) */
const EMOJI = `😀 grinning 笑脸|😂 tears of joy 笑哭|🤣 rolling with laughter 笑翻|😊 smiling 微笑|🙂 slight smile 浅笑|😉 wink 眨眼|😍 heart eyes 喜欢|😘 kiss 飞吻|
😎 cool 酷|😇 angel 天使|🤗 hug 拥抱|🤔 thinking 思考|🙄 eye roll 翻白眼|😐 speechless 无语|😅 sweat smile 尴尬|😬 grimace 龇牙|
😮 surprised 惊讶|😱 scream 惊恐|😢 sad 难过|😭 crying 大哭|😡 angry 生气|🥺 pleading 可怜|😴 sleepy 困|🤯 mind blown 震惊|
👍 thumbs up 赞|👎 thumbs down 踩|👌 OK 好的|👏 applause 鼓掌|🙏 thank you 谢谢|💪 strong 加油|👋 wave 挥手|🤝 handshake 握手|
🙌 hooray 欢呼|✌️ victory 胜利|🤞 fingers crossed 祝好运|👀 eyes 看看|❤️ heart 爱心|💔 broken heart 心碎|🔥 fire 火|⭐ star 星星|
🎉 party 庆祝|🎁 gift 礼物|✅ done 完成|❌ wrong 错误|❓ question 疑问|❗ important 重要|💯 hundred points 满分|💡 idea 想法`
  .split(/\s*\|\s*/)
  .map((entry) => entry.split(/ (.+) (?=\S+$)/));

const COLUMNS = 8;

export class SupportChatEmoji extends LitElement {
  static override properties = { locale: {}, _at: { state: true } };

  /** Added to the conversation's shadow root, where this renders (later.ts renderInPlace). */
  static sheet = css`
    support-chat-emoji {
      display: grid;
      grid-template-columns: repeat(8, 1fr);
      gap: 2px;
      padding: 8px 12px 0;
      border-top: 1px solid #e5e7eb;
    }
    support-chat-emoji button {
      min-width: 0;
      height: 36px;
      padding: 0;
      border: 0;
      border-radius: 8px;
      background: none;
      font-size: 20px;
      /* The colour emoji fonts first: a CJK text font otherwise draws some of them in outline. */
      font-family: 'Apple Color Emoji', 'Segoe UI Emoji', 'Noto Color Emoji', sans-serif;
    }
    support-chat-emoji button:hover {
      background: #f1f5f9;
    }
  `;

  protected override createRenderRoot(): HTMLElement {
    return renderInPlace(this, SupportChatEmoji.sheet);
  }

  declare locale: Locale;
  /** The emoji that holds the grid's one tab stop. */
  declare private _at: number;

  constructor() {
    super();
    this.locale = 'en';
    this._at = 0;
    this.addEventListener('keydown', this._onKey);
    this.addEventListener('focusout', ({ relatedTarget: to }) => {
      // The emoji button toggles the picker itself; focus leaving the page (null) closes nothing.
      if (to instanceof Element && !this.contains(to) && to.id !== 'emoji') this._send('');
    });
  }

  // A press elsewhere (on text or a heading, which moves no focus; or on the host page) is heard by the
  // document: the widget's shadow roots are open, so the press's path still names this picker.
  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('pointerdown', this._onPress);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('pointerdown', this._onPress);
  }

  private _onPress = (event: Event): void => {
    const path = event.composedPath();
    const root = this.getRootNode();
    if (!path.includes(this) && !path.some((n) => n instanceof Element && n.id === 'emoji' && n.getRootNode() === root)) this._send('');
  };

  protected override willUpdate(): void {
    this.setAttribute('role', 'dialog');
    this.setAttribute('aria-label', tm(this.locale, 'emoji'));
  }

  protected override firstUpdated(): void {
    this.querySelector('button')?.focus();
  }

  override render() {
    const zh = this.locale === 'zh';
    return EMOJI.map(
      ([emoji, en, name], i) =>
        html`<button type="button" tabindex=${i === this._at ? 0 : -1} aria-label=${zh ? name : en} title=${zh ? name : en} @click=${() => this._send(emoji)}>${emoji}</button>`,
    );
  }

  private _send(emoji: string | null): void {
    this.dispatchEvent(new CustomEvent('support-chat-emoji', { detail: emoji, bubbles: true, composed: true }));
  }

  private _onKey = async (event: KeyboardEvent): Promise<void> => {
    // Only this picker closes: the panel, which closes on Escape too, does not hear it.
    if (event.key === 'Escape') return void (event.stopPropagation(), this._send(null));
    const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -COLUMNS, ArrowDown: COLUMNS, Home: -EMOJI.length, End: EMOJI.length }[event.key];
    if (!step) return;
    event.preventDefault();
    this._at = Math.min(EMOJI.length - 1, Math.max(0, this._at + step));
    await this.updateComplete;
    this.querySelectorAll('button')[this._at].focus();
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'support-chat-emoji': SupportChatEmoji;
  }
}

if (!customElements.get('support-chat-emoji')) customElements.define('support-chat-emoji', SupportChatEmoji);
