/**
 * The labels of the agent's sites (GET /api/labels), loaded once per console and on demand, and
 * putting one on a conversation or taking it off (the new list comes back to every console of the
 * site as `conversation:labels`, which the desk applies).
 */
import type { ConversationLabelsDTO, LabelDTO } from '../../shared/types.ts';
import { api, type ClientError } from './api.ts';

export class LabelStore extends EventTarget {
  all: LabelDTO[] = [];
  error: ClientError | null = null;
  private _loading: Promise<void> | null = null;

  /** Loads the list once; `force` reloads it. */
  load(force = false): Promise<void> {
    if (this._loading && !force) return this._loading;
    this._loading = api<LabelDTO[]>('/api/labels').then((res) => {
      if (res.ok) this.all = res.data;
      this.error = res.ok ? null : res.error;
      this.dispatchEvent(new Event('change'));
    });
    return this._loading;
  }

  ofSite(siteId: string): LabelDTO[] {
    return this.all.filter((l) => l.siteId === siteId);
  }

  byId(id: string): LabelDTO | undefined {
    return this.all.find((l) => l.id === id);
  }

  async set(conversationId: string, labelId: string, on: boolean) {
    return api<ConversationLabelsDTO>(`/api/conversations/${encodeURIComponent(conversationId)}/labels`, { json: { labelId, on } });
  }
}

/** One list for the whole console. */
export const labelStore = new LabelStore();
