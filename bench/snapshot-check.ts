/**
 * Measures `ena-guard check --snapshot` on a large describe-instances.json, the way a user runs it:
 * the built CLI (dist/cli/ena-guard.mjs) in a child process, on a file in the AWS CLI's own layout
 * (`--output json` indents by 4 spaces). The instances are the demo fleet's (examples/demo-fleet),
 * renumbered and tagged: their network interfaces, volumes, metadata and CPU options make them ~6 KB
 * each as the AWS CLI prints them.
 *
 *   npx tsx bench/snapshot-check.ts            100,000 instances
 *   npx tsx bench/snapshot-check.ts 20000      another size
 *
 * Peak memory is the child's maximum RSS, from `/usr/bin/time -v` where it exists, else from
 * process.resourceUsage() read in the child at exit (a `--import` hook).
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, copyFileSync, createWriteStream, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DescribeInstancesResult, Instance, Reservation } from '@aws-sdk/client-ec2';

const root = fileURLToPath(new URL('..', import.meta.url));
const demoFleet = join(root, 'examples', 'demo-fleet');
const cli = join(root, 'dist', 'cli', 'ena-guard.mjs');
const TIME = '/usr/bin/time';
const IMAGE_FILES = ['describe-images.json', 'describe-launch-templates.json', 'describe-launch-template-versions.json', 'describe-referenced-images.json', 'get-parameters.json'];

export interface SnapshotCheckMeasurement {
  readonly instances: number;
  /** Size of the generated describe-instances.json. */
  readonly fileBytes: number;
  readonly wallMs: number;
  /** The CLI process's maximum resident set size. */
  readonly peakRssMiB: number;
  /** Findings the CLI printed: one per live instance and instance rule, plus the image rule's. */
  readonly findings: number;
}

/** The CLI did not finish the check (exit code 1: a broken snapshot, or a crash). */
export class SnapshotCheckFailedError extends Error {
  constructor(
    readonly measurement: Omit<SnapshotCheckMeasurement, 'findings'>,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`ena-guard check exited with ${exitCode}: ${stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
  }
}

/**
 * Generates a snapshot of `instances` instances into a temporary folder, checks it with the built
 * CLI and measures the run. The folder is removed afterwards.
 * @throws SnapshotCheckFailedError when the CLI fails (its wall time and peak RSS are kept).
 */
export async function measureSnapshotCheck(instances: number): Promise<SnapshotCheckMeasurement> {
  ensureBuilt();
  const directory = mkdtempSync(join(tmpdir(), 'ena-guard-snapshot-bench-'));
  try {
    const fileBytes = await writeBenchSnapshot(directory, instances);
    const run = await runCheck(directory);
    const measured = { instances, fileBytes, wallMs: run.wallMs, peakRssMiB: run.peakRssMiB };
    // 0 all compliant, 2 non-compliant, 3 some not judged: all finished checks.
    if (![0, 2, 3].includes(run.exitCode ?? -1)) throw new SnapshotCheckFailedError(measured, run.exitCode, run.stderr);
    const report = JSON.parse(readFileSync(run.stdoutFile, 'utf8')) as { findings?: unknown[]; evaluations?: unknown[] };
    return { ...measured, findings: (report.findings ?? report.evaluations ?? []).length };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function ensureBuilt(): void {
  // Rebuild when any source is newer than the bundle, so the figures are of the code on disk.
  const built = existsSync(cli) ? statSync(cli).mtimeMs : 0;
  const newest = Math.max(...['src', 'rules'].flatMap((folder) => newestMtimes(join(root, folder))), statSync(join(root, 'package-lock.json')).mtimeMs);
  if (newest <= built) return;
  // Synchronous on purpose: the build comes before any measurement.
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error(`npm run build failed (exit ${build.status})`);
}

function newestMtimes(folder: string): number[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs);
}

interface CheckRun {
  readonly exitCode: number | null;
  readonly wallMs: number;
  readonly peakRssMiB: number;
  readonly stdoutFile: string;
  readonly stderr: string;
}

async function runCheck(directory: string): Promise<CheckRun> {
  const stdoutFile = join(directory, 'report.json');
  const rssFile = join(directory, 'max-rss.txt');
  const cliArgs = [cli, 'check', '--snapshot', directory, '--format', 'json'];
  const useTime = existsSync(TIME);
  const [command, args] = useTime
    ? [TIME, ['-v', process.execPath, ...cliArgs]]
    : [process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(maxRssHook(rssFile))}`, ...cliArgs]];
  const out = openSync(stdoutFile, 'w');
  const started = performance.now();
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', out, 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const [exitCode] = (await once(child, 'close')) as [number | null];
  const wallMs = performance.now() - started;
  closeSync(out);
  const kib = useTime ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1]) : Number(readFileSync(rssFile, 'utf8'));
  // /usr/bin/time reports the command's own exit status, and adds its report to stderr.
  const cliStderr = useTime ? stderr.replace(/\n?(Command exited with non-zero status \d+\n)?\tCommand being timed:[\s\S]*$/, '') : stderr;
  return { exitCode, wallMs, peakRssMiB: kib / 1024, stdoutFile, stderr: cliStderr };
}

