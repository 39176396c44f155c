/**
 * The layering promised in docs/architecture.md, checked over every source file: each layer
 * imports only from the layers below it, rules/ stays pure, and no two files import each other.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** What each layer may import from this repository (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  rules: [],
  'src/errors.ts': [],
  'src/aws': ['src/errors.ts'],
  'src/facts': ['rules', 'src/errors.ts', 'src/aws'],
  'src/engine': ['rules', 'src/errors.ts', 'src/aws'],
  'src/simulator': ['rules', 'src/errors.ts'],
  'src/alerts': ['rules', 'src/errors.ts', 'src/aws', 'src/engine'],
  'src/checks': ['rules', 'src/errors.ts', 'src/facts', 'src/engine'],
  'src/cli': ['rules', 'src/errors.ts', 'src/aws', 'src/facts', 'src/engine', 'src/checks', 'src/simulator'],
  functions: ['rules', 'src/aws', 'src/facts', 'src/engine', 'src/checks', 'src/alerts'],
};

function layerOf(file: string): string | undefined {
  return Object.keys(ALLOWED).find((layer) => file === layer || file.startsWith(`${layer}/`));
}

function sourceFiles(directory: string): string[] {
  return readdirSync(join(root, directory)).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const files = [...sourceFiles('rules'), ...sourceFiles('src'), ...sourceFiles('functions')];

function importsOf(file: string): { specifier: string; target: string | undefined }[] {
  const source = readFileSync(join(root, file), 'utf8');
  return [...source.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((match) => {
    const specifier = match[1] ?? '';
    const target = specifier.startsWith('.') ? relative(root, resolve(root, dirname(file), specifier)).replace(/\.js$/, '.ts') : undefined;
    return { specifier, target };
  });
}

describe('architecture', () => {
  it('finds the source files', () => {
    expect(files.length).toBeGreaterThan(40);
  });

  it('keeps every import pointing down the layers', () => {
    const violations: string[] = [];
    for (const file of files) {
      const layer = layerOf(file);
      expect(layer, `${file} belongs to a layer`).toBeDefined();
      for (const { target } of importsOf(file)) {
        if (!target) continue;
        const targetLayer = layerOf(target);
        if (targetLayer === layer) continue;
        if (!targetLayer || !(ALLOWED[layer ?? ''] ?? []).includes(targetLayer)) violations.push(`${file} → ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps rules/ pure: zod and other rules only', () => {
    for (const file of files.filter((candidate) => candidate.startsWith('rules/'))) {
      for (const { specifier, target } of importsOf(file)) {
        if (target) expect(target.startsWith('rules/'), `${file} imports ${specifier}`).toBe(true);
        else expect(specifier, `${file} imports ${specifier}`).toBe('zod');
      }
    }
  });

  it('has no two files that import each other', () => {
    const edges = new Set(files.flatMap((file) => importsOf(file).flatMap(({ target }) => (target ? [`${file}>${target}`] : []))));
    const cycles = [...edges].filter((edge) => {
      const [from, to] = edge.split('>');
      return edges.has(`${to}>${from}`);
    });
    expect(cycles).toEqual([]);
  });
});
