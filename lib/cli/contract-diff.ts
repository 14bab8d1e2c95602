import type { WsExportEntry } from '../introspection/export.interface.js';
import type { WsJsonSchema } from '../introspection/json-schema.builder.js';
import type { WsContractFile } from './contract-file.js';

/** One difference between two contracts. */
export interface ContractChange {
  kind: 'breaking' | 'additive';
  /** `message calc.add (default)`, `command chat.said (default)`, `space admin` */
  subject: string;
  /** `added`, `removed`, `args.b: newly required`, ... */
  change: string;
}

/**
 * Which way data flows decides what breaks: a message's arguments are read by the server, so narrowing them
 * (a field newly required, a tighter bound, fewer enum values) breaks existing clients; reply and command data
 * are read by clients, so widening those (a field that may now be absent, more enum values) breaks them. A field
 * removed breaks either way, and so does a type changed.
 */
type Direction = 'in' | 'out';

export function diffContracts(before: WsContractFile, after: WsContractFile): ContractChange[] {
  const changes: ContractChange[] = [];
  for (const space of Object.keys(before.spaces)) {
    if (!(space in after.spaces)) changes.push({ kind: 'breaking', subject: `space ${space}`, change: 'removed' });
  }
  for (const space of Object.keys(after.spaces)) {
    if (!(space in before.spaces)) changes.push({ kind: 'additive', subject: `space ${space}`, change: 'added' });
    else if (before.spaces[space].path !== after.spaces[space].path) {
      changes.push({ kind: 'breaking', subject: `space ${space}`, change: `path ${before.spaces[space].path} → ${after.spaces[space].path}` });
    }
    if (space in before.spaces && JSON.stringify(before.spaces[space].inherit ?? true) !== JSON.stringify(after.spaces[space].inherit ?? true)) {
      // What the space falls back to changed: some default-space messages may no longer resolve there.
      changes.push({ kind: 'breaking', subject: `space ${space}`, change: `inherit ${JSON.stringify(after.spaces[space].inherit ?? true)} (was ${JSON.stringify(before.spaces[space].inherit ?? true)})` });
    }
  }
  pairs(before.messages, after.messages, 'message', changes, (subject, a, b, out) => {
    schemaDiff(subject, 'args', a.argsClass ? a.args : undefined, b.argsClass ? b.args : undefined, 'in', out);
    if ((a.reply ?? a.name) !== (b.reply ?? b.name)) out.push({ kind: 'breaking', subject, change: `replied under ${b.reply} instead of ${a.reply}` });
    schemaDiff(subject, 'reply', a.replyArgs, b.replyArgs, 'out', out);
  });
  pairs(before.commands, after.commands, 'command', changes, (subject, a, b, out) => {
    schemaDiff(subject, 'data', a.argsClass ? a.args : undefined, b.argsClass ? b.args : undefined, 'out', out);
  });
  return changes;
}

function pairs(
  before: WsExportEntry[],
  after: WsExportEntry[],
  kind: string,
  out: ContractChange[],
  compare: (subject: string, a: WsExportEntry, b: WsExportEntry, out: ContractChange[]) => void,
): void {
  const key = (e: WsExportEntry) => `${e.space}\0${e.name}`;
  const next = new Map(after.map((e) => [key(e), e]));
  const previous = new Set(before.map(key));
  for (const a of before) {
    const subject = `${kind} ${a.name} (${a.space})`;
    const b = next.get(key(a));
    if (!b) out.push({ kind: 'breaking', subject, change: 'removed' });
    else compare(subject, a, b, out);
  }
  for (const b of after) if (!previous.has(key(b))) out.push({ kind: 'additive', subject: `${kind} ${b.name} (${b.space})`, change: 'added' });
}

