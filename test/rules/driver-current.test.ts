import { describe, expect, it } from 'vitest';
import { instanceFacts } from '../support/instances.js';
import { inTreeInventory, linuxInventory, windowsInventory } from '../support/inventory.js';
import {
  driverCurrentParameters,
  evaluateDriverCurrent,
  needsDriverInventory,
  type DriverCurrentFacts,
  type DriverCurrentParameters,
  type DriverCurrentReason,
} from '../../rules/driver-current.js';
import { parseRuleParameters } from '../../rules/parameters.js';
import { MAX_ANNOTATION_LENGTH, type ComplianceType, type Verdict } from '../../rules/verdict.js';

function parameters(raw: Record<string, string> = {}): DriverCurrentParameters {
  const parsed = parseRuleParameters(driverCurrentParameters, raw);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

function facts(overrides: Partial<DriverCurrentFacts> = {}): DriverCurrentFacts {
  return { instance: instanceFacts(), enaCapability: 'required', managed: true, inventory: linuxInventory(), ...overrides };
}

interface Row {
  readonly situation: string;
  readonly facts: DriverCurrentFacts;
  readonly parameters?: Record<string, string>;
  readonly compliance: ComplianceType | 'not-judged';
  readonly reasons: readonly DriverCurrentReason[];
  /** Text the annotation (or the not-judged detail) must contain. */
  readonly says: string;
}

const WINDOWS_2012_R2 = ['Microsoft Windows Server 2012 R2 Datacenter', '6.3.9600'] as const;
const WINDOWS_2022 = ['Microsoft Windows Server 2022 Datacenter', '10.0.20348'] as const;

const rows: readonly Row[] = [
  {
    situation: 'an out-of-tree driver above the Linux minimum',
    facts: facts(),
    compliance: 'COMPLIANT',
    reasons: ['DRIVER_CURRENT'],
    says: 'ENA driver 2.17.0g >= 2.10.0 (Linux, out-of-tree)',
  },
  {
    situation: 'an out-of-tree driver exactly at the minimum with a g suffix',
    facts: facts({ inventory: linuxInventory({ driverVersion: '2.10.0g' }) }),
    compliance: 'COMPLIANT',
    reasons: ['DRIVER_CURRENT'],
    says: '2.10.0g >= 2.10.0',
  },
  {
    situation: 'an out-of-tree driver between the old 2.2.10 default and 2.10.0 (the admin-timeout crash fix)',
    facts: facts({ inventory: linuxInventory({ driverVersion: '2.9.0g' }) }),
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_OUTDATED'],
    says: 'ENA driver 2.9.0g < 2.10.0 (Linux, out-of-tree)',
  },
  {
    situation: 'a release with the RSS hash bug, above a lowered minimum (known-bad)',
    facts: facts({ inventory: linuxInventory({ driverVersion: '2.4.1g' }) }),
    parameters: { linuxMinimumDriverVersion: '2.2.10' },
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_KNOWN_BAD'],
    says: 'ENA driver 2.4.1g has a published defect (RSS hash bug, 2.2.11-2.6.0)',
  },
  {
    situation: 'the last release of the PPS regression, above a lowered minimum (known-bad)',
    facts: facts({ inventory: linuxInventory({ driverVersion: '2.8.3g' }) }),
    parameters: { linuxMinimumDriverVersion: '2.2.10' },
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_KNOWN_BAD'],
    says: '(PPS regression, reverted in 2.8.4, 2.8.1-2.8.3)',
  },
  {
    situation: 'the release that reverted the PPS regression, with a lowered minimum',
    facts: facts({ inventory: linuxInventory({ driverVersion: '2.8.4g' }) }),
    parameters: { linuxMinimumDriverVersion: '2.2.10' },
    compliance: 'COMPLIANT',
    reasons: ['DRIVER_CURRENT'],
    says: 'ENA driver 2.8.4g >= 2.2.10',
  },
  {
    situation: 'a driver past the default but before the security fix, with requireSecurityFixes',
    facts: facts({ inventory: linuxInventory({ driverVersion: '2.16.1g' }) }),
    parameters: { requireSecurityFixes: 'true' },
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_OUTDATED'],
    says: 'ENA driver 2.16.1g < 2.17.0 (Linux, out-of-tree, security-fix floor)',
  },
  {
    situation: 'a stricter minimum than the security floor wins over it',
    facts: facts({ inventory: linuxInventory({ driverVersion: '2.17.0g' }) }),
    parameters: { requireSecurityFixes: 'true', linuxMinimumDriverVersion: '2.18.0' },
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_OUTDATED'],
    says: 'ENA driver 2.17.0g < 2.18.0 (Linux, out-of-tree)',
  },
  {
    situation: 'an out-of-tree driver below the Linux minimum',
    facts: facts({ inventory: linuxInventory({ driverVersion: '2.1.3g' }) }),
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_OUTDATED'],
    says: 'ENA driver 2.1.3g < 2.10.0 (Linux, out-of-tree); run EnaGuard-UpdateEnaDriver',
  },
  {
    situation: 'an old in-kernel 1.5.0K driver on a sufficient Amazon Linux 2 kernel (judged by the kernel)',
    facts: facts({ inventory: linuxInventory({ driverVersion: '1.5.0K' }) }),
    compliance: 'COMPLIANT',
    reasons: ['KERNEL_CURRENT'],
    says: 'kernel 4.14.186-146.268.amzn2.x86_64 (in-kernel ENA driver 1.5.0K, judged by its kernel) >= 4.14.186 for amzn (all versions)',
  },
  {
    situation: 'the in-kernel 2.1.0K driver on Ubuntu 20.04 running exactly the kernel the policy names',
    facts: facts({ inventory: linuxInventory({ driverVersion: '2.1.0K', kernelRelease: '5.4.0-1025-aws', osId: 'ubuntu', osVersion: '20.04' }) }),
    compliance: 'COMPLIANT',
    reasons: ['KERNEL_CURRENT'],
    says: '(in-kernel ENA driver 2.1.0K, judged by its kernel) >= 5.4.0-1025-aws for ubuntu 20.04',
  },
  {
    situation: 'an out-of-tree driver below a stricter linuxMinimumDriverVersion',
    facts: facts(),
    parameters: { linuxMinimumDriverVersion: '2.18.0' },
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_OUTDATED'],
    says: '2.17.0g < 2.18.0',
  },
  {
    situation: 'the in-tree driver on Amazon Linux 2023 (6.x kernel)',
    facts: facts({ inventory: inTreeInventory('6.1.61-85.141.amzn2023.x86_64', 'amzn', '2023') }),
    compliance: 'COMPLIANT',
    reasons: ['KERNEL_CURRENT'],
    says: 'kernel 6.1.61-85.141.amzn2023.x86_64 (in-tree ENA driver) >= 4.14.186 for amzn 2023',
  },
  {
    situation: 'the in-tree driver on an Ubuntu 20.04 kernel below 5.4.0-1025-aws',
    facts: facts({ inventory: inTreeInventory('5.4.0-1024-aws', 'ubuntu', '20.04') }),
    compliance: 'NON_COMPLIANT',
    reasons: ['KERNEL_OUTDATED'],
    says: 'kernel 5.4.0-1024-aws (in-tree ENA driver) < 5.4.0-1025-aws for ubuntu 20.04; update the kernel and reboot',
  },
  {
    situation: 'the in-tree driver on Rocky Linux, a RHEL rebuild judged by the RHEL rows',
    facts: facts({ inventory: inTreeInventory('5.14.0-70.13.1.el9_0.x86_64', 'rocky', '9.0') }),
    compliance: 'COMPLIANT',
    reasons: ['KERNEL_CURRENT'],
    says: '>= 4.18.0-240.1.1.el8_3 for rhel 8.3 (rocky judged as rhel)',
  },
  {
    situation: 'the in-tree driver on AlmaLinux 8.2 below the RHEL 8.3 minimum',
    facts: facts({ inventory: inTreeInventory('4.18.0-193.28.1.el8_2.x86_64', 'almalinux', '8.2') }),
    compliance: 'NON_COMPLIANT',
    reasons: ['KERNEL_OUTDATED'],
    says: '< 4.18.0-240.1.1.el8_3 for rhel 8.3 (almalinux judged as rhel); update the kernel and reboot',
  },
  {
    situation: 'the in-tree driver on Debian, for which no minimum is published (default: not judged)',
    facts: facts({ inventory: inTreeInventory('6.1.0-13-cloud-amd64', 'debian', '12') }),
    compliance: 'NOT_APPLICABLE',
    reasons: ['NO_PUBLISHED_MINIMUM'],
    says: 'Not judged, no published minimum kernel: no kernel minimum for distribution "debian"; add your own to kernelMinimums (e.g. debian:12=kernel)',
  },
  {
    situation: 'the in-tree driver on Debian with distributionWithoutMinimum NON_COMPLIANT',
    facts: facts({ inventory: inTreeInventory('6.1.0-13-cloud-amd64', 'debian', '12') }),
    parameters: { distributionWithoutMinimum: 'NON_COMPLIANT' },
    compliance: 'NON_COMPLIANT',
    reasons: ['NO_PUBLISHED_MINIMUM'],
    says: 'No published minimum kernel: no kernel minimum for distribution "debian"',
  },
  {
    situation: 'an Ubuntu -generic kernel, where only the -aws flavour has a published minimum',
    facts: facts({ inventory: inTreeInventory('5.15.0-91-generic', 'ubuntu', '22.04') }),
    compliance: 'NOT_APPLICABLE',
    reasons: ['NO_PUBLISHED_MINIMUM'],
    says: 'no published minimum for the generic kernel',
  },
  {
    situation: 'SLES 15 SP2 at exactly its published kernel 5.3.18-24.15.1 (with the -default flavour uname prints)',
    facts: facts({ inventory: inTreeInventory('5.3.18-24.15.1-default', 'sles', '15.2') }),
    compliance: 'COMPLIANT',
    reasons: ['KERNEL_CURRENT'],
    says: '>= 5.3.18-24.15.1 for sles 15.2',
  },
  {
    situation: 'SLES 12 SP5 below its own row, although above the SP4 row',
    facts: facts({ inventory: inTreeInventory('4.12.14-122.37.1-default', 'sles', '12.5') }),
    compliance: 'NON_COMPLIANT',
    reasons: ['KERNEL_OUTDATED'],
    says: '< 4.12.14-122.116.1 for sles 12.5',
  },
  {
    situation: 'CentOS Stream 9 (ID_LIKE="rhel fedora"), a rebuild judged by the RHEL rows',
    facts: facts({ inventory: { ...inTreeInventory('5.14.0-362.8.1.el9.x86_64', 'centos', '9'), osIdLike: ['rhel', 'fedora'] } }),
    compliance: 'COMPLIANT',
    reasons: ['KERNEL_CURRENT'],
    says: '(centos judged as rhel)',
  },
  {
    situation: 'Oracle Linux on RHEL\'s own kernel (RHCK), judged by the RHEL rows',
    facts: facts({ inventory: inTreeInventory('4.18.0-513.5.1.el8_9.x86_64', 'ol', '8.9') }),
    compliance: 'COMPLIANT',
    reasons: ['KERNEL_CURRENT'],
    says: '(ol judged as rhel)',
  },
  {
    situation: 'an unlisted RHEL rebuild named only through ID_LIKE',
    facts: facts({ inventory: { ...inTreeInventory('4.18.0-193.el8.x86_64', 'navy', '8.2'), osIdLike: ['rhel', 'fedora'] } }),
    compliance: 'NON_COMPLIANT',
    reasons: ['KERNEL_OUTDATED'],
    says: '(navy judged as rhel)',
  },
  {
    situation: 'Fedora, for which no minimum is published',
    facts: facts({ inventory: inTreeInventory('6.5.6-300.fc39.x86_64', 'fedora', '39') }),
    compliance: 'NOT_APPLICABLE',
    reasons: ['NO_PUBLISHED_MINIMUM'],
    says: 'no kernel minimum for distribution "fedora"',
  },
  {
    situation: 'Amazon Linux 2023 on the amzn-drivers build it ships (2.13.2g), judged by the driver version',
    facts: facts({ inventory: linuxInventory({ driverVersion: '2.13.2g', kernelRelease: '6.1.112-124.190.amzn2023.x86_64', osVersion: '2023' }) }),
    compliance: 'COMPLIANT',
    reasons: ['DRIVER_CURRENT'],
    says: 'ENA driver 2.13.2g >= 2.10.0 (Linux, out-of-tree)',
  },
  {
    situation: 'Oracle Linux on UEK, which is not RHEL\'s kernel',
    facts: facts({ inventory: inTreeInventory('5.15.0-200.131.27.el9uek.x86_64', 'ol', '9.3') }),
    compliance: 'NOT_APPLICABLE',
    reasons: ['NO_PUBLISHED_MINIMUM'],
    says: 'no published minimum for the uek kernel',
  },
  {
    situation: 'the in-tree driver on a distribution added with kernelMinimums',
    facts: facts({ inventory: inTreeInventory('5.14.0-70.13.1.el9_0.x86_64', 'rocky', '9.0') }),
    parameters: { kernelMinimums: 'rocky:9=5.14.0-70.13.1.el9_0' },
    compliance: 'COMPLIANT',
    reasons: ['KERNEL_CURRENT'],
    says: '>= 5.14.0-70.13.1.el9_0 for rocky 9',
  },
  {
    situation: 'an ENA module present while the interface uses vif (ENA not in use)',
    facts: facts({ inventory: linuxInventory({ interfaceDriver: 'vif', driverLoaded: false, driverVersion: '2.12.0g' }) }),
    compliance: 'COMPLIANT',
    reasons: ['DRIVER_CURRENT', 'ENA_NOT_IN_USE'],
    says: 'ENA not in use: eth0 uses vif',
  },
  {
    situation: 'an outdated ENA module while the interface uses vif',
    facts: facts({ inventory: linuxInventory({ interfaceDriver: 'vif', driverLoaded: false, driverVersion: '2.0.2g' }) }),
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_OUTDATED', 'ENA_NOT_IN_USE'],
    says: '2.0.2g < 2.10.0',
  },
  {
    situation: 'Windows Server 2022 with 2.10.0.0',
    facts: facts({ instance: instanceFacts({ platform: 'windows' }), inventory: windowsInventory('2.10.0.0', ...WINDOWS_2022) }),
    compliance: 'COMPLIANT',
    reasons: ['DRIVER_CURRENT'],
    says: 'ENA driver 2.10.0.0 >= 2.10.0 (Windows)',
  },
  {
    situation: 'Windows Server 2019 with 2.7.0, before the 2.8.0 memory-corruption fix',
    facts: facts({ instance: instanceFacts({ platform: 'windows' }), inventory: windowsInventory('2.7.0', 'Microsoft Windows Server 2019 Datacenter', '10.0.17763') }),
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_OUTDATED'],
    says: 'ENA driver 2.7.0 < 2.10.0 (Windows)',
  },
  {
    situation: 'Windows Server 2016 with a four-part 2.9.0.0, before the 2.10.0 reboot fix',
    facts: facts({ instance: instanceFacts({ platform: 'windows' }), inventory: windowsInventory('2.9.0.0', 'Microsoft Windows Server 2016 Datacenter', '10.0.14393') }),
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_OUTDATED'],
    says: 'ENA driver 2.9.0.0 < 2.10.0 (Windows)',
  },
  {
    situation: 'Windows Server 2022 with a driver older than 2022 needs, although the policy asks less',
    facts: facts({ instance: instanceFacts({ platform: 'windows' }), inventory: windowsInventory('2.2.3', ...WINDOWS_2022) }),
    parameters: { windowsMinimumDriverVersion: '2.2.0' },
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_OUTDATED'],
    says: '2.2.3 < 2.4.0 (Windows, Server 2022 needs it)',
  },
  {
    situation: 'Windows Server 2012 R2 with 2.6.0 when the policy says 2.8.0 (capped)',
    facts: facts({ instance: instanceFacts({ platform: 'windows' }), inventory: windowsInventory('2.6.0', ...WINDOWS_2012_R2) }),
    parameters: { windowsMinimumDriverVersion: '2.8.0' },
    compliance: 'COMPLIANT',
    reasons: ['DRIVER_CURRENT', 'MINIMUM_CAPPED_BY_OS'],
    says: 'ENA driver 2.6.0 >= 2.6.0 (Windows, capped for Server 2012 R2)',
  },
  {
    situation: 'Windows Server 2012 R2 with 2.2.3 below its capped minimum',
    facts: facts({ instance: instanceFacts({ platform: 'windows' }), inventory: windowsInventory('2.2.3', ...WINDOWS_2012_R2) }),
    parameters: { windowsMinimumDriverVersion: '2.8.0' },
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_OUTDATED', 'MINIMUM_CAPPED_BY_OS'],
    says: '2.2.3 < 2.6.0 (Windows, capped for Server 2012 R2)',
  },
  {
    situation: 'Windows with the rolled-back 2.5.0 (it fails on domain controllers)',
    facts: facts({ instance: instanceFacts({ platform: 'windows' }), inventory: windowsInventory('2.5.0', ...WINDOWS_2012_R2) }),
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_ROLLED_BACK', 'MINIMUM_CAPPED_BY_OS'],
    says: 'ENA driver 2.5.0 was rolled back by AWS',
  },
  {
    situation: 'Windows with the rolled-back 2.2.4.0 even below the policy minimum',
    facts: facts({ instance: instanceFacts({ platform: 'windows' }), inventory: windowsInventory('2.2.4.0', 'Microsoft Windows Server 2008 R2 Datacenter', '6.1.7601') }),
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_ROLLED_BACK', 'MINIMUM_CAPPED_BY_OS'],
    says: 'rolled back',
  },
  {
    situation: 'no ENA driver in the guest of an ENA-capable type',
    facts: facts({ inventory: linuxInventory({ driverPresent: false, driverLoaded: false, driverVersion: undefined, interfaceDriver: 'vif' }) }),
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_MISSING'],
    says: 'install the driver before enabling ENA',
  },
  {
    situation: 'no inventory entry',
    facts: facts({ inventory: undefined }),
    compliance: 'NON_COMPLIANT',
    reasons: ['NO_INVENTORY'],
    says: 'ENA driver unknown: no Custom:EnaDriver inventory; apply the EnaGuard-CollectEnaDriverInventory association',
  },
  {
    situation: 'no inventory entry with unknownDriver NOT_APPLICABLE',
    facts: facts({ inventory: undefined }),
    parameters: { unknownDriver: 'NOT_APPLICABLE' },
    compliance: 'NOT_APPLICABLE',
    reasons: ['NO_INVENTORY'],
    says: 'ENA driver not judged: no Custom:EnaDriver inventory',
  },
  {
    situation: 'an instance not managed by Systems Manager',
    facts: facts({ managed: false, inventory: undefined }),
    compliance: 'NON_COMPLIANT',
    reasons: ['NOT_MANAGED'],
    says: 'not managed by Systems Manager; install and register SSM Agent',
  },
  {
    situation: 'an out-of-tree driver whose version could not be read',
    facts: facts({ inventory: linuxInventory({ driverVersion: undefined, driverVersionSource: 'none' }) }),
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_VERSION_UNKNOWN'],
    says: 'no ENA driver version was reported; run EnaGuard-CollectEnaDriverInventory again',
  },
  {
    situation: 'a driver version that is not a version, with unknownDriver NOT_APPLICABLE',
    facts: facts({ inventory: linuxInventory({ driverVersion: 'x'.repeat(300) }) }),
    parameters: { unknownDriver: 'NOT_APPLICABLE' },
    compliance: 'NOT_APPLICABLE',
    reasons: ['DRIVER_VERSION_UNKNOWN'],
    says: 'is not a version',
  },
  {
    situation: 'an exempt instance',
    facts: facts({ instance: instanceFacts({ tags: { 'ena-guard:exempt': 'appliance vendor ships its own driver' } }), inventory: linuxInventory({ driverVersion: '1.0.0' }) }),
    compliance: 'NOT_APPLICABLE',
    reasons: ['EXEMPT'],
    says: '"appliance vendor ships its own driver"',
  },
  // The facts were read on OBSERVED_ON (2026-11-20): an exemption holds through its until= day, inclusive.
  {
    situation: 'an instance exempt until the day its facts were read',
    facts: facts({ instance: instanceFacts({ tags: { 'ena-guard:exempt': 'vendor driver; until=2026-11-20' } }), inventory: linuxInventory({ driverVersion: '1.0.0' }) }),
    compliance: 'NOT_APPLICABLE',
    reasons: ['EXEMPT'],
    says: 'Exempt by tag ena-guard:exempt until 2026-11-20: "vendor driver".',
  },
  {
    situation: 'an instance whose exemption expired the day before its facts were read, judged as any other',
    facts: facts({ instance: instanceFacts({ tags: { 'ena-guard:exempt': 'vendor driver; until=2026-11-19' } }), inventory: linuxInventory({ driverVersion: '1.0.0' }) }),
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_OUTDATED'],
    says: 'ENA driver 1.0.0 < 2.10.0',
  },
  {
    situation: 'an instance whose exemption tag gives no reason, judged as any other',
    facts: facts({ instance: instanceFacts({ tags: { 'ena-guard:exempt': ' ;, ' } }), inventory: linuxInventory({ driverVersion: '1.0.0' }) }),
    compliance: 'NON_COMPLIANT',
    reasons: ['DRIVER_OUTDATED'],
    says: 'ENA driver 1.0.0 < 2.10.0',
  },
  {
    situation: 'an instance whose exemption tag has an unreadable expiry, judged as any other',
    facts: facts({ instance: instanceFacts({ tags: { 'ena-guard:exempt': 'vendor driver until=tomorrow' } }), managed: false, inventory: undefined }),
    compliance: 'NON_COMPLIANT',
    reasons: ['NOT_MANAGED'],
    says: 'not managed by Systems Manager',
  },
  {
    situation: 'an instance exempt by a custom exemptionTagKey',
    facts: facts({ instance: instanceFacts({ tags: { 'team:skip-ena': 'lab' } }), inventory: undefined }),
    parameters: { exemptionTagKey: 'team:skip-ena' },
    compliance: 'NOT_APPLICABLE',
    reasons: ['EXEMPT'],
    says: '"lab"',
  },
  {
    situation: 'a terminated instance',
    facts: facts({ instance: instanceFacts({ state: 'terminated' }), inventory: undefined }),
    compliance: 'NOT_APPLICABLE',
    reasons: ['INSTANCE_GONE'],
    says: 'terminated',
  },
  {
    situation: 'a shutting-down instance',
    facts: facts({ instance: instanceFacts({ state: 'shutting-down' }) }),
    compliance: 'NOT_APPLICABLE',
    reasons: ['INSTANCE_GONE'],
    says: 'shutting-down',
  },
  {
    situation: 'an instance type that cannot use ENA',
    facts: facts({ instance: instanceFacts({ instanceType: 'c4.large' }), enaCapability: 'unsupported', inventory: undefined }),
    compliance: 'NOT_APPLICABLE',
    reasons: ['TYPE_CANNOT_USE_ENA'],
    says: 'c4.large cannot use ENA',
  },
  {
    situation: 'an instance type whose ENA capability is unknown',
    facts: facts({ enaCapability: undefined, inventory: linuxInventory({ driverVersion: '1.0.0' }) }),
    compliance: 'not-judged',
    reasons: ['INSTANCE_TYPE_UNKNOWN'],
    says: 'is unknown',
  },
];

function outcomeOf(verdict: Verdict): ComplianceType | 'not-judged' {
  return verdict.outcome === 'judged' ? verdict.compliance : 'not-judged';
}

function textOf(verdict: Verdict): string {
  return verdict.outcome === 'judged' ? verdict.annotation : verdict.detail;
}

describe('evaluateDriverCurrent', () => {
  it.each(rows.map((row) => [row.situation, row] as const))('judges %s', (_situation, row) => {
    // Prepare
    const params = parameters(row.parameters);

    // Act
    const verdict = evaluateDriverCurrent(row.facts, params);

    // Assess
    expect(outcomeOf(verdict)).toBe(row.compliance);
    expect(verdict.reasons).toEqual(row.reasons);
    expect(textOf(verdict)).toContain(row.says);
    expect(textOf(verdict).length).toBeLessThanOrEqual(MAX_ANNOTATION_LENGTH);
  });

  it('covers all three compliance types and the not-judged outcome', () => {
    // Act
    const outcomes = new Set(rows.map((row) => outcomeOf(evaluateDriverCurrent(row.facts, parameters(row.parameters)))));

    // Assess
    expect([...outcomes].sort()).toEqual(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'not-judged']);
  });

  it('keeps annotations within 256 characters even for absurdly long inventory values', () => {
    // Prepare
    const long = 'y'.repeat(500);
    const hostile = inTreeInventory(`5.14.0-${'1'.repeat(12)}.${long}`, long, long);

    // Act
    const verdicts = [
      evaluateDriverCurrent(facts({ inventory: { ...hostile, interfaceDriver: long, interfaceName: long } }), parameters()),
      evaluateDriverCurrent(facts({ inventory: linuxInventory({ driverVersion: long, interfaceDriver: long, interfaceName: long }) }), parameters()),
    ];

    // Assess
    for (const verdict of verdicts) expect(textOf(verdict).length).toBeLessThanOrEqual(MAX_ANNOTATION_LENGTH);
  });
});

