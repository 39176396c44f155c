/**
 * Runs the Linux collector script of EnaGuard-CollectEnaDriverInventory for real, with `sh`,
 * against a fake guest: stub `modinfo` / `ethtool` / `uname` / `ip` / `curl` commands first on a
 * PATH that otherwise holds only the POSIX tools the script may use, and a temporary root
 * (ENA_GUARD_ROOT) with `/etc/os-release` and `/sys` files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const DOCUMENT_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'automation-docs',
  'EnaGuard-CollectEnaDriverInventory.yaml',
);

export interface CommandDocumentStep {
  readonly name: string;
  readonly action: string;
  readonly precondition?: { readonly StringEquals?: readonly string[] };
  readonly inputs: { readonly runCommand: readonly string[]; readonly timeoutSeconds?: string };
}

export interface CommandDocument {
  readonly schemaVersion: string;
  readonly description: string;
  readonly parameters?: Record<string, { readonly type: string; readonly allowedPattern?: string; readonly allowedValues?: readonly string[] }>;
  readonly mainSteps: readonly CommandDocumentStep[];
}

export function loadCollectorDocument(): CommandDocument {
  return parse(readFileSync(DOCUMENT_PATH, 'utf8')) as CommandDocument;
}

export function stepScript(document: CommandDocument, action: string): string {
  const step = document.mainSteps.find((candidate) => candidate.action === action);
  if (!step) throw new Error(`no ${action} step`);
  return step.inputs.runCommand.join('\n');
}

/** The only programs the Linux script may find besides the stubs: POSIX utilities. */
const POSIX_TOOLS = ['sed', 'tr', 'head', 'basename', 'date', 'mkdir', 'mv', 'cat'] as const;

/** A fake guest. `null` for a command means the binary is not installed. */
export interface FakeGuest {
  /** `/etc/os-release` content; `undefined`: no file. */
  readonly osRelease?: string;
  /** `uname -r` output. */
  readonly kernelRelease?: string | null;
  /** `modinfo ena` output; `'not-found'`: the module does not exist (exit 1). */
  readonly modinfo?: string | 'not-found' | null;
  /** `ethtool -i <if>` output per interface. */
  readonly ethtool?: Readonly<Record<string, string>> | null;
  /** `/sys/class/net/<if>/device/driver` target driver per interface; `undefined` driver: no device link. */
  readonly interfaces?: Readonly<Record<string, string | undefined>>;
  /** `/sys/module/ena` exists (loaded); `version` is the content of `/sys/module/ena/version` if any. */
  readonly sysModuleEna?: { readonly version?: string };
  /** Interface of the default route printed by `ip route show default`; `null`: `ip` not installed. */
  readonly defaultRoute?: string | null;
  /** Instance ID returned by the IMDSv2 stub `curl`; `undefined`: no curl installed. */
  readonly imdsInstanceId?: string;
}

export interface CollectorRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly root: string;
  /** The file the script wrote, parsed; `undefined` when there is none. */
  readonly written: { SchemaVersion: string; TypeName: string; Content: Record<string, string> } | undefined;
  /** Every file the script left in the custom inventory folder. */
  readonly files: readonly string[];
}

