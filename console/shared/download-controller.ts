/**
 * Download links of a view (CSV exports) fetched by the page rather than navigated to: the view says
 * that a file is being prepared, and why it was refused (a third tickets export at once is answered
 * 429 with the time to wait), where a plain link leaves a failed entry in the browser's downloads.
 * A click with a modifier key or another button keeps the browser's own behaviour (open in a tab).
 */
import { css, html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { download, type ClientError } from './api.ts';
import { i18n } from './i18n.ts';

export class DownloadController implements ReactiveController {
  /** Downloads being prepared. */
  pending = 0;
  error: ClientError | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** For `@click` on an `<a href download>`. */
  readonly click = (event: MouseEvent): void => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.currentTarget as HTMLAnchorElement;
    event.preventDefault();
    void this.fetchFile(link.href);
  };

  private async fetchFile(href: string): Promise<void> {
    this.pending++;
    this.error = null;
    this.host.requestUpdate();
    const res = await download(href);
    this.pending--;
    if (!res.ok) this.error = res.error;
    this.host.requestUpdate();
  }

  /**
   * The state to show once per view: preparing, or the last refusal. In a `.downloads` box that the
   * host keeps in sight (downloadStyles), since its links may be anywhere on a long page.
   */
  render() {
    if (!this.pending && !this.error) return nothing;
    return html`<div class="downloads">
      ${this.pending ? html`<p class="muted" role="status">${i18n.t('download.preparing')}</p>` : ''}
      ${this.error ? html`<p class="error" role="alert">${i18n.t('download.failed', { reason: i18n.error(this.error) })}</p>` : ''}
    </div>`;
  }
}

/** For the host's styles: the state box stays at the bottom of the viewport while its view scrolls. */
export const downloadStyles = css`
  .downloads {
    position: sticky;
    bottom: 0.5rem;
    z-index: 1;
    padding: 0.2rem 0.6rem;
    background: var(--sc-surface);
    border: 1px solid var(--sc-border);
    border-radius: 6px;
  }
  .downloads p {
    margin: 0.2rem 0;
  }
`;
