/**
 * A value of unknown type as text, as String() writes it — except a plain object or array, which comes out as JSON
 * rather than "[object Object]" (such a value in a message or a sort key is a bug worth seeing).
 */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined || typeof value !== 'object' || value instanceof Date) return String(value);
  return JSON.stringify(value) ?? '';
}
