/**
 * The runbook mutation suite: applies each mutation of test/mutation/mutations.ts alone to the
 * real YAML, runs that runbook's tests against it with one Vitest instance (its Node API, reused
 * across mutations), and fails when a mutation survives, that is when all those tests still pass.
 * The unmutated documents run first and must be green, or the results would mean nothing.
 *
 *   npm run test:mutation                          every mutation
 *   npm run test:mutation -- --only <id>[,<id>]    some of them (ids or prefixes: enable., update.)
 *   npm run test:mutation -- --documents <dir>     mutate the documents of another folder
 *   npm run test:mutation -- --write <id> <dir>    write the documents of one mutation to <dir>, run nothing
 *   npm run test:mutation -- --list                the declared mutations
 *
 * Each mutation gets a folder of its own holding the mutated runbook and unchanged copies of all
 * other documents (nested runs find documents by name), provided to the test workers under
 * DOCUMENTS_DIR_KEY (test/support/runbook-documents.ts). Vitest bails at the first failed test:
 * one failure kills a mutation. Results are printed, never written into the repository.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reporter, TestCase, TestModule, TestRunResult, Vitest } from 'vitest/node';
import { createVitest } from 'vitest/node';
import { DEPLOYED_DOCUMENTS_DIR, DOCUMENTS_DIR_KEY } from '../support/runbook-documents.js';
import { MUTATIONS, RUNBOOK_TESTS, applyMutation, type Mutation, type RunbookName } from './mutations.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Options {
  readonly only: readonly string[] | undefined;
  readonly documents: string;
  readonly write: { readonly id: string; readonly dir: string } | undefined;
  readonly list: boolean;
}

function parseArguments(argv: readonly string[]): Options {
  let only: string[] | undefined;
  let documents = DEPLOYED_DOCUMENTS_DIR;
  let write: Options['write'];
  let list = false;
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${argument} needs a value`);
      return next;
    };
    if (argument === '--only') only = value().split(',').filter((id) => id !== '');
    else if (argument === '--documents') documents = resolve(value());
    else if (argument === '--write') write = { id: value(), dir: resolve(value()) };
    else if (argument === '--list') list = true;
    else throw new Error(`unknown argument ${String(argument)} (see the header of test/mutation/run.ts)`);
  }
  return { only, documents, write, list };
}

function chosen(only: readonly string[] | undefined): Mutation[] {
  if (only === undefined) return [...MUTATIONS];
  const picked = MUTATIONS.filter((mutation) => only.some((id) => mutation.id === id || (id.endsWith('.') && mutation.id.startsWith(id))));
  const unknown = only.filter((id) => !MUTATIONS.some((mutation) => mutation.id === id || (id.endsWith('.') && mutation.id.startsWith(id))));
  if (unknown.length > 0) throw new Error(`no mutation ${unknown.join(', ')}`);
  return picked;
}

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

/** The documents of `source` by file name. */
async function readDocuments(source: string): Promise<Map<string, string>> {
  const names = (await readdir(source)).filter((name) => /\.(ya?ml|json)$/.test(name));
  return new Map(await Promise.all(names.map(async (name) => [name, await readFile(join(source, name), 'utf8')] as const)));
}

/** Writes every document to `dir`, the runbook replaced by `text` when given. */
async function writeDocuments(dir: string, documents: ReadonlyMap<string, string>, replaced?: { runbook: RunbookName; text: string }): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of documents) await writeFile(join(dir, name), replaced !== undefined && name === `${replaced.runbook}.yaml` ? replaced.text : text);
}

function mutatedText(documents: ReadonlyMap<string, string>, mutation: Mutation): string {
  const text = documents.get(`${mutation.runbook}.yaml`);
  if (text === undefined) throw new Error(`${mutation.id}: no document ${mutation.runbook}.yaml`);
  return applyMutation(text, mutation);
}

// ---------------------------------------------------------------------------------------------
// Running the tests
// ---------------------------------------------------------------------------------------------

interface Failure {
  readonly file: string;
  readonly test: string;
  readonly message: string;
}

/** Records failed tests in the order they fail. */
class FailureRecorder implements Reporter {
  failures: Failure[] = [];

