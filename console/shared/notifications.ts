/**
 * Getting an agent's attention: a chime and a desktop notification for a conversation that starts
 * waiting, one given to them, and a visitor's message in one of theirs while the tab is hidden
 * (the desk's `attention` events). Desktop notifications only show while the tab is hidden (the
 * queue says it all when it is on screen), and only once the agent allowed them with a click:
 * browsers ignore or punish a permission asked for unprompted. Each can be turned off, per browser.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Attention, Desk } from './desk.ts';
import { browserStorage, i18n, type KeyValueStore } from './i18n.ts';

export const NOTIFY_STORAGE_KEY = 'sc-console-notify';

export type NotifyPermission = NotificationPermission | 'unsupported';

/** The agent's choices in this browser (localStorage): sound and desktop notifications, each on until turned off. */
export class NotifySettings extends EventTarget {
  sound = true;
  desktop = true;

  constructor(private readonly storage: KeyValueStore | null) {
    super();
    try {
      const stored = JSON.parse(storage?.getItem(NOTIFY_STORAGE_KEY) ?? '{}') as Partial<Record<'sound' | 'desktop', unknown>>;
      if (stored.sound === false) this.sound = false;
      if (stored.desktop === false) this.desktop = false;
    } catch {
      // Unreadable or blocked storage: both stay on.
    }
  }

  /** What the browser allows: asked with requestPermission, which only a click may call. */
  get permission(): NotifyPermission {
    return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
  }

  set(patch: Partial<Pick<NotifySettings, 'sound' | 'desktop'>>): void {
    Object.assign(this, patch);
    try {
      this.storage?.setItem(NOTIFY_STORAGE_KEY, JSON.stringify({ sound: this.sound, desktop: this.desktop }));
    } catch {
      // Not remembered across reloads, still used now.
    }
    this.dispatchEvent(new Event('change'));
  }

  /** Asks the browser for desktop notifications; call from a click handler only. */
  async requestPermission(): Promise<NotifyPermission> {
    if (this.permission === 'unsupported') return 'unsupported';
    await Notification.requestPermission();
    this.set({ desktop: true });
    return this.permission;
  }
}

/** The console's one settings store. */
export const notifySettings = new NotifySettings(browserStorage());

let audio: AudioContext | null = null;

/** Creates or resumes the audio context: browsers only let it play after a user gesture, so call this from one too. */
export function unlockAudio(): AudioContext | null {
  if (typeof AudioContext === 'undefined') return null;
  audio ??= new AudioContext();
  if (audio.state === 'suspended') void audio.resume().catch(() => {});
  return audio;
}

/** A short two-note chime generated with the Web Audio API: nothing to download. */
export function chime(): void {
  const ctx = unlockAudio();
  if (!ctx) return;
  const start = ctx.currentTime;
  for (const [i, freq] of [880, 1320].entries()) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    const at = start + i * 0.15;
    osc.type = 'sine';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.3);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + 0.32);
  }
}

/** A burst (a reconnect bringing several) chimes once. */
const CHIME_GAP_MS = 2000;
const BODY_MAX = 140;

/**
 * Listens to the desk of its host (the shell) and turns `attention` into a chime and, while the tab
 * is hidden, a desktop notification; clicking one brings the tab forward with that conversation open.
 */
export class NotificationController implements ReactiveController {
  private _desk: Desk | null = null;
  private _lastChime = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly desk: () => Desk | null,
    /** Shows a conversation at the desk: what clicking its notification does. */
    private readonly open: (conversationId: string) => void,
    private readonly settings: NotifySettings = notifySettings,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this._follow();
    // The first click anywhere lets later chimes play.
    document.addEventListener('pointerdown', this._unlock, { once: true, capture: true });
  }

  hostUpdate(): void {
    this._follow();
  }

  hostDisconnected(): void {
    this._desk?.removeEventListener('attention', this._onAttention);
    this._desk = null;
    document.removeEventListener('pointerdown', this._unlock, { capture: true });
  }

  private _follow(): void {
    const desk = this.desk();
    if (desk === this._desk) return;
    this._desk?.removeEventListener('attention', this._onAttention);
    desk?.addEventListener('attention', this._onAttention);
    this._desk = desk;
  }

  private readonly _unlock = (): void => void unlockAudio();

  private readonly _onAttention = (e: Event): void => {
    const a = (e as CustomEvent<Attention>).detail;
    const hidden = document.visibilityState === 'hidden';
    if (a.kind === 'message' && !hidden) return;
    if (this.settings.sound && Date.now() - this._lastChime > CHIME_GAP_MS) {
      this._lastChime = Date.now();
      chime();
    }
    if (hidden && this.settings.desktop && this.settings.permission === 'granted') this._show(a);
  };

  private _show(a: Attention): void {
    const c = a.conversation;
    const who = c.visitorName ?? c.visitorEmail ?? i18n.t('queue.anonymous');
    const title = i18n.t(a.kind === 'waiting' ? 'notify.waiting' : a.kind === 'assigned' ? 'notify.assigned' : 'notify.message', { name: who });
    const text = a.kind === 'message' ? a.message.body : (c.question ?? '');
    try {
      const n = new Notification(title, {
        body: text.length > BODY_MAX ? `${text.slice(0, BODY_MAX - 1)}…` : text,
        // One notification per conversation and kind, however many tabs are open.
        tag: `sc-${a.kind}-${c.id}`,
        lang: i18n.locale,
      });
      n.onclick = () => {
        window.focus();
        this.open(c.id);
        n.close();
      };
    } catch {
      // Some browsers (Android Chrome) only notify through a service worker: the chime still plays.
    }
  }
}
