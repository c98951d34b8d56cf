import { readFileSync } from 'node:fs';
import { Logger, Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { errorText } from '../common/error-text';
import type { LegworkConfig } from '../config/legwork.config';
import { composeFreezeLimits, FreezeLimitTable, parseFreezeLimitsFile, parseFreezeLimitsSetting } from './freeze-limits';

/** The freeze-quantity table in use (shipped < FREEZE_LIMITS_FILE < FREEZE_LIMITS), read once at start. */
export const FREEZE_LIMIT_TABLE = Symbol('FREEZE_LIMIT_TABLE');

export const freezeLimitTableProvider: Provider = {
  provide: FREEZE_LIMIT_TABLE,
  inject: [ConfigService],
  useFactory: (config: ConfigService<LegworkConfig, true>): FreezeLimitTable => {
    const { freezeLimits, freezeLimitsFile } = config.get('instruments', { infer: true });
    const overrides: Array<{ source: string; limits: Record<string, number> }> = [];
    if (freezeLimitsFile) {
      try {
        overrides.push({ source: `FREEZE_LIMITS_FILE ${freezeLimitsFile}`, limits: parseFreezeLimitsFile(readFileSync(freezeLimitsFile, 'utf8')) });
      } catch (error) {
        // A table the trader asked for and legwork cannot read must stop the start, not be silently ignored.
        throw new Error(`FREEZE_LIMITS_FILE ${freezeLimitsFile}: ${errorText(error)}`);
      }
    }
    if (freezeLimits) overrides.push({ source: 'FREEZE_LIMITS', limits: parseFreezeLimitsSetting(freezeLimits) });
    const table = composeFreezeLimits(overrides);
    const bySource = new Map<string, string[]>();
    for (const [name, source] of Object.entries(table.sources)) bySource.set(source, [...(bySource.get(source) ?? []), `${name} ${table.limits[name]}`]);
    const described = [...bySource].map(([source, entries]) => (entries.length > 12 ? `${entries.length} underlyings` : entries.join(', ')) + ` (${source})`);
    new Logger('Instruments').log(`freeze quantities: ${described.join('; ')}`);
    return table;
  },
};
