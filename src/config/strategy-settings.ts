/**
 * A strategy's own settings, read from the environment as <STRATEGY_NAME>_<KEY> (e.g. TWO_LEG_TARGET_POINTS for
 * strategy "two-leg", key "target_points"). Invalid values stop the start with a message naming the variable.
 * Credentials (names containing SECRET, TOKEN, PASSWORD, API_KEY) are not visible here.
 */
export class StrategySettings {
  constructor(
    readonly strategy: string,
    private readonly env: Record<string, string | undefined>,
  ) {}

  variableName(key: string): string {
    return `${this.strategy}_${key}`.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  }

  string(key: string, fallback: string): string;
  string(key: string, fallback?: string): string | undefined;
  string(key: string, fallback?: string): string | undefined {
    const value = this.env[this.variableName(key)]?.trim();
    return value === undefined || value === '' ? fallback : value;
  }

  number(key: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const text = this.string(key);
    if (text === undefined) return fallback;
    const value = Number(text);
    const { min = -Infinity, max = Infinity } = range;
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new Error(
        `${this.variableName(key)} must be a number${Number.isFinite(min) ? ` ≥ ${min}` : ''}${Number.isFinite(max) ? ` ≤ ${max}` : ''} (got ${JSON.stringify(text)})`,
      );
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const text = this.string(key)?.toLowerCase();
    if (text === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(text)) return true;
    if (['false', '0', 'no', 'off'].includes(text)) return false;
    throw new Error(`${this.variableName(key)} must be true or false (got ${JSON.stringify(text)})`);
  }
}
