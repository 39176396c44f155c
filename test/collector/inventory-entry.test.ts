import { describe, expect, it } from 'vitest';
import { parseEnaDriverInventoryEntries, parseEnaDriverInventoryEntry } from '../../rules/inventory.js';
import { inventoryEntry } from '../support/inventory.js';

/** An entry as ListInventoryEntries returns it for Custom:EnaDriver. */
const entry = inventoryEntry({ Errors: 'ethtool not found; ip not found' });

describe('parseEnaDriverInventoryEntry', () => {
  it('turns a full entry into the typed inventory', () => {
    // Act
    const parsed = parseEnaDriverInventoryEntry(entry);

    // Assess
    expect(parsed).toEqual({
      ok: true,
      value: {
        driverPresent: true,
        driverLoaded: true,
        interfaceDriver: 'ena',
        interfaceName: 'eth0',
        driverVersion: '2.17.0g',
        driverVersionSource: 'modinfo',
        driverBuild: 'out-of-tree',
        kernelRelease: '4.14.186-146.268.amzn2.x86_64',
        osFamily: 'linux',
        osId: 'amzn',
        osIdLike: ['centos', 'rhel', 'fedora'],
        osVersion: '2',
        osName: 'Amazon Linux 2',
        collectedAt: '2026-01-05T10:00:00Z',
        collectorVersion: '1',
        errors: ['ethtool not found', 'ip not found'],
      },
    });
  });

  it('tolerates missing optional fields and unexpected values, reading them as unknown', () => {
    // Act
    const parsed = parseEnaDriverInventoryEntry({ DriverPresent: 'TRUE', OsFamily: 'Windows', DriverBuild: 'dkms', DriverLoaded: 'maybe', Extra: 'x' });

    // Assess
    expect(parsed).toEqual({
      ok: true,
      value: {
        driverPresent: true,
        driverLoaded: undefined,
        interfaceDriver: '',
        interfaceName: '',
        driverVersion: undefined,
        driverVersionSource: 'none',
        driverBuild: 'unknown',
        kernelRelease: undefined,
        osFamily: 'windows',
        osId: '',
        osIdLike: [],
        osVersion: '',
        osName: '',
        collectedAt: '',
        collectorVersion: '',
        errors: [],
      },
    });
  });

  it('reports every problem with the fields needed to judge in one message', () => {
    // Act
    const parsed = parseEnaDriverInventoryEntry({ DriverPresent: 'yes', DriverVersion: '2.8.1g' });

    // Assess
    expect(parsed).toEqual({
      ok: false,
      message:
        'Custom:EnaDriver entry is invalid: DriverPresent must be "true" or "false"; OsFamily is missing (expected "linux" or "windows")',
    });
  });

  it('rejects something that is not an entry at all', () => {
    // Act
    const parsed = parseEnaDriverInventoryEntry('DriverPresent=true');

    // Assess
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.message).toMatch(/^Custom:EnaDriver entry is invalid: /);
  });
});

describe('parseEnaDriverInventoryEntries', () => {
  it('reads no entry as "no inventory"', () => {
    // Act
    const parsed = parseEnaDriverInventoryEntries([]);

    // Assess
    expect(parsed).toEqual({ ok: true, value: undefined });
  });

  it('reads the first entry', () => {
    // Act
    const parsed = parseEnaDriverInventoryEntries([entry, { ...entry, DriverVersion: '1.0.0' }]);

    // Assess
    expect(parsed.ok && parsed.value?.driverVersion).toBe('2.17.0g');
  });
});
