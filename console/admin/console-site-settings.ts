import { LitElement, css, html } from 'lit';
import type { SiteAdminDTO } from '../../shared/http.ts';
import { api } from '../shared/api.ts';
import { intlTag } from '../shared/format.ts';
import { i18n, translate, type Phrase, type StringKey } from '../shared/i18n.ts';
import { RequestController } from '../shared/request-controller.ts';
import { StoreController } from '../shared/store-controller.ts';
import { baseStyles } from '../shared/styles.ts';
import { WEEKDAYS, dayFields, formValues, readSiteForm } from './site-form.ts';

/** Time zones for the business-hours field's suggestions (older engines lack supportedValuesOf). */
const TIME_ZONES: string[] = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];

/**
 * A site's settings form for its admin: identity, FAQ, assignment, reopening, the visitor's
 * widget (pre-chat form, sound, emails, attachments) and business hours. A wrong field is named
 * before anything is sent.
 * @fires site-saved - after the settings were saved, with the saved site in `detail`
 */
export class ConsoleSiteSettings extends LitElement {
  static override properties = {
    site: { attribute: false },
    _problem: { state: true },
    _saved: { state: true },
    _hoursOn: { state: true },
  };
  static override styles = [
    baseStyles,
    css`
      :host {
        display: block;
      }
      input:not([type='checkbox']),
      textarea,
      select {
        width: 100%;
      }
      textarea.code {
        font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
        font-size: 0.85rem;
      }
      .check {
        flex-direction: row;
        align-items: center;
        gap: 0.5rem;
      }
      fieldset {
        border: 1px solid var(--sc-border);
        border-radius: var(--sc-radius);
        margin: 0 0 0.75rem;
        padding: 0.5rem 0.75rem;
        min-width: 0;
      }
      legend {
        font-weight: 600;
        padding: 0 0.25rem;
      }
      .day {
        display: grid;
        grid-template-columns: minmax(6rem, 1fr) minmax(5.5rem, 1fr) minmax(5.5rem, 1fr);
        gap: 0.5rem;
        align-items: center;
        margin-bottom: 0.4rem;
      }
      .day input[type='time'] {
        width: 100%;
      }
    `,
  ];

  declare site: SiteAdminDTO;
  private _request = new RequestController(this);
  declare _problem: Phrase | null;
  declare _saved: boolean;
  declare _hoursOn: boolean;

