import { formatIst, istCompactDate, istTimeOfDay, parseIst } from './ist-time';

describe('IST formatting', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it('formats an instant as Kite’s IST wall-clock string whatever the process TZ', () => {
    const instant = new Date('2022-03-03T03:54:25Z');
    for (const tz of ['UTC', 'America/Los_Angeles', 'Asia/Kolkata']) {
      process.env.TZ = tz;
      expect(formatIst(instant)).toBe('2022-03-03 09:24:25');
      expect(istTimeOfDay(instant)).toBe('09:24:25');
    }
  });

  it('rolls the date at IST midnight, not UTC midnight', () => {
    expect(formatIst(new Date('2026-01-31T18:30:00Z'))).toBe('2026-02-01 00:00:00');
    expect(istCompactDate(new Date('2026-01-31T18:29:59Z'))).toBe('260131');
    expect(istCompactDate(new Date('2026-01-31T18:30:00Z'))).toBe('260201');
  });

  it('parses back to the same instant', () => {
    expect(parseIst('2022-03-03 09:24:25').toISOString()).toBe('2022-03-03T03:54:25.000Z');
    expect(() => parseIst('2022-03-03T09:24:25')).toThrow();
  });
});