describe('driverCurrentParameters', () => {
  it('applies the documented defaults when Config passes nothing', () => {
    // Act
    const parsed = parseRuleParameters(driverCurrentParameters, undefined);

    // Assess
    expect(parsed).toEqual({
      ok: true,
      value: {
        exemptionTagKey: 'ena-guard:exempt',
        scopeTagKey: '',
        scopeTagValue: '',
        linuxMinimumDriverVersion: '2.10.0',
        windowsMinimumDriverVersion: '2.10.0',
        requireSecurityFixes: false,
        kernelMinimums: [],
        unknownDriver: 'NON_COMPLIANT',
        distributionWithoutMinimum: 'NOT_APPLICABLE',
        inventoryConcurrency: 8,
      },
    });
  });

  it('reads every parameter from Config strings', () => {
    // Act
    const parsed = parseRuleParameters(driverCurrentParameters, {
      exemptionTagKey: 'skip',
      linuxMinimumDriverVersion: '2.8.0g',
      windowsMinimumDriverVersion: '2.6.0.0',
      requireSecurityFixes: 'true',
      kernelMinimums: 'amzn=5.10.0,ubuntu:22.04=5.15.0-1004-aws',
      unknownDriver: 'NOT_APPLICABLE',
      distributionWithoutMinimum: 'NON_COMPLIANT',
      inventoryConcurrency: '32',
    });

    // Assess
    expect(parsed).toEqual({
      ok: true,
      value: {
        exemptionTagKey: 'skip',
        scopeTagKey: '',
        scopeTagValue: '',
        linuxMinimumDriverVersion: '2.8.0g',
        windowsMinimumDriverVersion: '2.6.0.0',
        requireSecurityFixes: true,
        kernelMinimums: [
          { osId: 'amzn', osVersion: undefined, minimumKernel: '5.10.0' },
          { osId: 'ubuntu', osVersion: '22.04', minimumKernel: '5.15.0-1004-aws' },
        ],
        unknownDriver: 'NOT_APPLICABLE',
        distributionWithoutMinimum: 'NON_COMPLIANT',
        inventoryConcurrency: 32,
      },
    });
  });

  it.each([
    ['linuxMinimumDriverVersion', 'latest', 'a driver version such as 2.10.0'],
    ['requireSecurityFixes', 'yes', 'true or false'],
    ['windowsMinimumDriverVersion', '2.x', 'a driver version such as 2.10.0'],
    ['kernelMinimums', 'ubuntu=latest', 'comma-separated id[:version]=kernel entries'],
    ['unknownDriver', 'COMPLIANT', 'NON_COMPLIANT or NOT_APPLICABLE'],
    ['inventoryConcurrency', '0', 'a whole number from 1 to 32'],
    ['inventoryConcurrency', '33', 'a whole number from 1 to 32'],
    ['inventoryConcurrency', '2.5', 'a whole number from 1 to 32'],
    ['inventoryConcurrency', 'eight', 'a whole number from 1 to 32'],
  ])('rejects %s=%j naming the accepted form', (name, value, form) => {
    // Act
    const parsed = parseRuleParameters(driverCurrentParameters, { [name]: value });

    // Assess
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.message).toContain(`"${name}" must be ${form}`);
  });

  it('gives every parameter a description that names its accepted form', () => {
    // Act
    const descriptions = Object.entries(driverCurrentParameters.shape).map(([name, field]) => [name, field.description]);

    // Assess
    for (const [name, description] of descriptions) expect(description, name).toMatch(/.{10,}/);
  });
});

describe('needsDriverInventory', () => {
  it.each([
    ['an in-scope running instance on an ENA-capable type', instanceFacts(), 'supported', true],
    ['a stopped instance on an ENA-required type', instanceFacts({ state: 'stopped' }), 'required', true],
    ['an exempt instance', instanceFacts({ tags: { 'ena-guard:exempt': 'lab' } }), 'supported', false],
    ['an instance whose exemption has expired', instanceFacts({ tags: { 'ena-guard:exempt': 'lab until=2026-11-19' } }), 'supported', true],
    ['an instance whose exemption tag gives no reason', instanceFacts({ tags: { 'ena-guard:exempt': '' } }), 'supported', true],
    ['a shutting-down instance', instanceFacts({ state: 'shutting-down' }), 'supported', false],
    ['an instance of an unknown type', instanceFacts(), undefined, false],
    ['an instance whose type cannot use ENA', instanceFacts({ instanceType: 't2.micro' }), 'unsupported', false],
  ] as const)('%s needs inventory: %s', (_situation, subject, capability, expected) => {
    expect(needsDriverInventory(subject, capability, parameters())).toBe(expected);
  });
});
