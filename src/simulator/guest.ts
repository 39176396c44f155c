/**
 * The guest operating system of a simulated instance: what `aws:runCommand` talks to, and what
 * decides whether the instance is reachable once ENA is enabled.
 *
 * A guest has an *installed* state (what is on disk) and a *booted* state (what the running kernel
 * uses). Driver and kernel updates change the installed state; they take effect only when the
 * instance boots (start from stopped, or reboot).
 */

export type OsFamily = 'linux' | 'windows';

/** Where the ENA driver comes from (DOMAIN.md §3). */
export type EnaDriverSource = 'out-of-tree' | 'in-tree' | 'windows';

export interface EnaDriverState {
  readonly present: boolean;
  /** `2.8.1g` for an out-of-tree Linux build, `2.6.0` on Windows; absent for an in-tree driver. */
  readonly version?: string;
  readonly source?: EnaDriverSource;
}

/** What a test says about a guest. */
export interface GuestSpec {
  readonly osFamily: OsFamily;
  /** `amzn`, `ubuntu`, `rhel`, `sles`, `windows`... (the `ID` of /etc/os-release). */
  readonly osId: string;
  /** os-release `ID_LIKE` (`rhel centos fedora` on Rocky Linux); absent: none. */
  readonly osIdLike?: string;
  /** `2`, `2023`, `22.04`, `8.3`; on Windows the Server release: `2012 R2`, `2019`, `2022`. */
  readonly osVersion: string;
  readonly osName: string;
  /** Linux kernel release (`uname -r`); on Windows the build (`10.0.20348`). */
  readonly kernelRelease: string;
  readonly enaDriver: EnaDriverState;
  /** Whether the SSM agent is installed and registered (the instance is "managed"). */
  readonly ssmAgent: boolean;
  readonly agentVersion?: string;
}

/** What a registered script behaviour sees. */
export interface ScriptContext {
  readonly instanceId: string;
  readonly guest: Guest;
  readonly commands: readonly string[];
}

/** What a script behaviour returns. `exitCode` defaults to 0. */
export interface ScriptResult {
  readonly exitCode?: number;
  readonly stdout?: string;
  readonly stderr?: string;
  /** Ask the agent to reboot the instance after the script (SSM exit codes 194 / 3010). */
  readonly reboot?: boolean;
  /** Simulated run time. Default 5 seconds. */
  readonly durationSeconds?: number;
}

export type ScriptBehaviour = (context: ScriptContext) => ScriptResult;

/**
 * A JSON file in the SSM Agent's custom inventory folder (`/var/lib/amazon/ssm/<id>/inventory/custom`,
 * `%SystemDrive%\ProgramData\Amazon\SSM\InstanceData\<id>\inventory\custom`). Writing one
 * publishes nothing: the inventory association (AWS-GatherSoftwareInventory with `customInventory`
 * Enabled) reads the folder and uploads what it finds when it runs.
 */
export interface CustomInventoryFile {
  readonly typeName: string;
  readonly schemaVersion: string;
  readonly content: readonly Readonly<Record<string, string>>[];
  /** Simulated time the file was written (ISO 8601). */
  readonly writtenAt: string;
}

interface RegisteredScript {
  readonly match: string | RegExp;
  readonly behaviour: ScriptBehaviour;
}

/** Guests in a default state, for instances a test says nothing about. */
export function defaultGuestSpec(platform: 'linux' | 'windows'): GuestSpec {
  return platform === 'windows'
    ? {
        osFamily: 'windows',
        osId: 'windows',
        osVersion: '2022',
        osName: 'Microsoft Windows Server 2022 Datacenter',
        kernelRelease: '10.0.20348',
        enaDriver: { present: true, version: '2.6.0', source: 'windows' },
        ssmAgent: true,
        agentVersion: '3.3.0.0',
      }
    : {
        osFamily: 'linux',
        osId: 'amzn',
        osVersion: '2023',
        osName: 'Amazon Linux',
        kernelRelease: '6.1.55-75.123.amzn2023.x86_64',
        enaDriver: { present: true, source: 'in-tree' },
        ssmAgent: true,
        agentVersion: '3.3.0.0',
      };
}

/** The marker comment of ena-guard's driver-evidence scripts (Linux and Windows). */
export const DRIVER_EVIDENCE_MARKER = 'ena-guard:driver-evidence';

/** One instance's guest. */
export class Guest {
  private installed: { kernelRelease: string; enaDriver: EnaDriverState };
  private booted: { kernelRelease: string; enaDriver: EnaDriverState };
  private readonly scripts: RegisteredScript[] = [];
  private readonly inventoryFiles = new Map<string, CustomInventoryFile>();
  private agentStopped = false;
  /** Every script the guest ran, oldest first, with the behaviour that answered (if any). */
  readonly scriptLog: { commands: readonly string[]; matched: boolean }[] = [];
  readonly spec: GuestSpec;

