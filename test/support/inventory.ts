/** Builders for ENA driver inventory: the typed item rules read, and the raw SSM entry. */
import type { EnaDriverInventory, EnaDriverInventoryField } from '../../rules/inventory.js';

/** An Amazon Linux 2 guest with the out-of-tree driver 2.17.0g (the newest release) bound to eth0. */
export function linuxInventory(overrides: Partial<EnaDriverInventory> = {}): EnaDriverInventory {
  return {
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
    osIdLike: [],
    osVersion: '2',
    osName: 'Amazon Linux 2',
    collectedAt: '2026-01-05T10:00:00Z',
    collectorVersion: '1',
    errors: [],
    ...overrides,
  };
}

/** A guest on the upstream in-tree driver: ethtool reports the kernel release. */
export function inTreeInventory(kernelRelease: string, osId: string, osVersion: string): EnaDriverInventory {
  return linuxInventory({ driverBuild: 'in-tree', driverVersion: kernelRelease, driverVersionSource: 'ethtool', kernelRelease, osId, osVersion });
}

export function windowsInventory(driverVersion: string, osName: string, osVersion: string): EnaDriverInventory {
  return linuxInventory({
    osFamily: 'windows',
    osId: 'windows',
    osName,
    osVersion,
    driverVersion,
    driverVersionSource: 'windows-adapter',
    driverBuild: 'windows',
    kernelRelease: undefined,
    interfaceName: 'Ethernet',
  });
}

/** A `Custom:EnaDriver` entry as ListInventoryEntries returns it (every value a string). */
export function inventoryEntry(overrides: Partial<Record<EnaDriverInventoryField, string>> = {}): Record<string, string> {
  return {
    DriverPresent: 'true',
    DriverLoaded: 'true',
    InterfaceDriver: 'ena',
    InterfaceName: 'eth0',
    DriverVersion: '2.17.0g',
    DriverVersionSource: 'modinfo',
    DriverBuild: 'out-of-tree',
    KernelRelease: '4.14.186-146.268.amzn2.x86_64',
    OsFamily: 'linux',
    OsId: 'amzn',
    OsIdLike: 'centos rhel fedora',
    OsVersion: '2',
    OsName: 'Amazon Linux 2',
    CollectedAt: '2026-01-05T10:00:00Z',
    CollectorVersion: '1',
    Errors: '',
    ...overrides,
  };
}