export function stub(directory: string, name: string, body: string): void {
  const path = join(directory, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

export function heredoc(text: string): string {
  return `cat <<'ENA_GUARD_EOF'\n${text}\nENA_GUARD_EOF`;
}

export function locate(tool: string): string {
  return execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
}

function writeStubs(bin: string, guest: FakeGuest): void {
  for (const tool of POSIX_TOOLS) symlinkSync(locate(tool), join(bin, tool));
  if (guest.kernelRelease !== null) {
    stub(bin, 'uname', `[ "$1" = "-r" ] && { echo '${guest.kernelRelease ?? '6.1.61-85.141.amzn2023.x86_64'}'; exit 0; }\necho Linux`);
  }
  if (guest.modinfo !== null && guest.modinfo !== undefined) {
    stub(
      bin,
      'modinfo',
      guest.modinfo === 'not-found'
        ? 'echo "modinfo: ERROR: Module $1 not found." >&2\nexit 1'
        : `[ "$1" = "ena" ] || exit 1\n${heredoc(guest.modinfo)}`,
    );
  }
  if (guest.ethtool !== null && guest.ethtool !== undefined) {
    const cases = Object.entries(guest.ethtool)
      .map(([name, output]) => `  ${name}) ${heredoc(output)}\n  ;;`)
      .join('\n');
    stub(bin, 'ethtool', `[ "$1" = "-i" ] || exit 1\ncase "$2" in\n${cases}\n  *) echo "Cannot get driver information: No such device" >&2; exit 71;;\nesac`);
  }
  if (guest.defaultRoute !== null) {
    const route = guest.defaultRoute === undefined ? '' : `default via 172.31.0.1 dev ${guest.defaultRoute} proto dhcp src 172.31.5.9 metric 100`;
    stub(bin, 'ip', `[ "$1 $2 $3" = "route show default" ] || exit 1\n${route ? `echo '${route}'` : 'exit 0'}`);
  }
  if (guest.imdsInstanceId !== undefined) {
    stub(
      bin,
      'curl',
      `case "$*" in\n  *api/token*) echo 'token-abc' ;;\n  *"X-aws-ec2-metadata-token: token-abc"*instance-id*) echo '${guest.imdsInstanceId}' ;;\n  *) exit 22 ;;\nesac`,
    );
  }
}

function writeRoot(root: string, guest: FakeGuest): void {
  mkdirSync(join(root, 'etc'), { recursive: true });
  if (guest.osRelease !== undefined) writeFileSync(join(root, 'etc', 'os-release'), guest.osRelease);
  mkdirSync(join(root, 'sys', 'module'), { recursive: true });
  if (guest.sysModuleEna) {
    mkdirSync(join(root, 'sys', 'module', 'ena'));
    if (guest.sysModuleEna.version !== undefined) writeFileSync(join(root, 'sys', 'module', 'ena', 'version'), `${guest.sysModuleEna.version}\n`);
  }
  mkdirSync(join(root, 'sys', 'class', 'net', 'lo'), { recursive: true });
  for (const [name, driver] of Object.entries(guest.interfaces ?? {})) {
    const device = join(root, 'sys', 'class', 'net', name, 'device');
    mkdirSync(device, { recursive: true });
    if (driver !== undefined) {
      const driverDirectory = join(root, 'sys', 'bus', driver === 'vif' ? 'xen' : 'pci', 'drivers', driver);
      mkdirSync(driverDirectory, { recursive: true });
      symlinkSync(driverDirectory, join(device, 'driver'));
    }
  }
}

/** Writes the fake guest, runs the script with `sh`, and reads what it wrote. */
export function runLinuxCollector(script: string, guest: FakeGuest, environment: Record<string, string> = {}): CollectorRun {
  const workspace = mkdtempSync(join(tmpdir(), 'ena-guard-collector-'));
  try {
    const bin = join(workspace, 'bin');
    const root = join(workspace, 'root');
    mkdirSync(bin);
    mkdirSync(root);
    writeStubs(bin, guest);
    writeRoot(root, guest);
    const scriptPath = join(workspace, '_script.sh');
    writeFileSync(scriptPath, script);

    const result = spawnSync(locate('sh'), [scriptPath], {
      encoding: 'utf8',
      env: { PATH: bin, ENA_GUARD_ROOT: root, AWS_SSM_INSTANCE_ID: 'i-0123456789abcdef0', ...environment },
      timeout: 15_000,
    });
    const instanceId = environment.AWS_SSM_INSTANCE_ID || guest.imdsInstanceId || 'i-0123456789abcdef0';
    const folder = join(root, 'var', 'lib', 'amazon', 'ssm', instanceId, 'inventory', 'custom');
    const file = join(folder, 'EnaGuard-EnaDriver.json');
    const written = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CollectorRun['written']) : undefined;
    const files = existsSync(folder) ? execFileSync('ls', ['-A', folder], { encoding: 'utf8' }).split('\n').filter(Boolean) : [];
    return { exitCode: result.status, stdout: result.stdout, stderr: result.stderr, root, written, files };
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}
