/**
 * `window.SupportChat`: the page's handle on the widget. Calls made before a `<support-chat>` element is
 * ready are queued and replayed in order once one attaches. Shared by the loader and the element module.
 */
import type { Identify } from '../shared/schemas.ts';

export interface SupportChatApi {
  open(): void;
  close(): void;
  /** Links the visitor to the site's signed-in user: `hash` = HMAC-SHA256(site secret, `${id}:${ts}`) in hex. */
  identify(identity: Identify): void;
}

export interface SupportChatGlobal extends SupportChatApi {
  /** Internal: the element that receives the calls from now on. */
  _attach(target: SupportChatApi): void;
}

declare global {
  interface Window {
    SupportChat?: SupportChatGlobal;
  }
}

type Call = { [K in keyof SupportChatApi]: [K, Parameters<SupportChatApi[K]>] }[keyof SupportChatApi];

/**
 * Returns `window.SupportChat`, creating the queueing version when there is none yet.
 * @example ensureApi().open()
 */
export function ensureApi(): SupportChatGlobal {
  if (typeof window.SupportChat?._attach === 'function') return window.SupportChat;
  let target: SupportChatApi | undefined;
  const queue: Call[] = [];
  const run = ([method, args]: Call, to: SupportChatApi) => (to[method] as (...a: typeof args) => void)(...args);
  const call =
    <K extends keyof SupportChatApi>(method: K) =>
    (...args: Parameters<SupportChatApi[K]>) => {
      const entry = [method, args] as Call;
      if (target) run(entry, target);
      else queue.push(entry);
    };
  return (window.SupportChat = {
    open: call('open'),
    close: call('close'),
    identify: call('identify'),
    _attach(next) {
      target = next;
      for (const entry of queue.splice(0)) run(entry, next);
    },
  });
}
