import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assessDriver, parseKernelMinimums, type DriverPolicy } from '../../rules/driver-policy.js';
import { parseOsVersion } from '../../rules/driver-version.js';
import { parseEnaDriverInventoryEntry } from '../../rules/inventory.js';
import { runAssessment } from './assess-harness.js';

type Plan = 'current' | 'update' | 'no-minimum' | 'unknown';

/** The plan the TypeScript policy gives an item: what the script must print. */
function expectedPlan(item: Record<string, string>, policy: DriverPolicy): Plan {
  const parsed = parseEnaDriverInventoryEntry(item);
  if (!parsed.ok) throw new Error(parsed.message);
  // The rule says DRIVER_MISSING before it assesses anything.
  if (!parsed.value.driverPresent) return 'update';
  const assessment = assessDriver(parsed.value, policy);
  switch (assessment.kind) {
    case 'driver':
      return assessment.status === 'current' ? 'current' : 'update';
    case 'kernel':
      return assessment.status === 'current' ? 'current' : 'update';
    case 'unknown':
      return assessment.cause === 'no-published-minimum' ? 'no-minimum' : 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------
// Generators: well-formed values as real guests print them (no leading zeros, components < 10^6)
// ---------------------------------------------------------------------------------------------

/** A number near a real one: the real value itself, a neighbour, a value of the same size, or any. */
function near(real: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(real) },
    { weight: 3, arbitrary: fc.integer({ min: Math.max(0, real - 2), max: real + 2 }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: real * 2 + 2 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 999_999 }) },
  );
}

/** `n.n.n…` from real numbers, each varied. */
function numbers(...reals: number[]): fc.Arbitrary<number[]> {
  return fc.tuple(...reals.map(near));
}

/** Kernel releases shaped like the real ones of each family, with their numbers varied. */
const kernelRelease: fc.Arbitrary<string> = fc.oneof(
  numbers(4, 14, 186, 146, 268).map(([a, b, c, d, e]) => `${a}.${b}.${c}-${d}.${e}.amzn2.x86_64`),
  numbers(6, 1, 61, 85, 141).map(([a, b, c, d, e]) => `${a}.${b}.${c}-${d}.${e}.amzn2023.x86_64`),
  numbers(5, 4, 0, 1025).map(([a, b, c, d]) => `${a}.${b}.${c}-${d}-aws`),
  numbers(5, 15, 0, 91).map(([a, b, c, d]) => `${a}.${b}.${c}-${d}-generic`),
  numbers(4, 18, 0, 240, 1, 1, 3).map(([a, b, c, d, e, f, g]) => `${a}.${b}.${c}-${d}.${e}.${f}.el8_${g}.x86_64`),
  numbers(5, 14, 0, 70, 13, 1, 0).map(([a, b, c, d, e, f, g]) => `${a}.${b}.${c}-${d}.${e}.${f}.el9_${g}.x86_64`),
  numbers(5, 15, 0, 200, 131, 27).map(([a, b, c, d, e, f]) => `${a}.${b}.${c}-${d}.${e}.${f}.el9uek.x86_64`),
  numbers(4, 12, 14, 150000, 150, 92, 2).map(([a, b, c, d, e, f, g]) => `${a}.${b}.${c}-${d}.${e}.${f}.${g}-default`),
  numbers(6, 1, 0, 13).map(([a, b, c, d]) => `${a}.${b}.${c}-${d}-cloud-amd64`),
);

/** Kernel minimums as a team would write them in kernelMinimums: a full release or a shorter one. */
const minimumKernel: fc.Arbitrary<string> = fc.oneof(
  kernelRelease,
  numbers(5, 14, 0, 80).map(([a, b, c, d]) => `${a}.${b}.${c}-${d}`),
  numbers(4, 18, 0, 240, 1, 1, 3).map(([a, b, c, d, e, f, g]) => `${a}.${b}.${c}-${d}.${e}.${f}.el8_${g}`),
  numbers(4, 14, 186).map(([a, b, c]) => `${a}.${b}.${c}`),
);

