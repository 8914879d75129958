/**
 * Choosing a new password, as the invitation page and My account ask for it: the password and its
 * repeat (fields named `new` and `repeat`), and what is wrong with them before anything is sent.
 */
import { html, type TemplateResult } from 'lit';
import { i18n, type Phrase } from './i18n.ts';

/** The two labelled password fields; the server's rule (8 to 200 characters) is also the browser's. */
export function newPasswordFields(): TemplateResult {
  const t = i18n.t.bind(i18n);
  return html`<div class="field">
      <label for="new">${t('account.new')}</label>
      <input id="new" name="new" type="password" required minlength="8" maxlength="200" autocomplete="new-password" />
    </div>
    <div class="field">
      <label for="repeat">${t('account.repeat')}</label>
      <input id="repeat" name="repeat" type="password" required minlength="8" maxlength="200" autocomplete="new-password" />
    </div>`;
}

/** The new password in `data`, or the problem to show instead (too short, or the repeat differs), worded when shown. */
export function newPassword(data: FormData): { password: string; problem: Phrase | null } {
  const password = String(data.get('new') ?? '');
  const problem: Phrase | null = password.length < 8 ? { key: 'account.tooShort' } : password !== data.get('repeat') ? { key: 'account.mismatch' } : null;
  return { password, problem };
}
