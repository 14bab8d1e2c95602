/** Keys that could reach a prototype once a payload is copied into an object or a class instance. */
const UNSAFE_KEYS = ['__proto__', 'constructor', 'prototype'];

export class PayloadTooDeepError extends Error {
  constructor(readonly limit: number) {
    super(`message nested deeper than ${limit} levels`);
  }
}

/**
 * One pass over a decoded frame: removes the keys `__proto__`, `constructor` and `prototype` wherever they are,
 * and rejects nesting deeper than `maxDepth`. JSON.parse makes `__proto__` an own property, harmless until some
 * code copies it with `obj[key] = value`, which is exactly what argument transformation does.
 */
export function sanitizePayload(value: unknown, maxDepth: number): void {
  walk(value, 1, maxDepth);
}

function walk(value: unknown, depth: number, maxDepth: number): void {
  if (value === null || typeof value !== 'object') return;
  if (depth > maxDepth) throw new PayloadTooDeepError(maxDepth);
  if (Array.isArray(value)) {
    for (const item of value) walk(item, depth + 1, maxDepth);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of UNSAFE_KEYS) {
    if (Object.prototype.hasOwnProperty.call(record, key)) delete record[key];
  }
  for (const key in record) walk(record[key], depth + 1, maxDepth);
}
