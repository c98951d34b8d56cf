import { textOf } from './text-of';

describe('textOf', () => {
  it('writes what String() writes for strings, numbers, booleans, null, undefined and dates', () => {
    const at = new Date('2026-12-01T09:15:00Z');
    for (const value of ['x', 42, 1.5, true, null, undefined, at]) expect(textOf(value)).toBe(String(value));
  });

  it('writes a plain object or an array as JSON, not "[object Object]"', () => {
    expect(textOf({ code: 'E' })).toBe('{"code":"E"}');
    expect(textOf([1, 2])).toBe('[1,2]');
  });
});
