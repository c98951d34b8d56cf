import { ConfigService } from '@nestjs/config';
import { loadLegworkConfig } from '../config/legwork.config';
import { afterZerodhaSquareOff, MarketClock } from './market-clock';

const clockWith = (env: Record<string, string> = {}) => new MarketClock(new ConfigService(loadLegworkConfig({ LEGWORK_MODE: 'paper', ...env })) as never);

describe('market clock', () => {
  it('trading days: Monday to Friday, not a configured holiday', () => {
    const clock = clockWith({ MARKET_HOLIDAYS: '2026-11-24, 2026-12-25' });
    expect(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-28', '2026-11-29', '2026-12-25'].map((d) => clock.isTradingDay(d))).toEqual([
      true,
      false,
      true,
      false,
      false,
      false,
    ]);
  });

  it('reads the IST day and time of day whatever the process time zone', () => {
    const clock = clockWith();
    const at = new Date('2026-11-25T18:45:00Z'); // 00:15 IST on the 26th
    expect(clock.day(at)).toBe('2026-11-26');
    expect(clock.minutes(at)).toBe(15);
  });

  it('says when a square-off time comes after Zerodha’s own intraday square-off (equity 15:20, F&O 15:25)', () => {
    expect(afterZerodhaSquareOff('15:15')).toBeNull();
    expect(afterZerodhaSquareOff('15:20')).toBeNull();
    expect(afterZerodhaSquareOff('15:21')).toBe('equity (15:20)');
    expect(afterZerodhaSquareOff('15:26')).toBe('equity (15:20) and F&O (15:25)');
  });
});
