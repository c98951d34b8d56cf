import { IST_OFFSET_MS } from './ist-time';

/** Kite access tokens expire at 06:00 IST the day after login ("regulatory requirement"). */
export function kiteTokenExpiry(loggedInAt: Date): Date {
  const ist = new Date(loggedInAt.getTime() + IST_OFFSET_MS); // IST wall clock, read through the UTC getters
  const sixAm = Date.UTC(ist.getUTCFullYear(), ist.getUTCMonth(), ist.getUTCDate(), 6, 0, 0);
  const expiryIst = ist.getTime() < sixAm ? sixAm : sixAm + 86_400_000;
  return new Date(expiryIst - IST_OFFSET_MS);
}