  constructor(spec: GuestSpec) {
    this.spec = spec;
    this.installed = { kernelRelease: spec.kernelRelease, enaDriver: spec.enaDriver };
    this.booted = { ...this.installed };
    // ena-guard's own driver-evidence check (EnaGuard-EnableEnaSupport) answers from the running
    // kernel, as the real script does; tests may still register a different answer.
    this.onScript(DRIVER_EVIDENCE_MARKER, ({ guest }) =>
      guest.runningDriver.present
        ? { stdout: `ENA driver present for kernel ${guest.kernelRelease}` }
        : { exitCode: 1, stderr: `No ENA driver for kernel ${guest.kernelRelease}` },
    );
  }

  get osFamily(): OsFamily {
    return this.spec.osFamily;
  }

  /** The SSM Agent is installed and registered: the instance is a managed instance. */
  get ssmAgent(): boolean {
    return this.spec.ssmAgent;
  }

  /** The SSM Agent is installed and its service runs (it can reach Systems Manager if the network is up). */
  get agentRunning(): boolean {
    return this.spec.ssmAgent && !this.agentStopped;
  }

  /** The agent's service stops (crash, `systemctl stop amazon-ssm-agent`): the instance stays managed but goes ConnectionLost. */
  stopAgent(): void {
    this.agentStopped = true;
  }

  /** The agent's service starts again. */
  startAgent(): void {
    this.agentStopped = false;
  }

  /** Writes (or replaces) a file in the agent's custom inventory folder, one per type name. */
  writeCustomInventory(file: CustomInventoryFile): void {
    this.inventoryFiles.set(file.typeName, { ...file, content: file.content.map((entry) => ({ ...entry })) });
  }

  /** The custom inventory file of a type, as the guest holds it now (whether or not it was gathered). */
  customInventory(typeName: string): CustomInventoryFile | undefined {
    return this.inventoryFiles.get(typeName);
  }

  /** Every custom inventory file the guest holds, as an inventory gather would read them. */
  get customInventoryFiles(): readonly CustomInventoryFile[] {
    return [...this.inventoryFiles.values()];
  }

  /** The kernel the guest runs now. */
  get kernelRelease(): string {
    return this.booted.kernelRelease;
  }

  /** The ENA driver the running kernel can load now. */
  get runningDriver(): EnaDriverState {
    return this.booted.enaDriver;
  }

  /** The ENA driver installed on disk, effective at the next boot. */
  get installedDriver(): EnaDriverState {
    return this.installed.enaDriver;
  }

  /** The kernel installed on disk, effective at the next boot. */
  get installedKernelRelease(): string {
    return this.installed.kernelRelease;
  }

  /** True when an update waits for a reboot. */
  get rebootPending(): boolean {
    return JSON.stringify(this.installed) !== JSON.stringify(this.booted);
  }

  /** Installs an ENA driver; effective at the next boot. */
  installDriver(driver: EnaDriverState): void {
    this.installed = { ...this.installed, enaDriver: driver };
  }

  /** Installs a kernel (and with it, possibly another in-tree driver); effective at the next boot. */
  installKernel(kernelRelease: string, enaDriver?: EnaDriverState): void {
    this.installed = { kernelRelease, enaDriver: enaDriver ?? this.installed.enaDriver };
  }

  /**
   * The instance boots: what is installed becomes what runs, and the agent's service starts
   * (Unconfirmed: the agent is enabled at boot, as the AMIs ship it).
   */
  boot(): void {
    this.booted = { ...this.installed };
    this.agentStopped = false;
  }

  /** A copy of this guest as it will boot, for an image taken from it. */
  snapshot(): GuestSpec {
    return { ...this.spec, kernelRelease: this.installed.kernelRelease, enaDriver: this.installed.enaDriver };
  }

  /**
   * Registers how the guest answers scripts whose text (commands joined by newlines) contains
   * `match` (a string) or matches it (a RegExp). Later registrations win.
   */
  onScript(match: string | RegExp, behaviour: ScriptBehaviour): this {
    this.scripts.unshift({ match, behaviour });
    return this;
  }

  /** Runs a script. Unregistered scripts succeed with no output (and are logged as unmatched). */
  runScript(instanceId: string, commands: readonly string[]): ScriptResult {
    const text = commands.join('\n');
    const found = this.scripts.find(({ match }) => (typeof match === 'string' ? text.includes(match) : match.test(text)));
    this.scriptLog.push({ commands, matched: found !== undefined });
    return found === undefined ? { exitCode: 0 } : found.behaviour({ instanceId, guest: this, commands });
  }
}
