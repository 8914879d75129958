/**
 * The one classic script a site embeds:
 *   <script src="https://HOST/widget.js" data-site="SITE_KEY" async></script>
 * It exposes `window.SupportChat`, loads the `<support-chat>` module next to it, and adds the element
 * once the body exists, unless the page placed its own.
 */
import { ensureApi } from './api.ts';

/**
 * The element module's content-hashed path (widget/support-chat-HASH.js), set by scripts/build.ts: this
 * script is the one short-lived file, and naming the element's exact build makes the rest cacheable for good.
 */
declare const __SUPPORT_CHAT_MODULE__: string;

// Only readable while this script runs for the first time: never move this into a callback.
const script = document.currentScript as HTMLScriptElement | null;

ensureApi();

if (script?.src) {
  const { site, locale, color, position } = script.dataset;
  import(new URL(__SUPPORT_CHAT_MODULE__, script.src).href).catch(() => {
    // Offline or blocked by the page: the site keeps working without its chat.
  });

  const mount = () => {
    const existing = document.querySelector('support-chat');
    const element = existing ?? document.createElement('support-chat');
    for (const [name, value] of Object.entries({ site, locale, color, position })) {
      if (value && !element.hasAttribute(name)) element.setAttribute(name, value);
    }
    // Attributes first: the element may already be defined, and it reads `site` as it connects.
    if (!existing) document.body.append(element);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount, { once: true });
  else mount();
}