interface Distribution {
  readonly id: string;
  readonly versions: readonly string[];
  readonly idLike: readonly string[];
  readonly name: string;
}

const DISTRIBUTIONS: readonly Distribution[] = [
  { id: 'amzn', versions: ['2', '2023'], idLike: ['centos rhel fedora', 'fedora'], name: 'Amazon Linux' },
  { id: 'rhel', versions: ['7.9', '8.2', '8.3', '8.6', '9.0', '9.2'], idLike: ['fedora'], name: 'Red Hat Enterprise Linux' },
  { id: 'ubuntu', versions: ['18.04', '20.04', '22.04', '24.04'], idLike: ['debian'], name: 'Ubuntu' },
  { id: 'sles', versions: ['12.4', '12.5', '15', '15.1', '15.2', '15.3', '15.5'], idLike: ['suse'], name: 'SUSE Linux Enterprise Server' },
  { id: 'rocky', versions: ['8.4', '8.9', '9.0', '9.3'], idLike: ['rhel centos fedora'], name: 'Rocky Linux' },
  { id: 'almalinux', versions: ['8.2', '8.9', '9.1'], idLike: ['rhel centos fedora'], name: 'AlmaLinux' },
  { id: 'centos', versions: ['7', '8', '9'], idLike: ['rhel fedora'], name: 'CentOS Stream' },
  { id: 'ol', versions: ['7.9', '8.8', '9.2'], idLike: ['fedora'], name: 'Oracle Linux Server' },
  { id: 'debian', versions: ['11', '12'], idLike: [''], name: 'Debian GNU/Linux' },
  { id: 'fedora', versions: ['38', '39'], idLike: [''], name: 'Fedora Linux' },
  { id: 'navy', versions: ['8.2', '9.1'], idLike: ['rhel fedora', 'fedora'], name: 'Navy Linux' },
];
const OS_IDS = DISTRIBUTIONS.map((distribution) => distribution.id);

/** An os-release VERSION_ID: a real one, or one of the same shape with other numbers. */
function osVersion(distribution: Distribution): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...distribution.versions) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 30 }), fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined })).map(([major, minor]) => (minor === undefined ? `${major}` : `${major}.${minor}`)) },
  );
}

const os = fc.constantFrom(...DISTRIBUTIONS).chain((distribution) =>
  fc.record({ id: fc.constant(distribution.id), version: osVersion(distribution), idLike: fc.constantFrom(...distribution.idLike), name: fc.constant(distribution.name) }),
);

/** `X.Y.Z` near real ENA releases. */
const driverNumbers = fc.oneof(
  fc.constantFrom('2.2.10', '2.2.11', '2.4.1', '2.6.0', '2.6.1', '2.8.0', '2.8.1', '2.8.3', '2.8.4', '2.9.0', '2.10.0', '2.16.1', '2.17.0', '2.1.0', '1.5.0'),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 12 })).map((parts) => parts.join('.')),
  fc.tuple(near(2), near(10), near(0)).map((parts) => parts.join('.')),
);

/** What the collector reports about the driver: version and build, for a given kernel. */
function driver(kernel: string): fc.Arbitrary<{ version: string; build: string; source: string }> {
  return fc.oneof(
    // amzn-drivers build (g suffix or none); older collectors left DriverBuild unknown.
    fc.record({ version: fc.tuple(driverNumbers, fc.constantFrom('g', '')).map(([n, s]) => n + s), build: fc.constantFrom('out-of-tree', 'unknown'), source: fc.constant('modinfo') }),
    // The old in-kernel copy (K, or k as some kernels print it); older collectors called it out-of-tree.
    fc.record({ version: fc.tuple(driverNumbers, fc.constantFrom('K', 'k')).map(([n, s]) => n + s), build: fc.constantFrom('in-tree', 'out-of-tree'), source: fc.constant('modinfo') }),
    // The upstream in-tree driver: ethtool reports the kernel release.
    fc.record({ version: fc.constant(kernel), build: fc.constantFrom('in-tree', 'unknown'), source: fc.constant('ethtool') }),
  );
}