  onTestCaseResult(testCase: TestCase): void {
    const result = testCase.result();
    if (result.state !== 'failed') return;
    this.failures.push({ file: relative(ROOT, testCase.module.moduleId), test: testCase.fullName, message: firstLine(result.errors?.[0]?.message) });
  }
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]?.slice(0, 160) ?? '';
}

/** Errors outside tests: a file that does not import, a failing beforeAll, an unhandled error. */
function otherErrors(modules: readonly TestModule[], unhandled: TestRunResult['unhandledErrors']): Failure[] {
  const errors: Failure[] = [];
  const visit = (module: TestModule): void => {
    const file = relative(ROOT, module.moduleId);
    for (const error of module.errors()) errors.push({ file, test: '(module)', message: firstLine(error.message) });
    for (const suite of module.children.allSuites()) for (const error of suite.errors()) errors.push({ file, test: suite.fullName, message: firstLine(error.message) });
  };
  for (const module of modules) visit(module);
  for (const error of unhandled) errors.push({ file: '(unhandled)', test: '(unhandled)', message: firstLine((error as { message?: string }).message ?? String(error)) });
  return errors;
}

function testFiles(runbooks: readonly RunbookName[]): string[] {
  return [...new Set(runbooks.flatMap((runbook) => RUNBOOK_TESTS[runbook]))].filter((file) => existsSync(join(ROOT, file)));
}

/**
 * One Vitest instance with one test worker; the runner keeps one per core and gives each a
 * mutation at a time (what Vitest provides is per instance, so one instance cannot test two
 * folders at once).
 */
class Lane {
  private constructor(
    private readonly vitest: Vitest,
    private readonly recorder: FailureRecorder,
  ) {}

  static async create(): Promise<Lane> {
    const recorder = new FailureRecorder();
    // bail: a file stops at its first failed test. silent: the tests' own output is noise here.
    const vitest = await createVitest('test', { watch: false, bail: 1, silent: true, reporters: [recorder], maxWorkers: 1 }, {}, {});
    return new Lane(vitest, recorder);
  }

  /** Runs the files against the documents of `documentsDir`: the failures, and how many tests ran. */
  async run(documentsDir: string, files: readonly string[]): Promise<{ failures: Failure[]; tests: number }> {
    this.recorder.failures = [];
    this.vitest.provide(DOCUMENTS_DIR_KEY, documentsDir);
    const project = this.vitest.getRootProject();
    const paths = files.map((file) => join(ROOT, file));
    const result = await this.vitest.runTestSpecifications(paths.map((path) => project.createSpecification(path)));
    // The instance keeps the modules of earlier runs: only this run's count.
    const modules = result.testModules.filter((module) => paths.includes(module.moduleId));
    const tests = modules.reduce((sum, module) => sum + [...module.children.allTests()].filter((test) => test.result().state !== 'skipped').length, 0);
    return { failures: [...this.recorder.failures, ...otherErrors(modules, result.unhandledErrors)], tests };
  }

  /** Runs the files one after the other, in their order, up to the first that fails. */
  async runUntilFailure(documentsDir: string, files: readonly string[]): Promise<Failure[]> {
    for (const file of files) {
      const { failures } = await this.run(documentsDir, [file]);
      if (failures.length > 0) return failures;
    }
    return [];
  }

  close(): Promise<void> {
    return this.vitest.close();
  }
}

/** Runs `work` over `items` with one lane each, as many at a time as there are lanes. */
async function across<T, R>(lanes: readonly Lane[], items: readonly T[], work: (lane: Lane, item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    lanes.map(async (lane) => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(lane, items[index] as T);
      }
    }),
  );
  return results;
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

