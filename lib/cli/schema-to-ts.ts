import type { WsJsonSchema } from '../introspection/json-schema.builder.js';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The TypeScript type a JSON schema of the export describes, as source text. Only what the export writes is read
 * (type, properties, required, items, enum); a schema that says nothing is `unknown`, never `any`, so a contract
 * cannot make unchecked code look checked.
 */
export function schemaToTs(schema: WsJsonSchema | undefined, indent = ''): string {
  if (!schema) return 'unknown';
  if (schema.enum && schema.enum.length > 0) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const item = schemaToTs(schema.items, indent);
      return /^[A-Za-z]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
    }
    case 'object':
      return objectToTs(schema, indent);
    default:
      return schema.properties ? objectToTs(schema, indent) : 'unknown';
  }
}

function objectToTs(schema: WsJsonSchema, indent: string): string {
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) return 'Record<string, unknown>';
  const required = new Set(schema.required ?? []);
  const inner = `${indent}  `;
  const lines = properties.map(([name, property]) => `${inner}${propertyKey(name)}${required.has(name) ? '' : '?'}: ${schemaToTs(property, inner)};`);
  return `{\n${lines.join('\n')}\n${indent}}`;
}

export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}
