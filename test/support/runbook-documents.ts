/**
 * The one place the runbook tests find the SSM documents they run: automation-docs/ as deployed,
 * unless the mutation suite (test/mutation/run.ts) points them at a folder holding a mutated copy
 * of one runbook beside unchanged copies of all the others (runbooks run nested documents by
 * name, so the folder must be complete).
 *
 * The redirection works across Vitest's forks pool: the runner sets it with Vitest's
 * `provide(DOCUMENTS_DIR_KEY, folder)` before each run, and every test worker reads it with
 * `inject`. By hand, `ENA_GUARD_DOCUMENTS_DIR=<folder> npx vitest run <files>` does the same
 * (child processes inherit the environment), which is how a survivor is reproduced.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

/** The key under which the mutation runner provides the documents folder. */
export const DOCUMENTS_DIR_KEY = 'enaGuardDocumentsDir';
/** The environment variable that does the same from a shell. */
export const DOCUMENTS_DIR_ENV = 'ENA_GUARD_DOCUMENTS_DIR';
/** automation-docs/, the documents as deployed. */
export const DEPLOYED_DOCUMENTS_DIR = fileURLToPath(new URL('../../automation-docs', import.meta.url));

declare module 'vitest' {
  export interface ProvidedContext {
    /** A folder of documents to test instead of automation-docs/ (set by test/mutation/run.ts). */
    enaGuardDocumentsDir?: string;
  }
}

/** What the runner provided; undefined outside a test worker or when nothing was provided. */
function provided(): string | undefined {
  try {
    return inject(DOCUMENTS_DIR_KEY);
  } catch {
    return undefined;
  }
}

/** The folder of SSM documents under test (absolute, no trailing slash). */
export function documentsDir(): string {
  const redirected = provided() ?? process.env[DOCUMENTS_DIR_ENV];
  return redirected === undefined || redirected === '' ? DEPLOYED_DOCUMENTS_DIR : redirected;
}

/** The file of one document under test, by name (`EnaGuard-EnableEnaSupport`). */
export function runbookPath(name: string): string {
  return join(documentsDir(), `${name}.yaml`);
}
