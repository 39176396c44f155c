/**
 * The `Custom:EnaDriver` SSM inventory item: what the EnaGuard-CollectEnaDriverInventory command
 * document records on each managed instance, and how one entry returned by
 * `ListInventoryEntries` (`Entries: Record<string, string>[]`) becomes an {@link EnaDriverInventory}.
 *
 * Custom inventory holds strings only. Parsing is strict about what every judgement needs
 * (`DriverPresent`, `OsFamily`) and tolerant of everything else: a missing or unexpected optional
 * value becomes "unknown" (or ""), so that a newer collector never breaks an older rule.
 */
import * as z from 'zod';

/** The custom inventory type name, as written by the collector and queried with ListInventoryEntries. */
export const ENA_DRIVER_INVENTORY_TYPE = 'Custom:EnaDriver';

/** The value the collector writes in `CollectorVersion`. */
export const ENA_DRIVER_COLLECTOR_VERSION = '1';

/** Every field of the item, in the order the collector writes them. */
export const ENA_DRIVER_INVENTORY_FIELDS = [
  'DriverPresent',
  'DriverLoaded',
  'InterfaceDriver',
  'InterfaceName',
  'DriverVersion',
  'DriverVersionSource',
  'DriverBuild',
  'KernelRelease',
  'OsFamily',
  'OsId',
  'OsIdLike',
  'OsVersion',
  'OsName',
  'CollectedAt',
  'CollectorVersion',
  'Errors',
] as const;
export type EnaDriverInventoryField = (typeof ENA_DRIVER_INVENTORY_FIELDS)[number];

export const DRIVER_VERSION_SOURCES = ['modinfo', 'sysfs', 'ethtool', 'windows-adapter', 'none'] as const;
/** Where the reported driver version came from. */
export type DriverVersionSource = (typeof DRIVER_VERSION_SOURCES)[number];

export const DRIVER_BUILDS = ['out-of-tree', 'in-tree', 'windows', 'unknown'] as const;
/**
 * Which ENA driver the guest runs. `out-of-tree`: the module reports an amzn-drivers version (`g`
 * suffix, or none): judged by the driver version. `in-tree`: the upstream kernel driver, with no
 * version of its own or the kernel's, and the old in-kernel copy with a `K` suffix (collectors
 * before OsIdLike recorded that one as out-of-tree; the rule reclassifies it): judged by the
 * kernel release. `windows`: the Windows ENA driver.
 */
export type DriverBuild = (typeof DRIVER_BUILDS)[number];

/** One instance's `Custom:EnaDriver` entry, normalised. */
export interface EnaDriverInventory {
  /** An ENA module or driver is installed (whether or not it is loaded). */
  readonly driverPresent: boolean;
  /** `undefined`: the collector could not tell. */
  readonly driverLoaded: boolean | undefined;
  /** Driver bound to the interface: `ena`, `vif` (Xen netfront), …; "" when unknown. */
  readonly interfaceDriver: string;
  readonly interfaceName: string;
  /** The driver version as reported; `undefined` when nothing reported one. */
  readonly driverVersion: string | undefined;
  readonly driverVersionSource: DriverVersionSource;
  readonly driverBuild: DriverBuild;
  /** `uname -r`; `undefined` on Windows or when unknown. */
  readonly kernelRelease: string | undefined;
  readonly osFamily: 'linux' | 'windows';
  /** os-release `ID` (amzn, ubuntu, rhel, sles, …) or `windows`; "" when unknown. */
  readonly osId: string;
  /**
   * os-release `ID_LIKE`, lower case, split on spaces (`["rhel", "centos", "fedora"]` on Rocky
   * Linux); empty on Windows, when unknown, or from collectors written before the field existed.
   */
  readonly osIdLike: readonly string[];
  /** os-release `VERSION_ID`, or the Windows version such as 10.0.20348; "" when unknown. */
  readonly osVersion: string;
  /** os-release `PRETTY_NAME` or the Windows caption; "" when unknown. */
  readonly osName: string;
  /** ISO-8601 UTC time of collection as the collector wrote it; "" when missing. */
  readonly collectedAt: string;
  readonly collectorVersion: string;
  /** What the collector could not read. */
  readonly errors: readonly string[];
}

