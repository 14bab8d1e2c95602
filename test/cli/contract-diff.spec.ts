import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { diffContracts, formatChanges } from '../../lib/cli/contract-diff.js';
import type { WsContractFile } from '../../lib/cli/contract-file.js';
import type { WsExportEntry } from '../../lib/introspection/export.interface.js';
import type { WsJsonSchema } from '../../lib/introspection/json-schema.builder.js';

const message = (name: string, args?: WsJsonSchema, replyArgs?: WsJsonSchema, reply = name): WsExportEntry => ({
  name,
  space: 'default',
  desc: '',
  ...(args ? { argsClass: 'Args', args } : { args: { type: 'object' } }),
  response: {},
  reply,
  ...(replyArgs ? { replyClass: 'Reply', replyArgs } : {}),
});
const command = (name: string, args?: WsJsonSchema): WsExportEntry => ({
  name,
  space: 'default',
  desc: '',
  ...(args ? { argsClass: 'Data', args } : { args: { type: 'object' } }),
  response: {},
});
const contract = (messages: WsExportEntry[], commands: WsExportEntry[] = [], spaces: WsContractFile['spaces'] = {}): WsContractFile => ({
  schema: { name: 'nestjs-ws-spaces', version: '0' },
  spaces: { default: { path: '/ws', messages: messages.length, commands: commands.length, filters: 0, handlers: 0, hooks: 0 }, ...spaces },
  messages,
  commands,
});
const obj = (properties: Record<string, WsJsonSchema>, required = Object.keys(properties)): WsJsonSchema => ({ type: 'object', properties, required });
const num: WsJsonSchema = { type: 'number' };
const str: WsJsonSchema = { type: 'string' };
const space = { path: '/admin', messages: 0, commands: 0, filters: 0, handlers: 0, hooks: 0 };

/** `[kind, change]` of each difference, for terse expectations. */
const diff = (a: WsContractFile, b: WsContractFile) => diffContracts(a, b).map((c) => `${c.kind} ${c.subject}: ${c.change}`);

