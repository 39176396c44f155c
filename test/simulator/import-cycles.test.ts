/**
 * No chain of imports among the simulator's files comes back to where it started, whatever its
 * length. Type-only imports count: a circle of types is still a circle in the design.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SIMULATOR = fileURLToPath(new URL('../../src/simulator/', import.meta.url));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The relative specifiers a file imports or re-exports (`import … from './x.js'`, `import type`, `export … from`, `import('./x.js')`). */
function relativeSpecifiers(source: string): string[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((file) => file.fileName)
    .filter((specifier) => specifier.startsWith('./') || specifier.startsWith('../'));
}

/** The import graph of the files under `root`, by path relative to it; imports leaving `root` are left out. */
function importGraph(root: string): Map<string, string[]> {
  const files = sourceFiles(root).map((file) => relative(root, file));
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const targets = relativeSpecifiers(readFileSync(join(root, file), 'utf8')).map((specifier) => relative(root, resolve(root, dirname(file), specifier)).replace(/\.js$/, '.ts'));
      return [file, [...new Set(targets.filter((target) => known.has(target)))]];
    }),
  );
}

/** Every cycle a depth-first search meets, each as the chain of files from its start back to it. */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const done = new Set<string>();
  const path: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    const onPath = path.indexOf(node);
    if (onPath >= 0) {
      cycles.push([...path.slice(onPath), node]);
      return;
    }
    if (done.has(node)) return;
    path.push(node);
    for (const target of graph.get(node) ?? []) visit(target);
    path.pop();
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) visit(node);
  return cycles;
}

describe('imports among the simulator files', () => {
  it('reads the imports of every simulator file, multi-line and type-only ones included', () => {
    // Act
    const graph = importGraph(SIMULATOR);

    // Assess
    expect(graph.size).toBeGreaterThan(20);
    expect(graph.get('interpreter.ts')).toEqual(expect.arrayContaining(['actions/index.ts', 'errors.ts', 'trace.ts']));
    expect(graph.get('errors.ts')).toContain('trace.ts');
    expect(graph.get('actions/branch.ts')).toContain('variables.ts');
  });

  it('finds a cycle of four files, and one of a file importing itself', () => {
    // Prepare
    const graph = new Map([
      ['document.ts', ['errors.ts']],
      ['errors.ts', ['trace.ts']],
      ['trace.ts', ['variables.ts']],
      ['variables.ts', ['document.ts']],
      ['leaf.ts', []],
      ['self.ts', ['self.ts', 'leaf.ts']],
    ]);

    // Act
    const cycles = findCycles(graph);

    // Assess
    expect(cycles).toEqual([
      ['document.ts', 'errors.ts', 'trace.ts', 'variables.ts', 'document.ts'],
      ['self.ts', 'self.ts'],
    ]);
  });

  it('has no chain of imports that comes back to its start', () => {
    // Prepare
    const graph = importGraph(SIMULATOR);

    // Act
    const cycles = findCycles(graph);

    // Assess
    expect(cycles.map((cycle) => cycle.join(' → '))).toEqual([]);
  });
});
