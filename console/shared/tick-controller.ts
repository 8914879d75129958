/** Re-renders its element every `intervalMs` while it is in the document, for "waiting 2 min". */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class TickController implements ReactiveController {
  /** The time of the latest tick, in ms since the epoch. */
  now = Date.now();
  private _timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly intervalMs = 1000,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.now = Date.now();
    this._timer = setInterval(() => {
      this.now = Date.now();
      this.host.requestUpdate();
    }, this.intervalMs);
  }

  hostUpdate(): void {
    this.now = Date.now();
  }

  hostDisconnected(): void {
    clearInterval(this._timer);
    this._timer = undefined;
  }
}
