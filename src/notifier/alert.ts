/** One alert for a human: short title, a line or two of text, and the facts as key/value pairs. */
export interface Alert {
  title: string;
  text: string;
  severity: 'info' | 'warning' | 'critical';
  fields?: Record<string, string | number | null>;
}

/** A place alerts go (webhook, Telegram, …). Implementations throw on failure; the notifier retries and logs. */
export interface AlertChannel {
  readonly name: string;
  send(alert: Alert): Promise<void>;
}

/** The plain-text form used by chat channels. */
export function alertText(alert: Alert): string {
  const icon = alert.severity === 'critical' ? '🚨' : alert.severity === 'warning' ? '⚠️' : 'ℹ️';
  const facts = Object.entries(alert.fields ?? {})
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([key, value]) => `${key}: ${value}`);
  return [`${icon} ${alert.title}`, alert.text, ...facts].join('\n');
}