describe('diffContracts', () => {
  const add = message('calc.add', obj({ a: num, b: num }), obj({ sum: num }));

  it('finds nothing between equal contracts', () => {
    expect(diff(contract([add]), contract([add]))).toEqual([]);
  });

  describe('messages and commands', () => {
    it('a message or command removed is breaking; one added is additive', () => {
      expect(diff(contract([add], [command('tick')]), contract([]))).toEqual(['breaking message calc.add (default): removed', 'breaking command tick (default): removed']);
      expect(diff(contract([]), contract([add], [command('tick')]))).toEqual(['additive message calc.add (default): added', 'additive command tick (default): added']);
    });

    it('a reply under another name is breaking', () => {
      expect(diff(contract([add]), contract([{ ...add, reply: 'calc.sum' }]))).toEqual(['breaking message calc.add (default): replied under calc.sum instead of calc.add']);
    });

    it('the same name in another space is another message', () => {
      expect(diff(contract([add]), contract([{ ...add, space: 'admin' }]))).toEqual(['breaking message calc.add (default): removed', 'additive message calc.add (admin): added']);
    });
  });

  describe("a message's arguments (read by the server: narrowing breaks)", () => {
    const args = (a: WsJsonSchema | undefined) => contract([message('m', a)]);

    it('a field removed is breaking', () => {
      expect(diff(args(obj({ a: num, b: num })), args(obj({ a: num })))).toEqual(['breaking message m (default): args.b: removed']);
    });
    it('a field newly required is breaking; no longer required is additive', () => {
      expect(diff(args(obj({ a: num, b: num }, ['a'])), args(obj({ a: num, b: num })))).toEqual(['breaking message m (default): args.b: newly required']);
      expect(diff(args(obj({ a: num, b: num })), args(obj({ a: num, b: num }, ['a'])))).toEqual(['additive message m (default): args.b: now optional']);
    });
    it('a required field added is breaking; an optional one additive', () => {
      expect(diff(args(obj({ a: num })), args(obj({ a: num, b: num })))).toEqual(['breaking message m (default): args.b: added, required']);
      expect(diff(args(obj({ a: num })), args(obj({ a: num, b: num }, ['a'])))).toEqual(['additive message m (default): args.b: added']);
    });
    it('a type changed is breaking; integer → number widens, number → integer narrows', () => {
      expect(diff(args(obj({ a: num })), args(obj({ a: str })))).toEqual(['breaking message m (default): args.a: type string (was number)']);
      expect(diff(args(obj({ a: { type: 'integer' } })), args(obj({ a: num })))).toEqual(['additive message m (default): args.a: number (was integer)']);
      expect(diff(args(obj({ a: num })), args(obj({ a: { type: 'integer' } })))).toEqual(['breaking message m (default): args.a: integer (was number)']);
    });
    it('enum values removed narrow (breaking), added widen (additive)', () => {
      const e = (...values: string[]) => args(obj({ c: { type: 'string', enum: values } }));
      expect(diff(e('red', 'blue'), e('red'))).toEqual(['breaking message m (default): args.c: no longer accepts "blue"']);
      expect(diff(e('red'), e('red', 'blue'))).toEqual(['additive message m (default): args.c: also "blue"']);
      expect(diff(args(obj({ c: str })), e('red'))).toEqual(['breaking message m (default): args.c: limited to "red"']);
    });
    it('bounds tightened are breaking, relaxed additive', () => {
      const b = (s: WsJsonSchema) => args(obj({ t: { type: 'string', ...s } }));
      expect(diff(b({ maxLength: 10 }), b({ maxLength: 5 }))).toEqual(['breaking message m (default): args.t: maxLength 5 (was 10)']);
      expect(diff(b({ maxLength: 5 }), b({ maxLength: 10 }))).toEqual(['additive message m (default): args.t: maxLength 10 (was 5)']);
      expect(diff(b({}), b({ minLength: 1 }))).toEqual(['breaking message m (default): args.t: minLength 1']);
      expect(diff(b({ minLength: 1 }), b({}))).toEqual(['additive message m (default): args.t: no minLength (was 1)']);
      const n = (s: WsJsonSchema) => args(obj({ n: { type: 'number', ...s } }));
      expect(diff(n({ minimum: 0 }), n({ minimum: 1 }))).toEqual(['breaking message m (default): args.n: minimum 1 (was 0)']);
      expect(diff(n({ maximum: 9 }), n({ maximum: 10 }))).toEqual(['additive message m (default): args.n: maximum 10 (was 9)']);
    });
    it('a pattern or format added is breaking, removed additive', () => {
      const p = (s: WsJsonSchema) => args(obj({ e: { type: 'string', ...s } }));
      expect(diff(p({}), p({ format: 'email' }))).toEqual(['breaking message m (default): args.e: format email']);
      expect(diff(p({ pattern: '^a' }), p({ pattern: '^b' }))).toEqual(['breaking message m (default): args.e: pattern ^b (was ^a)']);
      expect(diff(p({ pattern: '^a' }), p({}))).toEqual(['additive message m (default): args.e: no pattern (was ^a)']);
    });
    it('nested fields and array items are compared too', () => {
      const nested = (inner: WsJsonSchema) => args(obj({ to: inner, tags: { type: 'array', items: inner } }));
      expect(diff(nested(obj({ x: num, y: num })), nested(obj({ x: num })))).toEqual([
        'breaking message m (default): args.to.y: removed',
        'breaking message m (default): args.tags[].y: removed',
      ]);
    });
    it('an arguments class added narrows (breaking); dropped widens (additive)', () => {
      expect(diff(args(undefined), args(obj({ a: num })))).toEqual(['breaking message m (default): args: declared (was anything)']);
      expect(diff(args(obj({ a: num })), args(undefined))).toEqual(['additive message m (default): args: no longer declared (now anything)']);
    });
  });

  describe('reply and command data (read by clients: widening breaks)', () => {
    const reply = (r: WsJsonSchema | undefined) => contract([message('m', undefined, r)]);
    const data = (d: WsJsonSchema | undefined) => contract([], [command('c', d)]);

    it('a field removed is breaking, one added additive', () => {
      expect(diff(reply(obj({ a: num, b: num })), reply(obj({ a: num })))).toEqual(['breaking message m (default): reply.b: removed']);
      expect(diff(data(obj({ a: num })), data(obj({ a: num, b: num })))).toEqual(['additive command c (default): data.b: added, required']);
    });
    it('a field that may now be absent is breaking; newly always there is additive', () => {
      expect(diff(data(obj({ a: num })), data(obj({ a: num }, [])))).toEqual(['breaking command c (default): data.a: now optional']);
      expect(diff(data(obj({ a: num }, [])), data(obj({ a: num })))).toEqual(['additive command c (default): data.a: newly required']);
    });
    it('more enum values are breaking (a client may not handle them), fewer additive', () => {
      const e = (...values: string[]) => data(obj({ s: { type: 'string', enum: values } }));
      expect(diff(e('on'), e('on', 'off'))).toEqual(['breaking command c (default): data.s: also "off"']);
      expect(diff(e('on', 'off'), e('on'))).toEqual(['additive command c (default): data.s: no longer accepts "off"']);
    });
    it('a declared shape dropped is breaking', () => {
      expect(diff(reply(obj({ a: num })), reply(undefined))).toEqual(['breaking message m (default): reply: no longer declared (now anything)']);
      expect(diff(data(obj({ a: num })), data(obj({ a: str })))).toEqual(['breaking command c (default): data.a: type string (was number)']);
    });
  });

  describe('spaces', () => {
    it('a space removed, moved or inheriting less is breaking; one added additive', () => {
      expect(diff(contract([], [], { admin: space }), contract([]))).toEqual(['breaking space admin: removed']);
      expect(diff(contract([]), contract([], [], { admin: space }))).toEqual(['additive space admin: added']);
      expect(diff(contract([], [], { admin: space }), contract([], [], { admin: { ...space, path: '/root' } }))).toEqual(['breaking space admin: path /admin → /root']);
      expect(diff(contract([], [], { admin: space }), contract([], [], { admin: { ...space, inherit: ['demo.'] } }))).toEqual([
        'breaking space admin: inherit ["demo."] (was true)',
      ]);
    });
  });

  it('reports breaking changes first, then the counts', () => {
    const changes = diffContracts(contract([add]), contract([message('calc.add', obj({ a: num, b: num, c: num }, ['a', 'b']), obj({ sum: num })), message('calc.mul')]));
    expect(formatChanges(changes)).toBe('additive  message calc.add (default): args.c: added\nadditive  message calc.mul (default): added\n0 breaking, 2 additive');
    expect(formatChanges([])).toBe('no changes');
  });
});

