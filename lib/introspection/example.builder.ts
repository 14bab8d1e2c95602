import type { WsJsonSchema } from './json-schema.builder.js';

const FORMAT_EXAMPLES: Record<string, string> = {
  email: 'user@example.com',
  uuid: '123e4567-e89b-42d3-a456-426614174000',
  uri: 'https://example.com',
  'date-time': '2026-01-01T00:00:00.000Z',
  ip: '127.0.0.1',
};

/** A value that satisfies the schema's types and bounds, named after the field where that helps a reader. */
export function exampleOf(schema: WsJsonSchema, name = 'text'): unknown {
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, prop] of Object.entries(schema.properties ?? {})) out[key] = exampleOf(prop, key);
      return out;
    }
    case 'array': {
      const count = Math.max(schema.minItems ?? 1, 1);
      return Array.from({ length: Math.min(count, schema.maxItems ?? count) }, () => exampleOf(schema.items ?? { type: 'string' }, name));
    }
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.maximum !== undefined ? Math.min(schema.maximum, 1) : 1);
    case 'boolean':
      return true;
    case 'string':
    default: {
      if (schema.format && FORMAT_EXAMPLES[schema.format]) return FORMAT_EXAMPLES[schema.format];
      // A pattern cannot be satisfied in general without a generator; say so instead of lying.
      if (schema.pattern) return `<${schema.pattern}>`;
      let text = name;
      if (schema.minLength !== undefined) text = text.padEnd(schema.minLength, 'x');
      if (schema.maxLength !== undefined) text = text.slice(0, schema.maxLength);
      return text;
    }
  }
}
