import { kiteTokenExpiry } from './kite-token-expiry';

describe('kiteTokenExpiry', () => {
  it('a login during the trading day expires at 06:00 IST the next morning', () => {
    // 09:05 IST on 25 Nov = 03:35 UTC
    expect(kiteTokenExpiry(new Date('2026-11-25T03:35:00Z')).toISOString()).toBe('2026-11-26T00:30:00.000Z');
  });
  it('a login before 06:00 IST expires at 06:00 IST the same day', () => {
    // 05:00 IST on 25 Nov = 23:30 UTC on 24 Nov
    expect(kiteTokenExpiry(new Date('2026-11-24T23:30:00Z')).toISOString()).toBe('2026-11-25T00:30:00.000Z');
  });
});
