/**
 * Where `actual` departs from the shape of Kite's sample `sample`: keys missing or extra, and values of another JSON
 * type. A null on either side matches anything (nullable fields: a GTT leg's `result`, a trigger's `meta`). Arrays
 * compare each element with the sample's element at the same index, or its last one.
 */
export function shapeDifferences(actual: unknown, sample: unknown, path = '$'): string[] {
  if (actual === null || sample === null) return [];
  if (Array.isArray(sample)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array`];
    if (sample.length === 0) return [];
    return actual.flatMap((item, i) => shapeDifferences(item, sample[Math.min(i, sample.length - 1)], `${path}[${i}]`));
  }
  if (typeof sample === 'object' && sample !== undefined) {
    if (typeof actual !== 'object' || actual === undefined || Array.isArray(actual)) return [`${path}: expected an object`];
    const actualKeys = Object.keys(actual);
    const sampleKeys = Object.keys(sample);
    return [
      ...sampleKeys.filter((key) => !actualKeys.includes(key)).map((key) => `${path}.${key}: missing`),
      ...actualKeys.filter((key) => !sampleKeys.includes(key)).map((key) => `${path}.${key}: not in the sample`),
      ...sampleKeys
        .filter((key) => actualKeys.includes(key))
        .flatMap((key) => shapeDifferences((actual as Record<string, unknown>)[key], (sample as Record<string, unknown>)[key], `${path}.${key}`)),
    ];
  }
  return typeof actual === typeof sample ? [] : [`${path}: ${typeof actual} where the sample has ${typeof sample}`];
}
