/**
 * A small declarative schema for configuration: each field says its type, default, bounds,
 * and where it can also come from (an environment variable, a command-line flag). One
 * schema drives defaults, validation and the error list, for core and for each plugin's
 * section. Written here rather than pulled from a validation library because config needs
 * exactly this (sources per field, one line per wrong field) and nothing else.
 */
export type FieldSpec =
  | { type: 'string'; default?: string; enum?: readonly string[]; pattern?: RegExp; env?: string; flag?: string; doc?: string; optional?: boolean }
  | { type: 'integer'; default?: number; min?: number; max?: number; env?: string; flag?: string; doc?: string; optional?: boolean }
  | { type: 'number'; default?: number; min?: number; max?: number; env?: string; flag?: string; doc?: string; optional?: boolean }
  | { type: 'boolean'; default?: boolean; env?: string; flag?: string; doc?: string; optional?: boolean }
  | { type: 'object'; fields: Schema; doc?: string }
  | { type: 'record'; doc?: string; default?: Record<string, unknown> }
  | { type: 'array'; items: 'string' | 'any'; default?: readonly unknown[]; doc?: string };

export interface Schema {
  readonly [key: string]: FieldSpec;
}

/** Where a value came from, so an error can say which file, variable or flag to fix. */
export type Source = { kind: 'default' } | { kind: 'file'; path: string } | { kind: 'env'; name: string } | { kind: 'flag'; name: string };

export interface FieldError {
  readonly path: string;
  readonly message: string;
  readonly source: Source;
}

export interface ValidationResult<T> {
  readonly value: T;
  readonly errors: FieldError[];
}

function describe(source: Source): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'file':
      return source.path;
    case 'env':
      return `environment ${source.name}`;
    case 'flag':
      return `flag --${source.name}`;
  }
}

export function formatFieldError(e: FieldError): string {
  return `${e.path}: ${e.message} (from ${describe(e.source)})`;
}

export interface Layer {
  readonly source: Source;
  /** A nested object of raw values (strings from env/flags, anything from files). */
  readonly values: Record<string, unknown>;
}

/**
 * Merges layers (later wins) under the schema and validates every field. Unknown keys in a
 * file are errors too: a misspelt key silently ignored is a classic config trap.
 */
export function resolve<T>(schema: Schema, layers: readonly Layer[], prefix = ''): ValidationResult<T> {
  const errors: FieldError[] = [];
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const key of Object.keys(layer.values)) {
      if (!(key in schema)) {
        errors.push({ path: prefix + key, message: 'is not a known setting', source: layer.source });
      }
    }
  }
  for (const [key, spec] of Object.entries(schema)) {
    const path = prefix + key;
    if (spec.type === 'object') {
      const sub: Layer[] = [];
      for (const layer of layers) {
        const raw = layer.values[key];
        if (raw === undefined) continue;
        if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
          errors.push({ path, message: `must be an object, got ${JSON.stringify(raw)}`, source: layer.source });
          continue;
        }
        sub.push({ source: layer.source, values: raw as Record<string, unknown> });
      }
      const r = resolve<Record<string, unknown>>(spec.fields, sub, `${path}.`);
      errors.push(...r.errors);
      out[key] = r.value;
      continue;
    }
    let raw: unknown;
    let source: Source = { kind: 'default' };
    for (const layer of layers) {
      if (layer.values[key] !== undefined) {
        raw = layer.values[key];
        source = layer.source;
      }
    }
    if (raw === undefined) {
      if ('default' in spec && spec.default !== undefined) out[key] = spec.default;
      else if (!('optional' in spec && spec.optional) && spec.type !== 'record' && spec.type !== 'array') {
        errors.push({ path, message: 'is required', source });
      }
      continue;
    }
    const checked = checkValue(spec, raw, source.kind === 'env' || source.kind === 'flag');
    if (typeof checked === 'string') errors.push({ path, message: checked, source });
    else out[key] = checked.value;
  }
  return { value: out as T, errors };
}

function checkValue(spec: FieldSpec, raw: unknown, fromText: boolean): { value: unknown } | string {
  const got = `got ${JSON.stringify(raw)}`;
  switch (spec.type) {
    case 'string': {
      if (typeof raw !== 'string') return `must be a string, ${got}`;
      if (spec.enum && !spec.enum.includes(raw)) return `must be one of ${spec.enum.join(', ')}, ${got}`;
      if (spec.pattern && !spec.pattern.test(raw)) return `must match ${String(spec.pattern)}, ${got}`;
      return { value: raw };
    }
    case 'integer':
    case 'number': {
      const n = typeof raw === 'number' ? raw : fromText && typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      const kind = spec.type === 'integer' ? 'an integer' : 'a number';
      const range = spec.min !== undefined && spec.max !== undefined ? ` from ${spec.min} to ${spec.max}` : spec.min !== undefined ? ` >= ${spec.min}` : '';
      if (!Number.isFinite(n) || (spec.type === 'integer' && !Number.isInteger(n))) return `must be ${kind}${range}, ${got}`;
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) return `must be ${kind}${range}, ${got}`;
      return { value: n };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      if (fromText && typeof raw === 'string') {
        if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return { value: true };
        if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return { value: false };
      }
      return `must be true or false, ${got}`;
    }
    case 'record':
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return `must be an object, ${got}`;
      return { value: raw };
    case 'array':
      if (!Array.isArray(raw)) return `must be a list, ${got}`;
      if (spec.items === 'string' && raw.some((x) => typeof x !== 'string')) return `must be a list of strings, ${got}`;
      return { value: raw };
    case 'object':
      return 'internal: objects are resolved field by field';
  }
}

/** Reads env/flag values declared in the schema into a nested object. */
export function collectDeclared(schema: Schema, lookup: (spec: FieldSpec) => string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    if (spec.type === 'object') {
      const sub = collectDeclared(spec.fields, lookup);
      if (Object.keys(sub).length > 0) out[key] = sub;
    } else {
      const v = lookup(spec);
      if (v !== undefined) out[key] = v;
    }
  }
  return out;
}

/** Every flag the schema declares, for the CLI's parser and help. */
export function declaredFlags(schema: Schema): { flag: string; spec: FieldSpec }[] {
  const out: { flag: string; spec: FieldSpec }[] = [];
  for (const spec of Object.values(schema)) {
    if (spec.type === 'object') out.push(...declaredFlags(spec.fields));
    else if ('flag' in spec && spec.flag) out.push({ flag: spec.flag, spec });
  }
  return out;
}
