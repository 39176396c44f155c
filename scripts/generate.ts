/**
 * Writes every file derived from the rule declarations (rules/registry.ts): template.yaml, each
 * rule's Lambda entry point, and docs/rules.md. `npm run generate` writes them; the drift test
 * compares {@link generatedFiles} with what is checked in. Generated files are never edited by
 * hand, and no hand-written file holds generated text.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULES } from '../rules/registry.js';
import { rulesDocument } from './generate/docs.js';
import { handlerPath, handlerSource } from './generate/handlers.js';
import { generateTemplate } from './generate/template.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every generated file, by path from the repository root, with its content. */
export function generatedFiles(): Map<string, string> {
  const read = (path: string) => readFileSync(join(root, path), 'utf8');
  const files = new Map<string, string>();
  files.set('template.yaml', generateTemplate(RULES, read('infra/base.yaml'), read));
  for (const rule of RULES) files.set(handlerPath(rule), handlerSource(rule));
  files.set('docs/rules.md', rulesDocument(RULES));
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [path, content] of generatedFiles()) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
    console.log(`wrote ${path}`);
  }
}