/** Compares two schemas at `path`; an undefined schema accepts anything (no class declared). */
function schemaDiff(subject: string, path: string, a: WsJsonSchema | undefined, b: WsJsonSchema | undefined, dir: Direction, out: ContractChange[]): void {
  const narrowed = (change: string): void => void out.push({ kind: dir === 'in' ? 'breaking' : 'additive', subject, change: `${path}: ${change}` });
  const widened = (change: string): void => void out.push({ kind: dir === 'in' ? 'additive' : 'breaking', subject, change: `${path}: ${change}` });
  const breaking = (change: string): void => void out.push({ kind: 'breaking', subject, change: `${path}: ${change}` });
  if (!a && !b) return;
  if (!a) return narrowed('declared (was anything)');
  if (!b) return widened('no longer declared (now anything)');

  const ta = typeOf(a);
  const tb = typeOf(b);
  if (ta !== tb) {
    if (ta === undefined) narrowed(`type ${tb} (was anything)`);
    else if (tb === undefined) widened(`any type (was ${ta})`);
    else if (ta === 'integer' && tb === 'number') widened('number (was integer)');
    else if (ta === 'number' && tb === 'integer') narrowed('integer (was number)');
    else return breaking(`type ${tb} (was ${ta})`);
  }

  if (a.enum || b.enum) {
    const before = new Set((a.enum ?? []).map((v) => JSON.stringify(v)));
    const after = new Set((b.enum ?? []).map((v) => JSON.stringify(v)));
    if (!a.enum) narrowed(`limited to ${[...after].join(', ')}`);
    else if (!b.enum) widened('any value (was an enum)');
    else {
      const removed = [...before].filter((v) => !after.has(v));
      const added = [...after].filter((v) => !before.has(v));
      if (removed.length) narrowed(`no longer accepts ${removed.join(', ')}`);
      if (added.length) widened(`also ${added.join(', ')}`);
    }
  }

  for (const [key, tighter] of [
    ['minimum', 'up'],
    ['minLength', 'up'],
    ['minItems', 'up'],
    ['maximum', 'down'],
    ['maxLength', 'down'],
    ['maxItems', 'down'],
  ] as const) {
    const x = a[key];
    const y = b[key];
    if (x === y) continue;
    if (x === undefined) narrowed(`${key} ${y}`);
    else if (y === undefined) widened(`no ${key} (was ${x})`);
    else if ((tighter === 'up') === y > x) narrowed(`${key} ${y} (was ${x})`);
    else widened(`${key} ${y} (was ${x})`);
  }
  for (const key of ['pattern', 'format'] as const) {
    if (a[key] === b[key]) continue;
    if (b[key] === undefined) widened(`no ${key} (was ${a[key]})`);
    else narrowed(`${key} ${b[key]}${a[key] === undefined ? '' : ` (was ${a[key]})`}`);
  }

  if (a.items || b.items) schemaDiff(subject, `${path}[]`, a.items, b.items, dir, out);

  const pa = a.properties ?? {};
  const pb = b.properties ?? {};
  const ra = new Set(a.required ?? []);
  const rb = new Set(b.required ?? []);
  for (const name of Object.keys(pa)) {
    const field = `${path}.${name}`;
    if (!(name in pb)) {
      out.push({ kind: 'breaking', subject, change: `${field}: removed` });
      continue;
    }
    if (!ra.has(name) && rb.has(name)) (dir === 'in' ? breakingAt : additiveAt)(out, subject, `${field}: newly required`);
    if (ra.has(name) && !rb.has(name)) (dir === 'in' ? additiveAt : breakingAt)(out, subject, `${field}: now optional`);
    schemaDiff(subject, field, pa[name], pb[name], dir, out);
  }
  for (const name of Object.keys(pb)) {
    if (name in pa) continue;
    const required = rb.has(name);
    (dir === 'in' && required ? breakingAt : additiveAt)(out, subject, `${path}.${name}: added${required ? ', required' : ''}`);
  }
}

const breakingAt = (out: ContractChange[], subject: string, change: string) => out.push({ kind: 'breaking', subject, change });
const additiveAt = (out: ContractChange[], subject: string, change: string) => out.push({ kind: 'additive', subject, change });

function typeOf(s: WsJsonSchema): string | undefined {
  return s.type ?? (s.properties ? 'object' : undefined);
}

/** The report the CLI prints: breaking changes first, one per line, then the counts. */
export function formatChanges(changes: ContractChange[]): string {
  const sorted = [...changes.filter((c) => c.kind === 'breaking'), ...changes.filter((c) => c.kind === 'additive')];
  const lines = sorted.map((c) => `${c.kind === 'breaking' ? 'BREAKING' : 'additive'}  ${c.subject}: ${c.change}`);
  const breaking = changes.filter((c) => c.kind === 'breaking').length;
  lines.push(changes.length === 0 ? 'no changes' : `${breaking} breaking, ${changes.length - breaking} additive`);
  return lines.join('\n');
}
