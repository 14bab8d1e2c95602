import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const LIB = fileURLToPath(new URL('../../lib', import.meta.url));

/** Every relative specifier a module names: `import`, `import type`, `export … from`, side-effect and `import('…')` types. */
const SPECIFIERS = [
  /\b(?:import|export)\b[^;'"`]*?\bfrom\s*['"](\.[^'"]+)['"]/g,
  /\bimport\s*['"](\.[^'"]+)['"]/g,
  /\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g,
];

function relativeSpecifiers(text: string): string[] {
  return SPECIFIERS.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `./x.js` is `x.ts` on disk (ESM specifiers name the emitted file); a folder means its `index.ts`. */
function resolveSpecifier(from: string, specifier: string): string {
  const target = resolve(dirname(from), specifier);
  for (const candidate of [target.replace(/\.js$/, '.ts'), `${target}.ts`, join(target, 'index.ts')]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${relative(LIB, from)} imports ${specifier}, which is no file of lib/`);
}

/** The module graph of lib/: file → the files it imports, type-only imports included (they are layering too). */
function importGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(LIB)) {
    const text = readFileSync(file, 'utf8');
    const edges = new Set<string>();
    for (const specifier of relativeSpecifiers(text)) edges.add(resolveSpecifier(file, specifier));
    graph.set(file, edges);
  }
  return graph;
}

/** The strongly connected components with more than one module (or a module importing itself): Tarjan's algorithm. */
function circles(graph: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.has(node)) found.push(component);
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** A circle as one loop through it (`a → b → … → a`) and every import inside it: the edges there are to cut. */
function describeCircle(component: string[], graph: Map<string, Set<string>>): string {
  const members = new Set(component);
  const edges = component.flatMap((from) => [...graph.get(from)!].filter((to) => members.has(to)).map((to) => `  ${relative(LIB, from)} → ${relative(LIB, to)}`));
  return `${component.length} modules, e.g. ${loopThrough(component, graph)}\n${edges.sort().join('\n')}`;
}

/** One concrete loop through a component, as `a → b → … → a`. */
function loopThrough(component: string[], graph: Map<string, Set<string>>): string {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const path = [start];
  const seen = new Set([start]);
  const walk = (node: string): boolean => {
    for (const to of graph.get(node) ?? []) {
      if (to === start) return true;
      if (!members.has(to) || seen.has(to)) continue;
      seen.add(to);
      path.push(to);
      if (walk(to)) return true;
      path.pop();
    }
    return false;
  };
  walk(start);
  return [...path, start].map((file) => relative(LIB, file)).join(' → ');
}

describe('the import graph of lib/', () => {
  const graph = importGraph();

  it('reads every kind of import, type-only ones included (a type import across layers is an inversion too)', () => {
    const source = [
      "import { A } from './a.js';",
      'import type {\n  B,\n  C,\n} from "../b.js";',
      "export * from './c.js';",
      "export type { D } from './d/index.js';",
      "import './e.js';",
      "type F = import('./f.js').F;",
      "import { readFileSync } from 'node:fs';",
    ].join('\n');
    expect(relativeSpecifiers(source).sort()).toEqual(['../b.js', './a.js', './c.js', './d/index.js', './e.js', './f.js']);
    expect(graph.size).toBeGreaterThan(50);
    expect([...graph.get(join(LIB, 'broker/ws.broker.ts'))!].map((file) => relative(LIB, file))).toContain('broker/send-router.ts');
  });

  it('finds a circle, however long, and only circles', () => {
    const planted = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a', 'd'])],
      ['d', new Set<string>()],
      ['e', new Set(['e'])],
    ]);
    expect(circles(planted).map((component) => component.sort())).toEqual([['a', 'b', 'c'], ['e']]);
  });

  it('has no import circle: every import points down the layers', () => {
    const found = circles(graph).map((component) => describeCircle(component, graph));
    expect(found, `import circles in lib/:\n${found.join('\n')}`).toEqual([]);
  });
});