/** Written to `file` by the child as it exits: its maximum RSS in KiB. */
function maxRssHook(file: string): string {
  return `import { writeFileSync } from 'node:fs'; process.on('exit', () => writeFileSync(${JSON.stringify(file)}, String(process.resourceUsage().maxRSS)));`;
}

/**
 * Writes a snapshot of `instances` instances into `directory`: describe-instances.json and the demo
 * fleet's describe-instance-types.json. @returns the size of describe-instances.json in bytes.
 */
export async function writeBenchSnapshot(directory: string, instances: number): Promise<number> {
  // The demo's types, AMIs and launch templates: the instance rules and the image rule all run (the
  // image rule reads describe-instances.json too, for the AMIs instances use). No inventory: the
  // driver rule cannot run, and says so.
  for (const name of ['describe-instance-types.json', ...IMAGE_FILES]) {
    if (existsSync(join(demoFleet, name))) copyFileSync(join(demoFleet, name), join(directory, name));
  }
  return writeDescribeInstances(join(directory, 'describe-instances.json'), instances);
}

/**
 * Writes `{ "Reservations": [...] }` exactly as `JSON.stringify(output, null, 4)` (the AWS CLI's
 * layout) would, one reservation at a time, so the generator never holds the whole text.
 * @returns the file's size in bytes.
 */
async function writeDescribeInstances(path: string, instances: number): Promise<number> {
  const templates = instanceTemplates();
  const out = createWriteStream(path);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('{\n    "Reservations": [\n');
  // Mostly one instance per reservation, as launches one by one give; sometimes a batch of five.
  const batchSizes = [1, 1, 1, 2, 5];
  let written = 0;
  for (let reservation = 0; written < instances; reservation += 1) {
    const size = Math.min(batchSizes[reservation % batchSizes.length]!, instances - written);
    const members = Array.from({ length: size }, (_, offset) => benchInstance(templates, written + offset));
    const text = JSON.stringify(benchReservation(reservation, members), null, 4).replaceAll('\n', '\n        ');
    await write(`${reservation === 0 ? '' : ',\n'}        ${text}`);
    written += size;
  }
  await write('\n    ]\n}\n');
  out.end();
  await once(out, 'finish');
  return statSync(path).size;
}

/** The demo fleet's instances whose type describe-instance-types.json knows (all but m9z.large). */
function instanceTemplates(): Instance[] {
  const demo = JSON.parse(readFileSync(join(demoFleet, 'describe-instances.json'), 'utf8')) as DescribeInstancesResult;
  const known = new Set(
    (JSON.parse(readFileSync(join(demoFleet, 'describe-instance-types.json'), 'utf8')) as { InstanceTypes: { InstanceType: string }[] }).InstanceTypes.map(
      (type) => type.InstanceType,
    ),
  );
  return (demo.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []).filter((instance) => known.has(instance.InstanceType ?? ''));
}

function benchReservation(index: number, instances: Instance[]): Reservation {
  return { ReservationId: `r-${hex(index, 17)}`, OwnerId: '111122223333', Groups: [], Instances: instances };
}

function benchInstance(templates: readonly Instance[], index: number): Instance {
  const template = structuredClone(templates[index % templates.length]!);
  const id = hex(index, 17);
  const octets = `${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
  const subnet = `subnet-${hex(index % 64, 17)}`;
  return {
    ...template,
    InstanceId: `i-${id}`,
    PrivateIpAddress: `10.${octets}`,
    PrivateDnsName: `ip-10-${octets.replaceAll('.', '-')}.eu-west-1.compute.internal`,
    SubnetId: subnet,
    BlockDeviceMappings: (template.BlockDeviceMappings ?? []).map((mapping, volume) => ({
      ...mapping,
      ...(mapping.Ebs ? { Ebs: { ...mapping.Ebs, VolumeId: `vol-${hex(index * 4 + volume, 17)}` } } : {}),
    })),
    NetworkInterfaces: (template.NetworkInterfaces ?? []).map((networkInterface, card) => ({
      ...networkInterface,
      NetworkInterfaceId: `eni-${hex(index * 4 + card, 17)}`,
      SubnetId: subnet,
      PrivateIpAddress: `10.${octets}`,
    })),
    Tags: [
      ...(template.Tags ?? []),
      { Key: 'Name', Value: `app-${index}` },
      { Key: 'CostCenter', Value: `cc-${index % 97}` },
    ],
  };
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const instances = Number(process.argv[2] ?? 100_000);
  if (!Number.isInteger(instances) || instances <= 0) throw new Error(`instances must be a positive integer (got ${process.argv[2]})`);
  try {
    const result = await measureSnapshotCheck(instances);
    console.log(
      `${result.instances} instances, describe-instances.json ${mib(result.fileBytes)}: ${(result.wallMs / 1000).toFixed(1)} s, peak RSS ${result.peakRssMiB.toFixed(0)} MiB, ${result.findings} findings`,
    );
  } catch (error) {
    if (!(error instanceof SnapshotCheckFailedError)) throw error;
    const { measurement } = error;
    console.log(
      `${measurement.instances} instances, describe-instances.json ${mib(measurement.fileBytes)}: FAILED after ${(measurement.wallMs / 1000).toFixed(1)} s, peak RSS ${measurement.peakRssMiB.toFixed(0)} MiB`,
    );
    console.log(error.message);
    process.exitCode = 1;
  }
}
