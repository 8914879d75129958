/** The sites an agent works for, as a group of checkboxes named `sites` (shared by the add and edit forms). */
import { html } from 'lit';
import type { SiteDTO } from '../../shared/http.ts';
import { i18n } from '../shared/i18n.ts';

export function siteCheckboxes(idPrefix: string, sites: SiteDTO[], checked: string[]) {
  return html`<fieldset>
    <legend>${i18n.t('agents.sites')}</legend>
    ${sites.map(
      (s) => html`<div class="row">
        <input type="checkbox" id="${idPrefix}-${s.id}" name="sites" value=${s.id} .checked=${checked.includes(s.id)} />
        <label for="${idPrefix}-${s.id}">${s.name}</label>
      </div>`,
    )}
  </fieldset>`;
}

/** The checked sites of a form. */
export const checkedSites = (data: FormData): string[] => data.getAll('sites').map(String);
