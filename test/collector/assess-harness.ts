/**
 * Runs the shell script of EnaGuard-AssessEnaDriverLinux for real, with `sh`, against a fake guest:
 * the `Custom:EnaDriver` item file the collector writes, under a temporary root (ENA_GUARD_ROOT),
 * and stub `uname` / package-manager commands first on a PATH that otherwise holds only the POSIX
 * tools the script may use.
 *
 * The script is first rendered as Systems Manager does: every `{{ Name }}` replaced textually by
 * the parameter's value, after the value passed the document's allowedPattern / allowedValues.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ENA_DRIVER_INVENTORY_TYPE } from '../../rules/inventory.js';
import { heredoc, locate, stepScript, stub, type CommandDocument } from './collector-harness.js';

export const ASSESS_DOCUMENT_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'automation-docs',
  'EnaGuard-AssessEnaDriverLinux.yaml',
);

/** The instance ID the fake SSM Agent exports (AWS_SSM_INSTANCE_ID). */
export const INSTANCE_ID = 'i-0123456789abcdef0';

export interface AssessParameter {
  readonly type: string;
  readonly description?: string;
  readonly default?: string;
  readonly allowedPattern?: string;
  readonly allowedValues?: readonly string[];
}

export interface AssessDocument extends Omit<CommandDocument, 'parameters'> {
  readonly parameters: Readonly<Record<string, AssessParameter>>;
}

export function loadAssessDocument(): AssessDocument {
  return parse(readFileSync(ASSESS_DOCUMENT_PATH, 'utf8')) as AssessDocument;
}

/** `{{ Name }}`, with optional spaces inside the braces, as Systems Manager resolves it. */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.:-]+)\s*\}\}/g;

/** Refuses a value the way SSM refuses to run the command: not matching allowedPattern / allowedValues. */
function checkValue(name: string, parameter: AssessParameter, value: string): void {
  if (parameter.allowedValues !== undefined && !parameter.allowedValues.includes(value)) {
    throw new Error(`parameter ${name}: "${value}" is not one of ${JSON.stringify(parameter.allowedValues)}`);
  }
  if (parameter.allowedPattern !== undefined && !new RegExp(parameter.allowedPattern).test(value)) {
    throw new Error(`parameter ${name}: "${value}" does not match allowedPattern ${parameter.allowedPattern}`);
  }
}

/** The resolved value of every parameter: the given ones checked, defaults filled in (and checked). */
export function resolveParameters(document: AssessDocument, parameters: Readonly<Record<string, string>>): Record<string, string> {
  for (const name of Object.keys(parameters)) {
    if (!(name in document.parameters)) throw new Error(`parameter ${name} is not declared by the document`);
  }
  const resolved: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(document.parameters)) {
    const value = parameters[name] ?? parameter.default;
    if (value === undefined) throw new Error(`parameter ${name} is required (it has no default)`);
    checkValue(name, parameter, value);
    resolved[name] = value;
  }
  return resolved;
}

/** The step's script with every `{{ Name }}` replaced by its value, as Systems Manager renders it. */
export function renderScript(document: AssessDocument, parameters: Readonly<Record<string, string>>): string {
  const resolved = resolveParameters(document, parameters);
  return stepScript(document, 'aws:runShellScript').replace(PLACEHOLDER, (_match, name: string) => {
    const value = resolved[name];
    if (value === undefined) throw new Error(`the script refers to {{ ${name} }}, which the document does not declare`);
    return value;
  });
}

/** A package-manager stub: what it prints and how it exits, per `"$*"` shell case pattern or overall. */
export interface CommandStub {
  readonly exitCode?: number;
  readonly stdout?: string;
  /** Keys: `case` patterns matched against `"$*"` (e.g. `'-s install linux-aws'`, `'update*'`), first match wins. */
  readonly when?: Readonly<Record<string, { readonly exitCode?: number; readonly stdout?: string }>>;
}

