/**
 * The facts rules judge, normalised from whichever source produced them (a Config configuration
 * item, a DescribeInstances page, a snapshot file). Only what a rule needs is kept, so a sweep of
 * a large fleet holds a few hundred bytes per instance.
 */

/** `DescribeInstanceTypes` → `NetworkInfo.EnaSupport`. */
export type EnaCapability = 'unsupported' | 'supported' | 'required';

export type InstanceStateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export type OsPlatform = 'linux' | 'windows';

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
}
