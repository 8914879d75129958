/**
 * The loading state of a view that fetches its list or numbers: only the latest request counts, so
 * a slow answer to an older filter or period never overwrites a newer one.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ClientError, Result } from './api.ts';

export class LoadController implements ReactiveController {
  loading = false;
  error: ClientError | null = null;
  private request = 0;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Runs a load; resolves with its data, or undefined when it failed or a newer load replaced it. */
  async run<T>(load: () => Promise<Result<T>>): Promise<T | undefined> {
    const request = ++this.request;
    this.loading = true;
    this.error = null;
    this.host.requestUpdate();
    const res = await load();
    if (request !== this.request) return undefined;
    this.loading = false;
    if (!res.ok) this.error = res.error;
    this.host.requestUpdate();
    return res.ok ? res.data : undefined;
  }
}
