/**
 * Dependencies point one way: no import cycles anywhere (type-only imports count, they tie
 * modules together just the same), and the domain imports nothing but itself and
 * shared/config. Static `import … from` / `export … from` only: a lazy `import()` is a
 * deliberate split point.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SOURCES = ['shared', 'functions', 'infra', 'client', 'scripts', 'bench', 'web/src'];
const IMPORT = /^(?:import|export)\s[^'"]*?from\s+'([^']+)'/gms;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : filesUnder(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Module → the project modules it imports statically. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of SOURCES.flatMap((d) => filesUnder(join(ROOT, d)))) {
    const deps = [...readFileSync(file, 'utf8').matchAll(IMPORT)]
      .map((m) => m[1]!)
      .filter((spec) => spec.startsWith('.') && /\.tsx?$/.test(spec))
      .map((spec) => relative(ROOT, resolve(dirname(file), spec)));
    graph.set(relative(ROOT, file), deps);
  }
  return graph;
}

/** Every cycle's modules (one per strongly connected component larger than one module). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.includes(v)) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return out;
}

describe('import graph', () => {
  const graph = importGraph();

  it('reads the whole project', () => {
    expect(graph.size).toBeGreaterThan(200);
    expect(graph.get('functions/http/get-instance.ts')).toContain('shared/routes/get-instance.ts');
  });

  it('has no import cycles', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one (the check is not vacuous)', () => {
    const looped = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(looped)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('keeps the domain free of repositories, operations, transport and docs', () => {
    const outward = [...graph]
      .filter(([file]) => file.startsWith('shared/domain/'))
      .flatMap(([file, deps]) => deps.map((d) => `${file} → ${d}`))
      .filter((edge) => !/→ shared\/(domain|config)\//.test(edge));
    expect(outward).toEqual([]);
  });
});