const item = fc
  .record({ present: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), kernel: kernelRelease, os, loaded: fc.boolean(), interfaceDriver: fc.constantFrom('ena', 'ena', 'vif') })
  .chain((base) => driver(base.kernel).map((reported) => ({ ...base, reported })))
  .map(({ present, kernel, os: distribution, loaded, interfaceDriver, reported }): Record<string, string> => ({
    DriverPresent: String(present),
    DriverLoaded: String(present && loaded),
    InterfaceDriver: present ? interfaceDriver : 'vif',
    InterfaceName: 'eth0',
    DriverVersion: present ? reported.version : '',
    DriverVersionSource: present ? reported.source : 'none',
    DriverBuild: present ? reported.build : 'unknown',
    KernelRelease: kernel,
    OsFamily: 'linux',
    OsId: distribution.id,
    OsIdLike: distribution.idLike,
    OsVersion: distribution.version,
    OsName: `${distribution.name} ${distribution.version}`,
    CollectedAt: '2024-06-01T12:00:00Z',
    CollectorVersion: '1',
    Errors: '',
  }));

/** One kernelMinimums entry `id[:version]=kernel`, with its row key for uniqueness. */
const kernelMinimumEntry = fc
  .record({
    id: fc.constantFrom(...OS_IDS),
    version: fc.option(
      fc.oneof(
        fc.constantFrom(...DISTRIBUTIONS.flatMap((distribution) => distribution.versions)),
        fc.tuple(fc.integer({ min: 1, max: 30 }), fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined })).map(([major, minor]) => (minor === undefined ? `${major}` : `${major}.${minor}`)),
      ),
      { nil: undefined },
    ),
    kernel: minimumKernel,
  })
  .map(({ id, version, kernel }) => ({
    text: `${id}${version === undefined ? '' : `:${version}`}=${kernel}`,
    key: `${id}:${version === undefined ? '*' : (parseOsVersion(version) ?? []).join('.').replace(/(\.0)+$/, '')}`,
  }));

const policy = fc.record({
  linuxMinimum: fc.oneof(
    fc.constantFrom('2.10.0', '2.2.10', '2.8.4', '2.9.0', '2.13.0', '2.17.0', '2.4.1', '1.5.0', '2.6.0'),
    fc.tuple(driverNumbers, fc.constantFrom('', 'g')).map(([n, s]) => n + s),
  ),
  requireSecurityFixes: fc.boolean(),
  overrides: fc.uniqueArray(kernelMinimumEntry, { maxLength: 3, selector: (entry) => entry.key }).chain((entries) =>
    fc.constantFrom(',', ', ').map((separator) => entries.map((entry) => entry.text).join(separator)),
  ),
});

describe('the EnaGuard-AssessEnaDriverLinux script against rules/driver-policy.ts', () => {
  it('prints the plan assessDriver gives, for generated policies and items', { timeout: 180_000 }, () => {
    fc.assert(
      fc.property(policy, item, (generated, content) => {
        // Prepare
        const overrides = parseKernelMinimums(generated.overrides);
        if (!overrides.ok) throw new Error(overrides.message);
        const driverPolicy: DriverPolicy = {
          linuxMinimumDriverVersion: generated.linuxMinimum,
          windowsMinimumDriverVersion: '2.10.0',
          requireSecurityFixes: generated.requireSecurityFixes,
          kernelMinimums: overrides.value,
        };
        const expected = expectedPlan(content, driverPolicy);

        // Act
        const run = runAssessment({
          item: content,
          parameters: {
            LinuxMinimumDriverVersion: generated.linuxMinimum,
            RequireSecurityFixes: String(generated.requireSecurityFixes),
            KernelMinimums: generated.overrides,
            CheckKernelUpdate: 'false',
          },
        });

        // Assess
        expect(run.plan, run.stdout).toBe(expected);
        expect(run.bound).toBe(content.DriverLoaded === 'true' && content.InterfaceDriver === 'ena');
      }),
      { numRuns: 100 },
    );
  });
});