  constructor() {
    super();
    this._problem = null;
    this._saved = false;
    this._hoursOn = false;
    new StoreController(this, i18n);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('site') && this.site) this._hoursOn = this.site.businessHours !== null;
  }

  override render() {
    const t = i18n.t.bind(i18n);
    const s = this.site;
    const v = formValues(s);
    const check = (name: string, checked: boolean, label: StringKey) =>
      html`<div class="field check">
        <input id=${name} name=${name} type="checkbox" .checked=${checked} />
        <label for=${name}>${t(label)}</label>
      </div>`;
    return html`<form @submit=${this._save} @input=${() => (this._saved = false)} novalidate>
      <div class="field">
        <label for="name">${t('sites.name')}</label>
        <input id="name" name="name" required maxlength="200" .value=${s.name} />
      </div>
      <div class="field">
        <label for="origins">${t('sites.origins')}</label>
        <textarea id="origins" name="origins" rows="3" required .value=${s.origins.join('\n')}></textarea>
      </div>
      <fieldset>
        <legend>${t('sites.group.identity')}</legend>
        ${check('requireIdentity', s.requireIdentity, 'sites.requireIdentity')}
        <div class="field">
          <label for="identityMaxAge">${t('sites.identityMaxAge')}</label>
          <input id="identityMaxAge" name="identityMaxAge" type="number" min="1" max="43200" step="1" required .value=${v.identityMaxAge} />
        </div>
        ${check('keepFullPageUrls', s.keepFullPageUrls, 'sites.keepFullPageUrls')}
      </fieldset>
      <fieldset>
        <legend>${t('sites.group.faq')}</legend>
        <div class="field">
          <label for="faqThreshold">${t('sites.faqThreshold')}</label>
          <input id="faqThreshold" name="faqThreshold" type="number" min="0" max="1" step="0.01" .value=${String(s.faqThreshold)} />
        </div>
        <div class="field">
          <label for="faqTargetPrecision">${t('sites.faqTargetPrecision')}</label>
          <input id="faqTargetPrecision" name="faqTargetPrecision" type="number" min="0.5" max="0.999" step="0.001" required .value=${String(s.faqTargetPrecision)} />
        </div>
        ${check('faqReviewLearned', s.faqReviewLearned, 'sites.faqReviewLearned')}
      </fieldset>
      <fieldset>
        <legend>${t('sites.group.team')}</legend>
        <div class="field">
          <label for="assignmentMode">${t('sites.assignmentMode')}</label>
          <select id="assignmentMode" name="assignmentMode">
            <option value="manual" ?selected=${s.assignmentMode === 'manual'}>${t('sites.assignmentMode.manual')}</option>
            <option value="auto" ?selected=${s.assignmentMode === 'auto'}>${t('sites.assignmentMode.auto')}</option>
          </select>
        </div>
        <div class="field">
          <label for="firstResponseTarget">${t('sites.firstResponseTarget')}</label>
          <input id="firstResponseTarget" name="firstResponseTarget" type="number" min="1" max="10080" step="1" required .value=${v.firstResponseTarget} />
        </div>
        <div class="field">
          <label for="reopenWindow">${t('sites.reopenWindow')}</label>
          <input id="reopenWindow" name="reopenWindow" type="number" min="0" max="2160" step="any" required .value=${v.reopenWindow} />
        </div>
      </fieldset>
      <fieldset>
        <legend>${t('sites.group.visitor')}</legend>
        <div class="field">
          <label for="prechatForm">${t('sites.prechatForm')}</label>
          <select id="prechatForm" name="prechatForm">
            <option value="off" ?selected=${s.prechatForm === 'off'}>${t('sites.prechatForm.off')}</option>
            <option value="email" ?selected=${s.prechatForm === 'email'}>${t('sites.prechatForm.email')}</option>
            <option value="name_email" ?selected=${s.prechatForm === 'name_email'}>${t('sites.prechatForm.name_email')}</option>
          </select>
        </div>
        ${check('csatEnabled', s.csatEnabled, 'sites.csatEnabled')} ${check('replySound', s.replySound, 'sites.replySound')}
        <div class="field">
          <label for="emailUnseenAfter">${t('sites.emailUnseenAfter')}</label>
          <input id="emailUnseenAfter" name="emailUnseenAfter" type="number" min="1" max="10080" step="1" required .value=${v.emailUnseenAfter} />
        </div>
        <div class="field">
          <label for="attachmentMaxMb">${t('sites.attachmentMaxMb')}</label>
          <input id="attachmentMaxMb" name="attachmentMaxMb" type="number" min="0.001" max="100" step="any" required .value=${v.attachmentMaxMb} />
        </div>
        <div class="field">
          <label for="attachmentTypes">${t('sites.attachmentTypes')}</label>
          <textarea id="attachmentTypes" name="attachmentTypes" class="code" rows="3" placeholder="image/png" .value=${v.attachmentTypes}></textarea>
        </div>
      </fieldset>
      ${this._renderHours()} ${this._problem ? html`<p class="error" role="alert">${i18n.say(this._problem)}</p>` : ''}
      ${this._request.error ? html`<p class="error" role="alert">${i18n.error(this._request.error)}</p>` : ''}
      ${this._saved ? html`<p class="success" role="status">${t('sites.saved')}</p>` : ''}
      <button class="primary" type="submit" ?disabled=${this._request.busy}>${t('sites.save')}</button>
    </form>`;
  }

  private _renderHours() {
    const t = i18n.t.bind(i18n);
    const hours = this.site.businessHours;
    return html`<fieldset>
      <legend>${t('sites.group.hours')}</legend>
      <div class="field check">
        <input
          id="businessHoursOn"
          name="businessHoursOn"
          type="checkbox"
          .checked=${this._hoursOn}
          @change=${(e: Event) => (this._hoursOn = (e.target as HTMLInputElement).checked)}
        />
        <label for="businessHoursOn">${t('sites.businessHoursOn')}</label>
      </div>
      ${this._hoursOn
        ? html`<div class="field">
              <label for="timezone">${t('sites.timezone')}</label>
              <input id="timezone" name="timezone" list="time-zones" required .value=${hours?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone} />
              <datalist id="time-zones">${TIME_ZONES.map((z) => html`<option value=${z}></option>`)}</datalist>
            </div>
            ${WEEKDAYS.map((day) => {
              const f = dayFields(hours, day);
              const name = t(`sites.weekday.${day}` as StringKey);
              return html`<div class="day">
                <div class="check row">
                  <input id="day${day}Open" name="day${day}Open" type="checkbox" .checked=${f.open} />
                  <label for="day${day}Open">${name}</label>
                </div>
                <input name="day${day}Start" type="time" aria-label=${t('sites.opensAt', { day: name })} .value=${f.start} />
                <input name="day${day}End" type="time" aria-label=${t('sites.closesAt', { day: name })} .value=${f.end} />
              </div>`;
            })}`
        : html`<p class="muted small">${t('sites.businessHoursOff')}</p>`}
    </fieldset>`;
  }

  private _save = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    if (this._request.busy) return;
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const parsed = readSiteForm((name) => {
      const value = data.get(name);
      return typeof value === 'string' ? value : null;
    });
    if (!parsed.ok) {
      const fields = parsed.fields;
      this._problem = parsed.badOrigins
        ? { key: 'sites.badOrigins', params: { list: parsed.badOrigins.join(', ') } }
        : {
            key: 'sites.badFields',
            params: {
              list: (locale) =>
                new Intl.ListFormat(intlTag(locale), { type: 'conjunction' }).format(
                  fields.map((f) => translate(locale, (f === 'businessHours' ? 'sites.group.hours' : `sites.${f}`) as StringKey)),
                ),
            },
          };
      return;
    }
    this._problem = null;
    const res = await this._request.send(() => api<SiteAdminDTO>(`/api/sites/${encodeURIComponent(this.site.id)}`, { method: 'PUT', json: parsed.settings }));
    if (!res.ok) return;
    this._saved = true;
    this.dispatchEvent(new CustomEvent<SiteAdminDTO>('site-saved', { detail: res.data, bubbles: true, composed: true }));
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'console-site-settings': ConsoleSiteSettings;
  }
}
customElements.define('console-site-settings', ConsoleSiteSettings);