interface Outcome {
  readonly mutation: Mutation;
  readonly failures: readonly Failure[];
  readonly seconds: number;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

function printTable(outcomes: readonly Outcome[]): void {
  console.log('\n| mutation | breaks | killed by |');
  console.log('|---|---|---|');
  for (const { mutation, failures } of outcomes) {
    const first = failures[0];
    const killer = first === undefined ? '**SURVIVED**' : `${first.file} > ${first.test}${failures.length > 1 ? ` (+${failures.length - 1})` : ''}`;
    console.log(`| ${mutation.id} | ${cell(mutation.breaks)} | ${cell(killer)} |`);
  }
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const options = parseArguments(process.argv.slice(2));
  const mutations = chosen(options.only);
  if (options.list) {
    for (const mutation of mutations) console.log(`${mutation.id}\t${mutation.breaks}`);
    return 0;
  }
  const documents = await readDocuments(options.documents);
  if (options.write !== undefined) {
    const { id, dir } = options.write;
    const mutation = MUTATIONS.find((candidate) => candidate.id === id);
    if (mutation === undefined) throw new Error(`no mutation ${id}`);
    await writeDocuments(dir, documents, { runbook: mutation.runbook, text: mutatedText(documents, mutation) });
    console.log(`Wrote ${id} to ${dir}. Reproduce with:\n  ENA_GUARD_DOCUMENTS_DIR=${dir} npx vitest run ${testFiles([mutation.runbook]).join(' ')}`);
    return 0;
  }
  // Every mutation must apply before anything runs: a renamed step fails here, loudly.
  const texts = new Map(mutations.map((mutation) => [mutation.id, mutatedText(documents, mutation)]));

  const started = performance.now();
  const work = await mkdtemp(join(tmpdir(), 'ena-guard-mutation-'));
  const lanes = await Promise.all(Array.from({ length: Math.max(1, Math.min(availableParallelism(), mutations.length)) }, () => Lane.create()));
  try {
    const baselineDir = join(work, 'unmutated');
    await writeDocuments(baselineDir, documents);
    const baselineFiles = testFiles([...new Set(mutations.map((mutation) => mutation.runbook))]);
    const baselineRuns = await across(lanes, baselineFiles, (lane, file) => lane.run(baselineDir, [file]));
    const baselineFailures = baselineRuns.flatMap((run) => run.failures);
    const baselineTests = baselineRuns.reduce((sum, run) => sum + run.tests, 0);
    const baselineSeconds = (performance.now() - started) / 1000;
    if (baselineFailures.length > 0 || baselineTests === 0) {
      console.error(`The unmutated documents of ${options.documents} do not pass their tests (${baselineTests} tests ran), so no mutation result would mean anything:`);
      for (const failure of baselineFailures.slice(0, 10)) console.error(`  ${failure.file} > ${failure.test}: ${failure.message}`);
      return 1;
    }
    console.log(`Unmutated: ${baselineTests} tests in ${baselineFiles.length} files pass (${baselineSeconds.toFixed(1)} s, ${lanes.length} lanes).`);

    const outcomes = await across(lanes, mutations, async (lane, mutation): Promise<Outcome> => {
      const before = performance.now();
      const dir = join(work, mutation.id);
      await writeDocuments(dir, documents, { runbook: mutation.runbook, text: texts.get(mutation.id) ?? '' });
      const failures = await lane.runUntilFailure(dir, testFiles([mutation.runbook]));
      await rm(dir, { recursive: true, force: true });
      const seconds = (performance.now() - before) / 1000;
      console.log(`${failures.length > 0 ? 'killed  ' : 'SURVIVED'} ${mutation.id} (${seconds.toFixed(1)} s)`);
      return { mutation, failures, seconds };
    });

    printTable(outcomes);
    const survivors = outcomes.filter((outcome) => outcome.failures.length === 0);
    const total = (performance.now() - started) / 1000;
    console.log(`\n${outcomes.length - survivors.length} of ${outcomes.length} mutations killed in ${total.toFixed(1)} s (unmutated run ${baselineSeconds.toFixed(1)} s).`);
    if (survivors.length > 0) {
      console.error(`\nSurvivors (every test of their runbook still passes): ${survivors.map((outcome) => outcome.mutation.id).join(', ')}`);
      console.error('Reproduce one with: npm run test:mutation -- --write <id> /tmp/mutant (see docs/mutation-testing.md).');
      return 1;
    }
    return 0;
  } finally {
    await Promise.all(lanes.map((lane) => lane.close()));
    await rm(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
