/**
 * The Auto Scaling part of the account model, with its own types (the project does not install
 * the Auto Scaling client). It models the one rule that matters to ENA remediation: an instance
 * that is stopped while `InService` fails its EC2 health check and is replaced (terminated, and a
 * new instance launched) once the health-check grace period has passed. Put it in `Standby` first.
 */
import type { VirtualClock } from './clock.js';
import type { Ec2Model } from './ec2-model.js';
import { copy, fail, ok, requireString, stringList, type IdGenerator, type OperationTable } from './model-support.js';

/** Lifecycle states modelled (a subset of Auto Scaling's). */
export type LifecycleState = 'Pending' | 'InService' | 'EnteringStandby' | 'Standby' | 'Terminating' | 'Terminated';

/** One instance of a group, as DescribeAutoScalingInstances returns it. */
export interface AutoScalingInstanceDetails {
  readonly InstanceId: string;
  readonly AutoScalingGroupName: string;
  readonly AvailabilityZone?: string;
  readonly LifecycleState: LifecycleState;
  readonly HealthStatus: 'HEALTHY' | 'UNHEALTHY';
  readonly InstanceType?: string;
  readonly ProtectedFromScaleIn?: boolean;
  readonly LaunchTemplate?: { readonly LaunchTemplateId?: string; readonly LaunchTemplateName?: string; readonly Version?: string };
}

/** A group's settings the model uses. */
export interface AutoScalingGroupSettings {
  readonly AutoScalingGroupName: string;
  /** Seconds; Auto Scaling's default is 300 when created from the console or CLI. */
  readonly HealthCheckGracePeriod?: number;
}

/** An activity, as EnterStandby / ExitStandby return it. */
export interface AutoScalingActivity {
  readonly ActivityId: string;
  readonly AutoScalingGroupName: string;
  readonly Description: string;
  readonly Cause: string;
  readonly StartTime: Date;
  readonly StatusCode: 'InProgress' | 'Successful';
  readonly Progress: number;
}

const DEFAULT_GRACE_PERIOD_SECONDS = 300;

export class AutoScalingModel {
  private readonly members = new Map<string, AutoScalingInstanceDetails>();
  private readonly groups = new Map<string, AutoScalingGroupSettings>();
  /** Instances the groups replaced: old id → new id. */
  readonly replacements = new Map<string, string>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly ids: IdGenerator,
    private readonly ec2: Ec2Model,
  ) {
    ec2.onStateChange((instanceId, state) => {
      if (state === 'stopping' || state === 'stopped') this.watchUnhealthy(instanceId);
    });
  }

  /** Adds groups and their instances. */
  seed(groups: readonly AutoScalingGroupSettings[], instances: readonly AutoScalingInstanceDetails[]): void {
    for (const group of groups) this.groups.set(group.AutoScalingGroupName, copy(group));
    for (const member of instances) {
      this.members.set(member.InstanceId, copy(member));
      if (!this.groups.has(member.AutoScalingGroupName)) this.groups.set(member.AutoScalingGroupName, { AutoScalingGroupName: member.AutoScalingGroupName });
    }
  }

  /** The instance's group membership now, or undefined. */
  member(instanceId: string): AutoScalingInstanceDetails | undefined {
    const member = this.members.get(instanceId);
    return member === undefined ? undefined : copy(member);
  }

  operations(): OperationTable {
    return {
      DescribeAutoScalingInstances: (i) => this.describeAutoScalingInstances(i),
      EnterStandby: (i) => this.standby(i, 'InService', 'Standby'),
      ExitStandby: (i) => this.standby(i, 'Standby', 'InService'),
    };
  }

  /**
   * Unconfirmed detail: Auto Scaling's health check runs periodically; we replace the instance
   * exactly one grace period after it stopped, if it is still InService and still not running.
   */
  private watchUnhealthy(instanceId: string): void {
    const member = this.members.get(instanceId);
    if (member === undefined || member.LifecycleState !== 'InService') return;
    const grace = this.groups.get(member.AutoScalingGroupName)?.HealthCheckGracePeriod ?? DEFAULT_GRACE_PERIOD_SECONDS;
    this.clock.schedule(grace * 1000, () => {
      const now = this.members.get(instanceId);
      const state = this.ec2.instance(instanceId)?.State?.Name;
      if (now?.LifecycleState !== 'InService' || state === 'running' || state === 'pending') return;
      this.members.set(instanceId, { ...now, HealthStatus: 'UNHEALTHY', LifecycleState: 'Terminating' });
      this.ec2.terminate(instanceId);
      const replacement = this.ec2.launchLike(instanceId);
      this.replacements.set(instanceId, replacement);
      this.members.set(instanceId, { ...now, HealthStatus: 'UNHEALTHY', LifecycleState: 'Terminated' });
      this.members.set(replacement, { ...now, InstanceId: replacement, LifecycleState: 'InService', HealthStatus: 'HEALTHY' });
    });
  }

  private describeAutoScalingInstances(input: Record<string, unknown>): object {
    const ids = stringList('autoscaling', input, 'InstanceIds');
    const selected = [...this.members.values()].filter((m) => m.LifecycleState !== 'Terminated' && (ids === undefined || ids.length === 0 || ids.includes(m.InstanceId)));
    return ok({ AutoScalingInstances: selected.map((m) => copy(m)) });
  }

  private standby(input: Record<string, unknown>, from: LifecycleState, to: LifecycleState): object {
    const groupName = requireString('autoscaling', input, 'AutoScalingGroupName');
    const ids = stringList('autoscaling', input, 'InstanceIds') ?? [];
    if (to === 'Standby' && typeof input['ShouldDecrementDesiredCapacity'] !== 'boolean') {
      fail('autoscaling', 'ValidationError', 'ShouldDecrementDesiredCapacity is required');
    }
    if (!this.groups.has(groupName)) fail('autoscaling', 'ValidationError', `AutoScalingGroup name not found - ${groupName}`);
    for (const id of ids) {
      const member = this.members.get(id);
      if (member === undefined || member.AutoScalingGroupName !== groupName) fail('autoscaling', 'ValidationError', `The instance ${id} is not part of Auto Scaling group ${groupName}.`);
      if (member.LifecycleState !== from) fail('autoscaling', 'ValidationError', `The instance ${id} is not in ${from}.`);
    }
    const activities: AutoScalingActivity[] = ids.map((id) => {
      const member = this.members.get(id) as AutoScalingInstanceDetails;
      this.members.set(id, { ...member, LifecycleState: to });
      if (to === 'InService') {
        const state = this.ec2.instance(id)?.State?.Name;
        if (state === 'stopped' || state === 'stopping') this.watchUnhealthy(id);
      }
      return {
        ActivityId: this.ids.uuid(),
        AutoScalingGroupName: groupName,
        Description: to === 'Standby' ? `Moving EC2 instance to Standby: ${id}` : `Moving EC2 instance out of Standby: ${id}`,
        Cause: `At ${this.clock.now().toISOString()} an instance was moved ${to === 'Standby' ? 'to' : 'out of'} standby in response to a user request.`,
        StartTime: this.clock.now(),
        StatusCode: 'InProgress',
        Progress: 50,
      };
    });
    return ok({ Activities: activities });
  }
}