export type InventoryParseResult =
  | { readonly ok: true; readonly value: EnaDriverInventory }
  | { readonly ok: false; readonly message: string };

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value ?? '').trim());

const requiredBoolean = z
  .string({ error: 'is missing (expected "true" or "false")' })
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.enum(['true', 'false'], { error: 'must be "true" or "false"' }))
  .transform((value) => value === 'true');

const optionalTriState = optionalText.transform((value) => {
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return undefined;
});

function tolerantChoice<const T extends readonly string[]>(choices: T, fallback: T[number]) {
  return optionalText.transform((value): T[number] => {
    const lower = value.toLowerCase();
    return (choices as readonly string[]).includes(lower) ? (lower as T[number]) : fallback;
  });
}

const osFamily = z
  .string({ error: 'is missing (expected "linux" or "windows")' })
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.enum(['linux', 'windows'], { error: 'must be "linux" or "windows"' }));

const nonEmptyOrUndefined = optionalText.transform((value) => (value.length > 0 ? value : undefined));

/**
 * Parses one `ListInventoryEntries` entry of type `Custom:EnaDriver` into an
 * {@link EnaDriverInventory}. Unknown keys are ignored.
 */
export const enaDriverInventoryEntrySchema = z
  .object({
    DriverPresent: requiredBoolean,
    DriverLoaded: optionalTriState,
    InterfaceDriver: optionalText.transform((value) => value.toLowerCase()),
    InterfaceName: optionalText,
    DriverVersion: nonEmptyOrUndefined,
    DriverVersionSource: tolerantChoice(DRIVER_VERSION_SOURCES, 'none'),
    DriverBuild: tolerantChoice(DRIVER_BUILDS, 'unknown'),
    KernelRelease: nonEmptyOrUndefined,
    OsFamily: osFamily,
    OsId: optionalText.transform((value) => value.toLowerCase()),
    OsIdLike: optionalText.transform((value) =>
      value
        .toLowerCase()
        .split(/\s+/)
        .filter((id) => id.length > 0)
        .slice(0, 8),
    ),
    OsVersion: optionalText,
    OsName: optionalText,
    CollectedAt: optionalText,
    CollectorVersion: optionalText,
    Errors: optionalText.transform((value) =>
      value
        .split(';')
        .map((note) => note.trim())
        .filter((note) => note.length > 0),
    ),
  })
  .transform(
    (entry): EnaDriverInventory => ({
      driverPresent: entry.DriverPresent,
      driverLoaded: entry.DriverLoaded,
      interfaceDriver: entry.InterfaceDriver,
      interfaceName: entry.InterfaceName,
      driverVersion: entry.DriverVersion,
      driverVersionSource: entry.DriverVersionSource,
      driverBuild: entry.DriverBuild,
      kernelRelease: entry.KernelRelease,
      osFamily: entry.OsFamily,
      osId: entry.OsId,
      osIdLike: entry.OsIdLike,
      osVersion: entry.OsVersion,
      osName: entry.OsName,
      collectedAt: entry.CollectedAt,
      collectorVersion: entry.CollectorVersion,
      errors: entry.Errors,
    }),
  );

/**
 * Parses one inventory entry, turning every problem into one message that names the fields, e.g.
 * `Custom:EnaDriver entry is invalid: DriverPresent is missing (expected "true" or "false"); OsFamily must be "linux" or "windows"`.
 */
export function parseEnaDriverInventoryEntry(entry: unknown): InventoryParseResult {
  const result = enaDriverInventoryEntrySchema.safeParse(entry);
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    return field.length > 0 ? `${field} ${issue.message}` : issue.message;
  });
  return { ok: false, message: `${ENA_DRIVER_INVENTORY_TYPE} entry is invalid: ${problems.join('; ')}` };
}

/**
 * Reads the `Entries` of a `ListInventoryEntries` answer for `Custom:EnaDriver`: no entry means
 * the instance has not reported (value `undefined`); the collector writes one entry, so the first
 * one is used.
 */
export function parseEnaDriverInventoryEntries(
  entries: readonly Readonly<Record<string, string>>[] | undefined,
): { readonly ok: true; readonly value: EnaDriverInventory | undefined } | { readonly ok: false; readonly message: string } {
  const first = entries?.[0];
  if (first === undefined) return { ok: true, value: undefined };
  return parseEnaDriverInventoryEntry(first);
}
