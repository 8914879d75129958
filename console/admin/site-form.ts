/**
 * The Sites settings form, read as the server will check it: durations are typed in minutes or
 * hours, sizes in MB, times of day as HH:MM; the result is a SiteSettings body, or the names of the
 * fields that are wrong (checked with the shared schema, so the form and the API never disagree).
 */
import type { SiteAdminDTO } from '../../shared/http.ts';
import { SiteSettings, type BusinessHours } from '../../shared/schemas.ts';
import { parseOrigins } from './origins.ts';

export const WEEKDAYS = ['1', '2', '3', '4', '5', '6', '7'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
const MB = 1024 * 1024;

/** What a form field holds, by name (FormData.get). */
export type FieldReader = (name: string) => string | null;

export type ParsedSiteForm = { ok: true; settings: SiteSettings } | { ok: false; fields: string[]; badOrigins?: string[] };

/** "09:30" from 570; the end of a day (1440) is "24:00" typed as "00:00". */
export const minutesToTime = (m: number): string => `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** 570 from "09:30"; NaN when it is not HH:MM. */
export function timeToMinutes(text: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return NaN;
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The form's initial values for one weekday. */
export function dayFields(hours: BusinessHours | null, day: Weekday): { open: boolean; start: string; end: string } {
  const span = hours?.days[day];
  return span ? { open: true, start: minutesToTime(span[0]), end: minutesToTime(span[1]) } : { open: false, start: '09:00', end: '18:00' };
}

function readBusinessHours(get: FieldReader): BusinessHours | null {
  if (get('businessHoursOn') !== 'on') return null;
  const days: BusinessHours['days'] = {};
  for (const day of WEEKDAYS) {
    if (get(`day${day}Open`) !== 'on') continue;
    const start = timeToMinutes(get(`day${day}Start`) ?? '');
    const endTyped = timeToMinutes(get(`day${day}End`) ?? '');
    // "00:00" as an end means midnight at the end of the day.
    days[day] = [start, endTyped === 0 ? 1440 : endTyped];
  }
  return { timezone: (get('timezone') ?? '').trim(), days };
}

const numberOf = (get: FieldReader, name: string): number => {
  const text = (get(name) ?? '').trim();
  return text === '' ? NaN : Number(text);
};

/** Field names as the form has them, by SiteSettings key (durations and sizes are converted). */
const FIELD_OF: Record<string, string> = {
  identityMaxAgeSec: 'identityMaxAge',
  firstResponseTargetSec: 'firstResponseTarget',
  reopenWindowSec: 'reopenWindow',
  emailUnseenAfterSec: 'emailUnseenAfter',
  attachmentMaxBytes: 'attachmentMaxMb',
  businessHours: 'businessHours',
};

/** Reads the whole settings form; a wrong field is named, nothing is sent. */
export function readSiteForm(get: FieldReader): ParsedSiteForm {
  const origins = parseOrigins(get('origins') ?? '');
  if (!origins.ok) return { ok: false, fields: ['origins'], badOrigins: origins.bad };
  const threshold = (get('faqThreshold') ?? '').trim();
  const types = (get('attachmentTypes') ?? '')
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter(Boolean);
  const candidate = {
    name: (get('name') ?? '').trim(),
    origins: origins.origins,
    faqThreshold: threshold === '' ? null : Number(threshold),
    identityMaxAgeSec: Math.round(numberOf(get, 'identityMaxAge') * 60),
    firstResponseTargetSec: Math.round(numberOf(get, 'firstResponseTarget') * 60),
    requireIdentity: get('requireIdentity') === 'on',
    keepFullPageUrls: get('keepFullPageUrls') === 'on',
    assignmentMode: get('assignmentMode'),
    reopenWindowSec: Math.round(numberOf(get, 'reopenWindow') * 3600),
    csatEnabled: get('csatEnabled') === 'on',
    replySound: get('replySound') === 'on',
    emailUnseenAfterSec: Math.round(numberOf(get, 'emailUnseenAfter') * 60),
    prechatForm: get('prechatForm'),
    attachmentMaxBytes: Math.round(numberOf(get, 'attachmentMaxMb') * MB),
    attachmentTypes: types.length ? types : null,
    faqTargetPrecision: numberOf(get, 'faqTargetPrecision'),
    faqReviewLearned: get('faqReviewLearned') === 'on',
    businessHours: readBusinessHours(get),
  };
  const parsed = SiteSettings.safeParse(candidate);
  if (parsed.success) return { ok: true, settings: parsed.data };
  const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))].map((k) => FIELD_OF[k] ?? k);
  return { ok: false, fields };
}

/** The settings form's initial values that need converting. */
export function formValues(s: SiteAdminDTO) {
  return {
    identityMaxAge: String(Math.round(s.identityMaxAgeSec / 60)),
    firstResponseTarget: String(Math.round(s.firstResponseTargetSec / 60)),
    reopenWindow: String(Math.round((s.reopenWindowSec / 3600) * 100) / 100),
    emailUnseenAfter: String(Math.round(s.emailUnseenAfterSec / 60)),
    attachmentMaxMb: String(Math.round((s.attachmentMaxBytes / MB) * 1000) / 1000),
    attachmentTypes: (s.attachmentTypes ?? []).join('\n'),
  };
}