/** A fake guest around the item. `undefined` commands are not installed. */
export interface AssessGuest {
  /** `/etc/os-release` content; `undefined`: no file. */
  readonly osRelease?: string;
  /** `uname -r` output (the running kernel). */
  readonly kernelRelease?: string;
  readonly dnf?: CommandStub;
  readonly yum?: CommandStub;
  readonly aptGet?: CommandStub;
  readonly zypper?: CommandStub;
  /** `grubby --default-kernel` output, or a full stub. */
  readonly grubby?: string | CommandStub;
  /** Other files under the root, by path relative to it (e.g. `var/run/reboot-required`). */
  readonly files?: Readonly<Record<string, string>>;
}

export interface AssessCase {
  /** The item's Content; `undefined`: the collector has not written the file. */
  readonly item: Readonly<Record<string, string>> | undefined;
  readonly guest?: AssessGuest;
  readonly parameters: Readonly<Record<string, string>>;
}

export interface AssessRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** `ENA_GUARD_PLAN`; `undefined` when not printed. */
  readonly plan: string | undefined;
  /** `ENA_GUARD_BOUND` as a boolean; `undefined` when not printed (or neither true nor false). */
  readonly bound: boolean | undefined;
  readonly kernelUpdate: string | undefined;
  readonly detail: string | undefined;
  /** Every stub invocation, as `name args…`. */
  readonly calls: readonly string[];
}

/** The real POSIX tools the script uses; everything else it runs is a stub or a shell builtin. */
export const ASSESS_POSIX_TOOLS = ['sed', 'tr', 'head', 'tail', 'cat', 'awk', 'sort', 'grep'] as const;

