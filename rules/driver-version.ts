/**
 * ENA driver versions and Linux kernel releases: parsing and numeric comparison.
 *
 * Versions are never compared as strings ("2.10.0" is newer than "2.9.0"). Both parsers accept
 * any string and return `undefined` for text they cannot read; nothing here throws.
 *
 * - Driver versions: `2.8.1g` (amzn-drivers out-of-tree build), `1.5.0K` (old in-kernel copy),
 *   `2.2.10`, Windows `2.4.0` / `2.4.0.0`. Letter suffixes are ignored and trailing zero
 *   components do not count (2.4.0 == 2.4.0.0).
 * - Kernel releases (`uname -r`): `4.14.186-146.268.amzn2.x86_64`, `5.4.0-1025-aws`,
 *   `4.18.0-240.1.1.el8_3.x86_64`, `4.12.14-95.99.3-default`, `4.12.14-150000.150.92.2`. Compared
 *   on the upstream version first, then on the distribution's numeric release components;
 *   distribution, arch and flavour tags (`.amzn2`, `.el8_3`, `.x86_64`, `-aws`, `-default`) stop
 *   the numeric part and are ignored.
 */

/** -1: left is older, 0: same, 1: left is newer. */
export type Ordering = -1 | 0 | 1;

/** A parsed ENA driver version. */
export interface DriverVersion {
  /** The text as reported, trimmed. */
  readonly text: string;
  /** Numeric components, e.g. [2, 8, 1] for `2.8.1g`. */
  readonly components: readonly number[];
  /** The letter suffix as reported (`g`, `K`, or ""); never affects ordering. */
  readonly suffix: string;
}

/** A parsed Linux kernel release. */
export interface KernelRelease {
  /** The text as reported, trimmed. */
  readonly text: string;
  /** Upstream kernel version, e.g. [4, 14, 186]. */
  readonly upstream: readonly number[];
  /** The distribution's numeric release components, e.g. [146, 268]; empty when there are none. */
  readonly distributionRelease: readonly number[];
}

/** Longest accepted input: real versions are short; this bounds the work done on hostile text. */
const MAX_VERSION_TEXT_LENGTH = 128;
/** Components longer than this are not versions (and would lose precision as numbers). */
const MAX_COMPONENT_DIGITS = 15;

const DRIVER_VERSION_PATTERN = /^v?(\d+(?:\.\d+){0,7})(?:[-_]?([A-Za-z]{1,8}))?$/;
const KERNEL_UPSTREAM_PATTERN = /^(\d+(?:\.\d+){1,3})(.*)$/s;

function toComponents(dotted: string): number[] | undefined {
  const parts = dotted.split('.');
  if (parts.some((part) => part.length === 0 || part.length > MAX_COMPONENT_DIGITS || !/^\d+$/.test(part))) {
    return undefined;
  }
  return parts.map(Number);
}

/**
 * Compares two lists of numbers component by component; a missing component counts as 0, so
 * trailing zeros never make a difference.
 */
export function compareComponents(left: readonly number[], right: readonly number[]): Ordering {
  const length = Math.max(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const a = left[index] ?? 0;
    const b = right[index] ?? 0;
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

/** Parses a driver version such as `2.8.1g`, `1.5.0K`, `2.2.10` or `2.4.0.0`; `undefined` if it is not one. */
export function parseDriverVersion(text: string): DriverVersion | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_VERSION_TEXT_LENGTH) return undefined;
  const match = DRIVER_VERSION_PATTERN.exec(trimmed);
  if (!match?.[1]) return undefined;
  const components = toComponents(match[1]);
  if (!components) return undefined;
  return { text: trimmed, components, suffix: match[2] ?? '' };
}

/** Orders two parsed driver versions numerically (suffixes and trailing zeros ignored). */
export function compareDriverVersions(left: DriverVersion, right: DriverVersion): Ordering {
  return compareComponents(left.components, right.components);
}

/**
 * Orders two driver version strings, or says `unparseable` when either is not a version.
 * Never throws.
 */
export function compareDriverVersionText(left: string, right: string): Ordering | 'unparseable' {
  const a = parseDriverVersion(left);
  const b = parseDriverVersion(right);
  if (!a || !b) return 'unparseable';
  return compareDriverVersions(a, b);
}

/** Numeric components at the start of a distribution release, up to the first non-numeric tag. */
function leadingNumericComponents(release: string): number[] | undefined {
  const components: number[] = [];
  for (const part of release.split(/[.\-_+~]/)) {
    if (!/^\d+$/.test(part)) break;
    if (part.length > MAX_COMPONENT_DIGITS) return undefined;
    components.push(Number(part));
  }
  return components;
}

/**
 * Parses a kernel release as `uname -r` prints it (or a minimum written the same way, such as
 * `4.14.186`); `undefined` if it does not start with an upstream version `X.Y[.Z]`.
 */
export function parseKernelRelease(text: string): KernelRelease | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_VERSION_TEXT_LENGTH) return undefined;
  const match = KERNEL_UPSTREAM_PATTERN.exec(trimmed);
  if (!match?.[1]) return undefined;
  const upstream = toComponents(match[1]);
  if (!upstream) return undefined;
  const rest = match[2] ?? '';
  if (rest.length > 0 && !/^[-.+_~]/.test(rest)) return undefined;
  // Only a "-" starts the distribution's release; ".amzn2" or "+" right after upstream is a tag.
  const distributionRelease = rest.startsWith('-') ? leadingNumericComponents(rest.slice(1)) : [];
  if (!distributionRelease) return undefined;
  return { text: trimmed, upstream, distributionRelease };
}

/** Orders two kernel releases: upstream version first, then the distribution's release numbers. */
export function compareKernelReleases(left: KernelRelease, right: KernelRelease): Ordering {
  const upstream = compareComponents(left.upstream, right.upstream);
  if (upstream !== 0) return upstream;
  return compareComponents(left.distributionRelease, right.distributionRelease);
}

/** Orders two kernel release strings, or says `unparseable` when either is not one. Never throws. */
export function compareKernelReleaseText(left: string, right: string): Ordering | 'unparseable' {
  const a = parseKernelRelease(left);
  const b = parseKernelRelease(right);
  if (!a || !b) return 'unparseable';
  return compareKernelReleases(a, b);
}

/** Parses a dotted numeric OS version such as `20.04`, `8.3`, `15` or `10.0.20348`. */
export function parseOsVersion(text: string): readonly number[] | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_VERSION_TEXT_LENGTH) return undefined;
  return toComponents(trimmed);
}
