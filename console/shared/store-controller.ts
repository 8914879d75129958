/**
 * Re-renders a Lit element whenever one of the stores it reads (the localizer, the connection,
 * the desk) dispatches `change`, and only while the element is in the document. A store can be
 * given as a getter, for stores that arrive later as properties.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

type Source = EventTarget | (() => EventTarget | null | undefined);

export class StoreController implements ReactiveController {
  private readonly _sources: Source[];
  private _subscribed = new Set<EventTarget>();
  private _connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    ...sources: Source[]
  ) {
    this._sources = sources;
    host.addController(this);
  }

  hostConnected(): void {
    this._connected = true;
    this._sync();
  }

  /** Before each render: follow a store property that was replaced. */
  hostUpdate(): void {
    if (this._connected) this._sync();
  }

  hostDisconnected(): void {
    this._connected = false;
    for (const s of this._subscribed) s.removeEventListener('change', this._onChange);
    this._subscribed.clear();
  }

  private _sync(): void {
    const wanted = new Set<EventTarget>();
    for (const src of this._sources) {
      const store = typeof src === 'function' ? src() : src;
      if (store) wanted.add(store);
    }
    for (const s of this._subscribed) if (!wanted.has(s)) s.removeEventListener('change', this._onChange);
    for (const s of wanted) if (!this._subscribed.has(s)) s.addEventListener('change', this._onChange);
    this._subscribed = wanted;
  }

  private readonly _onChange = (): void => this.host.requestUpdate();
}
