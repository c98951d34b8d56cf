import { composeFreezeLimits, parseFreezeLimitsFile, parseFreezeLimitsSetting, SHIPPED_FREEZE_LIMITS, SHIPPED_FREEZE_LIMITS_SOURCE } from './freeze-limits';

/** The head of NSE's qtyfreeze.csv as published: padded cells, a serial-number column. */
const NSE_FILE = [
  'S.No.,SYMBOL    ,VOL_FRZ_QTY    ',
  '1    ,BANKNIFTY ,600            ',
  '4    ,NIFTY     ,1800           ',
  '125  ,M&M       ,6000           ',
  '',
].join('\n');

describe('freeze limits: shipped table, NSE file, setting', () => {
  it('ships NSE’s 2026-01-30 index limits and BSE’s SENSEX / BANKEX, with the source and date', () => {
    expect(SHIPPED_FREEZE_LIMITS).toEqual({ NIFTY: 1800, BANKNIFTY: 600, FINNIFTY: 1800, MIDCPNIFTY: 2800, NIFTYNXT50: 600, SENSEX: 1000, BANKEX: 900 });
    expect(SHIPPED_FREEZE_LIMITS_SOURCE).toMatch(/NSE circular of 2026-01-30/);
  });

  it('reads FREEZE_LIMITS=NAME=qty,… and refuses bad entries by name', () => {
    expect(parseFreezeLimitsSetting('nifty=1755, BANKNIFTY=900,')).toEqual({ NIFTY: 1755, BANKNIFTY: 900 });
    expect(() => parseFreezeLimitsSetting('NIFTY=1800,BANKNIFTY')).toThrow('"BANKNIFTY" is not UNDERLYING=quantity');
    expect(() => parseFreezeLimitsSetting('NIFTY=0')).toThrow(/NIFTY=0/);
  });

  it("reads NSE's qtyfreeze.csv as published, and refuses other files", () => {
    expect(parseFreezeLimitsFile(NSE_FILE)).toEqual({ BANKNIFTY: 600, NIFTY: 1800, 'M&M': 6000 });
    expect(() => parseFreezeLimitsFile('NAME,QTY\nNIFTY,1800\n')).toThrow(/SYMBOL and VOL_FRZ_QTY/);
    expect(() => parseFreezeLimitsFile('SYMBOL,VOL_FRZ_QTY\nNIFTY,lots\n')).toThrow(/row 1/);
    expect(() => parseFreezeLimitsFile('SYMBOL,VOL_FRZ_QTY\n')).toThrow(/no rows/);
  });

  it('layers shipped < file < setting, remembering where each value came from', () => {
    const table = composeFreezeLimits([
      { source: 'FREEZE_LIMITS_FILE qtyfreeze.csv', limits: { NIFTY: 1755, SBIN: 30000 } },
      { source: 'FREEZE_LIMITS', limits: { SBIN: 25000 } },
    ]);
    expect(table.limits).toMatchObject({ NIFTY: 1755, BANKNIFTY: 600, SBIN: 25000 });
    expect(table.sources).toMatchObject({ NIFTY: 'FREEZE_LIMITS_FILE qtyfreeze.csv', BANKNIFTY: SHIPPED_FREEZE_LIMITS_SOURCE, SBIN: 'FREEZE_LIMITS' });
  });
});
