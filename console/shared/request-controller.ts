/**
 * A form's (or a button's) request to the server: `busy` while it runs, so that its button is
 * disabled and a second submit is ignored, and the refusal it got (`error`), shown until the next
 * request or a reset.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ClientError, Result } from './api.ts';

export class RequestController implements ReactiveController {
  busy = false;
  error: ClientError | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  /**
   * Sends the request and resolves with its answer; a refusal is kept in `error`.
   * @example if (this._request.busy) return; const res = await this._request.send(() => api('/api/x', { json })); if (!res.ok) return;
   */
  async send<T>(request: () => Promise<Result<T>>): Promise<Result<T>> {
    this.busy = true;
    this.error = null;
    this.host.requestUpdate();
    const res = await request();
    this.busy = false;
    if (!res.ok) this.error = res.error;
    this.host.requestUpdate();
    return res;
  }

  /** Shows a refusal that came another way, or (null) hides the one shown. */
  setError(error: ClientError | null): void {
    this.error = error;
    this.host.requestUpdate();
  }
}
