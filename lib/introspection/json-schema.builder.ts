/** The subset of JSON Schema the export and the AsyncAPI document use. */
export interface WsJsonSchema {
  type?: 'object' | 'string' | 'number' | 'integer' | 'boolean' | 'array';
  properties?: Record<string, WsJsonSchema>;
  required?: string[];
  items?: WsJsonSchema;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  description?: string;
  additionalProperties?: boolean;
}

/** What the builder needs from class-validator: its metadata storage, nothing that validates. */
export interface ValidatorMetadataSource {
  getMetadataStorage(): {
    getTargetValidationMetadatas(
      target: Function,
      schema: string,
      always: boolean,
      strictGroups: boolean,
    ): Array<{ type: string; name?: string; propertyName: string; constraints?: unknown[]; each?: boolean }>;
  };
}

const FORMATS: Record<string, string> = {
  isEmail: 'email',
  isUUID: 'uuid',
  isUrl: 'uri',
  isURL: 'uri',
  isDateString: 'date-time',
  isISO8601: 'date-time',
  isIP: 'ip',
};

/**
 * Reads the class-validator decorators of an arguments class into a JSON schema. Read only: validation is the
 * pipeline's job. Without class-validator the schema is the bare `{ type: 'object' }`, and decorators this
 * builder does not know add nothing rather than a guess.
 */
export function schemaOfClass(cls: Function, source: ValidatorMetadataSource | undefined, seen = new Set<Function>()): WsJsonSchema {
  const schema: WsJsonSchema = { type: 'object', properties: {} };
  if (!source || seen.has(cls)) return schema;
  seen.add(cls);
  const metas = source.getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const optional = new Set<string>();
  for (const meta of metas) {
    const prop = (schema.properties![meta.propertyName] ??= designType(cls, meta.propertyName));
    const target = meta.each ? (prop.items ??= {}) : prop;
    if (meta.each) prop.type = 'array';
    if (meta.type === 'conditionalValidation' && meta.name === 'isOptional') optional.add(meta.propertyName);
    else if (meta.type === 'nestedValidation') {
      const nested = Reflect.getMetadata?.('design:type', cls.prototype, meta.propertyName) as Function | undefined;
      if (nested && nested !== Array && nested !== Object) Object.assign(target, schemaOfClass(nested, source, seen));
    } else applyConstraint(target, meta.name ?? meta.type, meta.constraints ?? []);
  }
  const required = Object.keys(schema.properties!).filter((name) => !optional.has(name));
  if (required.length > 0) schema.required = required;
  seen.delete(cls);
  return schema;
}

function designType(cls: Function, property: string): WsJsonSchema {
  const type = Reflect.getMetadata?.('design:type', cls.prototype, property);
  if (type === String) return { type: 'string' };
  if (type === Number) return { type: 'number' };
  if (type === Boolean) return { type: 'boolean' };
  if (type === Array) return { type: 'array' };
  return {};
}

function applyConstraint(s: WsJsonSchema, name: string, c: unknown[]): void {
  switch (name) {
    case 'isString': s.type = 'string'; break;
    case 'isNumber': s.type = 'number'; break;
    case 'isInt': s.type = 'integer'; break;
    case 'isBoolean': s.type = 'boolean'; break;
    case 'isArray': s.type = 'array'; break;
    case 'isObject': s.type = 'object'; break;
    case 'isPositive': s.minimum = Math.max(s.minimum ?? 1, 1); break;
    case 'min': s.minimum = c[0] as number; break;
    case 'max': s.maximum = c[0] as number; break;
    case 'minLength': s.minLength = c[0] as number; break;
    case 'maxLength': s.maxLength = c[0] as number; break;
    case 'isLength':
      s.minLength = c[0] as number;
      if (typeof c[1] === 'number') s.maxLength = c[1];
      break;
    case 'isNotEmpty': s.minLength ??= 1; break;
    case 'arrayMinSize': s.type = 'array'; s.minItems = c[0] as number; break;
    case 'arrayMaxSize': s.type = 'array'; s.maxItems = c[0] as number; break;
    case 'isIn': s.enum = [...(c[0] as unknown[])]; break;
    case 'isEnum': s.enum = enumValues(c[0]); break;
    case 'matches': s.type = 'string'; s.pattern = c[0] instanceof RegExp ? c[0].source : String(c[0]); break;
    default:
      if (FORMATS[name]) {
        s.type = 'string';
        s.format = FORMATS[name];
      }
  }
}

/** A TypeScript numeric enum object also maps values back to names; keep only the values. */
function enumValues(entity: unknown): unknown[] {
  if (!entity || typeof entity !== 'object') return [];
  const obj = entity as Record<string, unknown>;
  return Object.keys(obj).filter((k) => !(typeof obj[obj[k] as string] === 'number')).map((k) => obj[k]);
}
