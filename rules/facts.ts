/**
 * The facts rules judge, normalised from whichever source produced them (a Config configuration
 * item, a DescribeInstances page, a snapshot file). Only what a rule needs is kept, so a sweep of
 * a large fleet holds a few hundred bytes per instance.
 */

/** `DescribeInstanceTypes` → `NetworkInfo.EnaSupport`. */
export type EnaCapability = 'unsupported' | 'supported' | 'required';

export type InstanceStateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export type OsPlatform = 'linux' | 'windows';

/** What an instance type can do, from `DescribeInstanceTypes`. Types never change, so these are cached. */
export interface InstanceTypeFacts {
  readonly instanceType: string;
  /** `NetworkInfo.EnaSupport`. */
  readonly enaSupport: EnaCapability;
  /** `NetworkInfo.EnaSrdSupported`: the type can use ENA Express. Absent in the answer means false. */
  readonly enaSrdSupported: boolean;
  /** `Hypervisor`: `nitro` or `xen`; undefined for bare metal, which has none. */
  readonly hypervisor: 'nitro' | 'xen' | undefined;
}

/** One network interface attached to an instance (`DescribeInstances` → `NetworkInterfaces`). */
export interface NetworkInterfaceFacts {
  readonly networkInterfaceId: string;
  /** `Attachment.DeviceIndex`: 0 is the primary interface. */
  readonly deviceIndex: number | undefined;
  /** `Attachment.NetworkCardIndex`; undefined on types with one network card. */
  readonly networkCardIndex: number | undefined;
  /**
   * `Attachment.EnaSrdSpecification.EnaSrdEnabled`: ENA Express is on. `undefined` when the source
   * does not record the setting at all (AWS Config's instance schema has no such field).
   */
  readonly enaSrdEnabled: boolean | undefined;
}

export interface InstanceFacts {
  readonly instanceId: string;
  readonly instanceType: string;
  readonly state: InstanceStateName;
  /** `undefined` when the source omitted it or sent null: EC2 treats that as false. */
  readonly enaSupport: boolean | undefined;
  readonly rootDeviceType: 'ebs' | 'instance-store' | undefined;
  readonly platform: OsPlatform;
  readonly virtualizationType: 'hvm' | 'paravirtual' | undefined;
  /** `spot` or `capacity-block`; undefined for on-demand. */
  readonly instanceLifecycle: string | undefined;
  readonly imageId: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** The day (UTC, YYYY-MM-DD) on which these facts were read: an exemption's expiry is compared with it. */
  readonly observedOn: string;
  /** Attached network interfaces; empty when the source lists none. */
  readonly networkInterfaces: readonly NetworkInterfaceFacts[];
}

/** The primary network interface (device index 0 on the first network card), if the source lists it. */
export function primaryNetworkInterface(instance: InstanceFacts): NetworkInterfaceFacts | undefined {
  return instance.networkInterfaces.find((eni) => eni.deviceIndex === 0 && (eni.networkCardIndex ?? 0) === 0);
}