const toolPaths = new Map<string, string>();
function tool(name: string): string {
  let path = toolPaths.get(name);
  if (path === undefined) {
    path = locate(name);
    if (!path.startsWith('/')) throw new Error(`${name} is not an installed program (command -v says "${path}")`);
    toolPaths.set(name, path);
  }
  return path;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function output(stdout: string | undefined): string {
  return stdout === undefined || stdout === '' ? ':' : heredoc(stdout);
}

function commandStub(bin: string, name: string, spec: CommandStub, log: string): void {
  const cases = Object.entries(spec.when ?? {})
    .map(([pattern, answer]) => `  ${pattern.replace(/ /g, '\\ ')})\n${output(answer.stdout)}\n    exit ${answer.exitCode ?? 0} ;;`)
    .join('\n');
  stub(
    bin,
    name,
    [`echo "${name} $*" >> ${shellQuote(log)}`, `case "$*" in`, cases, `esac`, output(spec.stdout), `exit ${spec.exitCode ?? 0}`].join('\n'),
  );
}

function itemPath(root: string): string {
  return join(root, 'var', 'lib', 'amazon', 'ssm', INSTANCE_ID, 'inventory', 'custom', 'EnaGuard-EnaDriver.json');
}

/** Writes one case's workspace (`bin`, `root`, `script.sh`) under `directory`. */
function prepareCase(directory: string, script: string, testCase: AssessCase): void {
  const bin = join(directory, 'bin');
  const root = join(directory, 'root');
  const log = join(directory, 'calls.log');
  mkdirSync(bin, { recursive: true });
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(log, '');
  for (const name of ASSESS_POSIX_TOOLS) symlinkSync(tool(name), join(bin, name));

  const guest = testCase.guest ?? {};
  stub(bin, 'uname', `echo "uname $*" >> ${shellQuote(log)}\n[ "$1" = "-r" ] && { echo ${shellQuote(guest.kernelRelease ?? testCase.item?.KernelRelease ?? '6.1.61-85.141.amzn2023.x86_64')}; exit 0; }\necho Linux`);
  const stubs: [string, CommandStub | undefined][] = [
    ['dnf', guest.dnf],
    ['yum', guest.yum],
    ['apt-get', guest.aptGet],
    ['zypper', guest.zypper],
    ['grubby', typeof guest.grubby === 'string' ? { stdout: guest.grubby } : guest.grubby],
  ];
  for (const [name, spec] of stubs) if (spec !== undefined) commandStub(bin, name, spec, log);

  if (guest.osRelease !== undefined) writeFileSync(join(root, 'etc', 'os-release'), guest.osRelease);
  for (const [path, content] of Object.entries(guest.files ?? {})) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  if (testCase.item !== undefined) {
    const file = itemPath(root);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ SchemaVersion: '1.0', TypeName: ENA_DRIVER_INVENTORY_TYPE, Content: testCase.item })}\n`);
  }
  writeFileSync(join(directory, 'script.sh'), script);
}

function lineValue(stdout: string, name: string): string | undefined {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(`ENA_GUARD_${name}=`));
  return line?.slice(`ENA_GUARD_${name}=`.length);
}

function parseRun(exitCode: number | null, stdout: string, stderr: string, calls: readonly string[]): AssessRun {
  const bound = lineValue(stdout, 'BOUND');
  return {
    exitCode,
    stdout,
    stderr,
    plan: lineValue(stdout, 'PLAN'),
    bound: bound === 'true' ? true : bound === 'false' ? false : undefined,
    kernelUpdate: lineValue(stdout, 'KERNEL_UPDATE'),
    detail: lineValue(stdout, 'DETAIL'),
    calls,
  };
}

function readCalls(directory: string): string[] {
  return readFileSync(join(directory, 'calls.log'), 'utf8').split('\n').filter(Boolean);
}

function environment(directory: string): Record<string, string> {
  return { PATH: join(directory, 'bin'), ENA_GUARD_ROOT: join(directory, 'root'), AWS_SSM_INSTANCE_ID: INSTANCE_ID };
}

const document = loadAssessDocument();

/** Renders the script with the case's parameters, writes the fake guest, and runs the script with `sh`. */
export function runAssessment(testCase: AssessCase): AssessRun {
  const script = renderScript(document, testCase.parameters);
  const workspace = mkdtempSync(join(tmpdir(), 'ena-guard-assess-'));
  try {
    prepareCase(workspace, script, testCase);
    const result = spawnSync(tool('sh'), [join(workspace, 'script.sh')], {
      encoding: 'utf8',
      env: environment(workspace),
      cwd: workspace,
      timeout: 15_000,
    });
    if (result.error) throw result.error;
    return parseRun(result.status, result.stdout, result.stderr, readCalls(workspace));
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

/**
 * Runs many cases in one `sh` process (a loop over the case directories, each case's script in
 * its own `sh` with its own PATH and root), for property tests: the same result per case as
 * {@link runAssessment}.
 */
export function runAssessments(cases: readonly AssessCase[]): AssessRun[] {
  const workspace = mkdtempSync(join(tmpdir(), 'ena-guard-assess-batch-'));
  try {
    const directories = cases.map((testCase, index) => {
      const directory = join(workspace, String(index));
      prepareCase(directory, renderScript(document, testCase.parameters), testCase);
      return directory;
    });
    const driver = [
      `for d in "$@"; do`,
      `  PATH="$d/bin" ENA_GUARD_ROOT="$d/root" AWS_SSM_INSTANCE_ID=${INSTANCE_ID} ${shellQuote(tool('sh'))} "$d/script.sh" >"$d/stdout" 2>"$d/stderr" </dev/null`,
      `  echo $? >"$d/rc"`,
      `done`,
    ].join('\n');
    const result = spawnSync(tool('sh'), ['-c', driver, 'driver', ...directories], {
      encoding: 'utf8',
      env: { PATH: '/nonexistent' },
      cwd: workspace,
      timeout: Math.max(15_000, cases.length * 1_000),
    });
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`the batch driver failed (exit ${String(result.status)}): ${result.stderr}`);
    return directories.map((directory) => {
      const rc = join(directory, 'rc');
      const exitCode = existsSync(rc) ? Number(readFileSync(rc, 'utf8').trim()) : null;
      return parseRun(exitCode, readFileSync(join(directory, 'stdout'), 'utf8'), readFileSync(join(directory, 'stderr'), 'utf8'), readCalls(directory));
    });
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}
