import { instrumentListDay, minutesOfDay, nextRefreshAfter } from './list-day';

const at = (iso: string) => new Date(iso);
const REFRESH_AT = minutesOfDay('08:30');

describe("instrument list day: which day's list Kite serves, and when the next one is due", () => {
  it("is the previous day's list before 08:30 IST and today's from 08:30 IST on", () => {
    expect(instrumentListDay(at('2026-01-20T08:29:59+05:30'), REFRESH_AT)).toBe('2026-01-19');
    expect(instrumentListDay(at('2026-01-20T08:30:00+05:30'), REFRESH_AT)).toBe('2026-01-20');
    expect(instrumentListDay(at('2026-01-20T23:59:00+05:30'), REFRESH_AT)).toBe('2026-01-20');
    // 00:10 IST is still the previous UTC day; the IST calendar decides.
    expect(instrumentListDay(at('2026-01-21T00:10:00+05:30'), REFRESH_AT)).toBe('2026-01-20');
    expect(instrumentListDay(at('2026-03-01T07:00:00+05:30'), REFRESH_AT)).toBe('2026-02-28');
  });

  it('schedules the next refresh at the coming 08:30 IST', () => {
    expect(nextRefreshAfter(at('2026-01-20T07:00:00+05:30'), REFRESH_AT).toISOString()).toBe(at('2026-01-20T08:30:00+05:30').toISOString());
    expect(nextRefreshAfter(at('2026-01-20T08:30:00+05:30'), REFRESH_AT).toISOString()).toBe(at('2026-01-21T08:30:00+05:30').toISOString());
    expect(nextRefreshAfter(at('2026-01-20T23:00:00+05:30'), REFRESH_AT).toISOString()).toBe(at('2026-01-21T08:30:00+05:30').toISOString());
  });

  it('reads HH:MM and refuses anything else', () => {
    expect(minutesOfDay('00:00')).toBe(0);
    expect(minutesOfDay('23:59')).toBe(1439);
    for (const bad of ['8:30', '24:00', '08:60', '0830', '']) expect(() => minutesOfDay(bad)).toThrow(/HH:MM/);
  });
});