describe('npx nestjs-ws-spaces contract diff', () => {
  const BIN = fileURLToPath(new URL('../../dist/lib/cli/bin.js', import.meta.url)); // built by test/global-setup.ts
  let dir: string;
  beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'ws-diff-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, c: unknown) => {
    writeFileSync(join(dir, name), JSON.stringify(c));
    return join(dir, name);
  };
  const diffCli = (a: string, b: string) =>
    promisify(execFile)(process.execPath, [BIN, 'contract', 'diff', a, b]).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  const base = contract([message('calc.add', obj({ a: num, b: num }))]);

  it('exits 1 on a breaking change, for CI', async () => {
    const result = await diffCli(file('old.json', base), file('breaking.json', contract([])));
    expect(result).toEqual({ code: 1, stdout: 'BREAKING  message calc.add (default): removed\n1 breaking, 0 additive\n', stderr: '' });
  });

  it('exits 0 on additive changes only, and on none', async () => {
    const additive = contract([...base.messages, message('calc.mul')]);
    expect(await diffCli(file('old.json', base), file('additive.json', additive))).toMatchObject({ code: 0, stdout: 'additive  message calc.mul (default): added\n0 breaking, 1 additive\n' });
    expect(await diffCli(file('old.json', base), file('same.json', base))).toMatchObject({ code: 0, stdout: 'no changes\n' });
  });

  it('exits 2 on a file that is not a contract', async () => {
    expect(await diffCli(file('old.json', base), file('bad.json', { hello: 1 }))).toMatchObject({ code: 2, stderr: expect.stringContaining('is not a contract.json') });
  });
});
