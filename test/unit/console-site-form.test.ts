import { describe, expect, it } from 'vitest';
import { readSiteForm, timeToMinutes } from '../../console/admin/site-form.ts';

const base: Record<string, string> = {
  name: 'Courses',
  origins: 'https://courses.example',
  faqThreshold: '',
  identityMaxAge: '1440',
  firstResponseTarget: '5',
  assignmentMode: 'auto',
  reopenWindow: '168',
  csatEnabled: 'on',
  emailUnseenAfter: '5',
  prechatForm: 'email',
  attachmentMaxMb: '10',
  attachmentTypes: 'image/png\napplication/PDF',
  faqTargetPrecision: '0.95',
};
const reader = (fields: Record<string, string>) => (name: string) => fields[name] ?? null;

describe('the Sites settings form', () => {
  it('converts minutes, hours, MB and HH:MM into the API’s units', () => {
    const parsed = readSiteForm(
      reader({ ...base, businessHoursOn: 'on', timezone: 'Asia/Shanghai', day1Open: 'on', day1Start: '09:00', day1End: '18:30', day7Open: 'on', day7Start: '10:00', day7End: '00:00', day2Start: '09:00', day2End: '18:00' }),
    );
    expect(parsed).toEqual({
      ok: true,
      settings: expect.objectContaining({
        faqThreshold: null,
        identityMaxAgeSec: 86400,
        reopenWindowSec: 604800,
        emailUnseenAfterSec: 300,
        attachmentMaxBytes: 10 * 1024 * 1024,
        attachmentTypes: ['image/png', 'application/pdf'],
        csatEnabled: true,
        replySound: false,
        assignmentMode: 'auto',
        prechatForm: 'email',
        businessHours: { timezone: 'Asia/Shanghai', days: { '1': [540, 1110], '7': [600, 1440] } },
      }),
    });
  });

  it('sends null for no business hours and the default attachment types', () => {
    const parsed = readSiteForm(reader({ ...base, attachmentTypes: ' \n' }));
    expect(parsed.ok && [parsed.settings.businessHours, parsed.settings.attachmentTypes]).toEqual([null, null]);
  });

  it('names every wrong field and sends nothing', () => {
    const parsed = readSiteForm(
      reader({ ...base, reopenWindow: '-1', faqTargetPrecision: '1.5', attachmentTypes: 'png', businessHoursOn: 'on', timezone: 'Nowhere/Else', day1Open: 'on', day1Start: '18:00', day1End: '09:00' }),
    );
    expect(parsed).toEqual({ ok: false, fields: expect.arrayContaining(['reopenWindow', 'faqTargetPrecision', 'attachmentTypes', 'businessHours']) });
    expect(readSiteForm(reader({ ...base, origins: 'javascript:alert(1)' }))).toEqual({ ok: false, fields: ['origins'], badOrigins: ['javascript:alert(1)'] });
    expect(readSiteForm(reader({ ...base, emailUnseenAfter: '' }))).toEqual({ ok: false, fields: ['emailUnseenAfter'] });
  });

  it('reads times of day', () => {
    expect([timeToMinutes('09:30'), timeToMinutes('24:00'), timeToMinutes('9h')]).toEqual([570, NaN, NaN]);
  });
});
