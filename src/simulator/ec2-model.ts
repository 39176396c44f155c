/**
 * The EC2 part of the account model: instances and their states, status checks, instance types,
 * images and snapshots, launch templates and tags. It enforces the EC2 rules a remediation runbook
 * can break (DOMAIN.md §2): ENA can only change while stopped, some instances cannot stop, an
 * ENA-required type cannot start without ENA, status checks fail when ENA is enabled on a guest
 * without a driver, images cannot change their ENA flag.
 */
import type {
  BlockDeviceMapping,
  Filter,
  Image,
  Instance,
  InstanceStateChange,
  InstanceStateName,
  InstanceStatus,
  InstanceTypeInfo,
  LaunchTemplate,
  LaunchTemplateVersion,
  Reservation,
  ResponseLaunchTemplateData,
  Snapshot,
  SummaryStatus,
  Tag,
  TagDescription,
} from '@aws-sdk/client-ec2';
import type { VirtualClock } from './clock.js';
import { Guest, defaultGuestSpec, type GuestSpec } from './guest.js';
import { attributeBoolean, copy, fail, ok, requireString, stringList, type IdGenerator, type OperationTable } from './model-support.js';

/** How long EC2 takes, in simulated seconds. */
export interface Ec2Timings {
  readonly pendingSeconds: number;
  readonly stoppingSeconds: number;
  readonly shuttingDownSeconds: number;
  /** From `running` (or a reboot) to status checks leaving `initializing`. */
  readonly statusCheckSeconds: number;
  readonly rebootSeconds: number;
  readonly createImageSeconds: number;
  readonly registerImageSeconds: number;
}

// Unconfirmed: EC2 publishes no fixed durations. These are typical observed values; tests that
// depend on them should pass their own timings.
export const DEFAULT_EC2_TIMINGS: Ec2Timings = {
  pendingSeconds: 15,
  stoppingSeconds: 30,
  shuttingDownSeconds: 30,
  statusCheckSeconds: 120,
  rebootSeconds: 30,
  createImageSeconds: 300,
  registerImageSeconds: 10,
};

/** Facts about an instance that DescribeInstances does not show. */
export interface InstanceExtras {
  readonly disableApiStop?: boolean;
  readonly disableApiTermination?: boolean;
  /** For Spot instances: the request type. Unknown Spot requests count as one-time. */
  readonly spotRequestType?: 'one-time' | 'persistent';
}

interface InstanceRecord {
  instance: Instance;
  reservationId: string;
  ownerId: string;
  disableApiStop: boolean;
  disableApiTermination: boolean;
  spotRequestType: 'one-time' | 'persistent' | undefined;
  instanceStatus: SummaryStatus;
  systemStatus: SummaryStatus;
  /** Bumped at every transition; a scheduled event that finds another generation does nothing. */
  generation: number;
}

interface ImageRecord {
  image: Image;
  /** The guest an instance launched from this image boots with. */
  guest: GuestSpec | undefined;
}

interface LaunchTemplateRecord {
  template: LaunchTemplate;
  versions: LaunchTemplateVersion[];
}

/** Called when an instance changes state (the Auto Scaling model listens). */
export type InstanceStateListener = (instanceId: string, state: InstanceStateName) => void;

const STATE_CODES: Readonly<Record<InstanceStateName, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/**
 * EC2 returns `"Platform": "windows"` (lower case) although the SDK's enum says `Windows`: accept
 * both, write what EC2 writes.
 */
export function isWindows(platform: string | undefined): boolean {
  return platform?.toLowerCase() === 'windows';
}
const WINDOWS_PLATFORM = 'windows' as Image['Platform'];

function tagsMatch(tags: readonly Tag[] | undefined, key: string, values: readonly string[]): boolean {
  return (tags ?? []).some((t) => t.Key === key && (values.length === 0 || values.includes(t.Value ?? '')));
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

function filterValues(filter: Filter): string[] {
  return filter.Values ?? [];
}

export class Ec2Model {
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly instanceTypes = new Map<string, InstanceTypeInfo>();
  private readonly images = new Map<string, ImageRecord>();
  private readonly snapshots = new Map<string, { snapshot: Snapshot; guest: GuestSpec | undefined }>();
  private readonly launchTemplates = new Map<string, LaunchTemplateRecord>();
  private readonly listeners: InstanceStateListener[] = [];

  constructor(
    private readonly clock: VirtualClock,
    private readonly ids: IdGenerator,
    private readonly guests: Map<string, Guest>,
    private readonly accountId: string,
    private readonly region: string,
    private readonly timings: Ec2Timings = DEFAULT_EC2_TIMINGS,
  ) {}

  // ---------------------------------------------------------------- seeding and inspection

  /** Adds instances as DescribeInstances returns them. Running instances start with passed status checks. */
  seedReservations(reservations: readonly Reservation[], extras: Readonly<Record<string, InstanceExtras>> = {}): void {
    for (const reservation of reservations) {
      for (const source of reservation.Instances ?? []) {
        const instance = copy(source);
        if (instance.InstanceId === undefined) continue;
        if (typeof instance.LaunchTime === 'string') instance.LaunchTime = new Date(instance.LaunchTime);
        const state = instance.State?.Name ?? 'running';
        instance.State = { Name: state, Code: STATE_CODES[state] };
        const extra = extras[instance.InstanceId] ?? {};
        const running = state === 'running';
        this.instances.set(instance.InstanceId, {
          instance,
          reservationId: reservation.ReservationId ?? this.ids.ec2('r'),
          ownerId: reservation.OwnerId ?? this.accountId,
          disableApiStop: extra.disableApiStop ?? false,
          disableApiTermination: extra.disableApiTermination ?? false,
          spotRequestType: instance.InstanceLifecycle === 'spot' ? (extra.spotRequestType ?? 'one-time') : undefined,
          instanceStatus: running ? 'ok' : 'not-applicable',
          systemStatus: running ? 'ok' : 'not-applicable',
          generation: 0,
        });
        if (!this.guests.has(instance.InstanceId)) this.guests.set(instance.InstanceId, new Guest(defaultGuestSpec(isWindows(instance.Platform) ? 'windows' : 'linux')));
        const record = this.record(instance.InstanceId);
        if (running) this.refreshStatusChecks(instance.InstanceId, true);
        // A snapshot taken mid-transition finishes the transition.
        else if (state === 'pending') this.after(record, this.timings.pendingSeconds, () => this.boot(record));
        else if (state === 'stopping') this.after(record, this.timings.stoppingSeconds, () => this.setState(record, 'stopped'));
        else if (state === 'shutting-down') this.after(record, this.timings.shuttingDownSeconds, () => this.setState(record, 'terminated'));
      }
    }
  }

  /** Adds instance types as DescribeInstanceTypes returns them. */
  seedInstanceTypes(types: readonly InstanceTypeInfo[]): void {
    for (const type of types) if (type.InstanceType !== undefined) this.instanceTypes.set(type.InstanceType, copy(type));
  }

  /** Adds images as DescribeImages returns them (with the guest an instance launched from each boots). */
  seedImages(images: readonly Image[], guests: Readonly<Record<string, GuestSpec>> = {}): void {
    for (const image of images) {
      if (image.ImageId === undefined) continue;
      this.images.set(image.ImageId, { image: copy(image), guest: guests[image.ImageId] });
      for (const mapping of image.BlockDeviceMappings ?? []) {
        const snapshotId = mapping.Ebs?.SnapshotId;
        if (snapshotId !== undefined && !this.snapshots.has(snapshotId)) {
          this.snapshots.set(snapshotId, {
            snapshot: { SnapshotId: snapshotId, State: 'completed', VolumeSize: mapping.Ebs?.VolumeSize, OwnerId: image.OwnerId ?? this.accountId },
            guest: guests[image.ImageId],
          });
        }
      }
    }
  }

  /** Adds launch templates and their versions as the Describe calls return them. */
  seedLaunchTemplates(templates: readonly LaunchTemplate[], versions: readonly LaunchTemplateVersion[]): void {
    for (const template of templates) {
      if (template.LaunchTemplateId === undefined) continue;
      this.launchTemplates.set(template.LaunchTemplateId, {
        template: copy(template),
        versions: versions.filter((v) => v.LaunchTemplateId === template.LaunchTemplateId).map((v) => copy(v)),
      });
    }
  }

  /** Subscribes to instance state changes. */
  onStateChange(listener: InstanceStateListener): void {
    this.listeners.push(listener);
  }

  /** The instance as DescribeInstances would show it now, or undefined. */
  instance(instanceId: string): Instance | undefined {
    const record = this.instances.get(instanceId);
    return record === undefined ? undefined : copy(record.instance);
  }

  /** The image as DescribeImages would show it now (deregistered ones too), or undefined. */
  image(imageId: string): Image | undefined {
    const record = this.images.get(imageId);
    return record === undefined ? undefined : copy(record.image);
  }

  /** The instance's status check summaries. */
  statusChecks(instanceId: string): { instance: SummaryStatus; system: SummaryStatus } | undefined {
    const record = this.instances.get(instanceId);
    return record === undefined ? undefined : { instance: record.instanceStatus, system: record.systemStatus };
  }

  /** Whether the guest has a network: false once ENA is attached to a guest without a driver. */
  networkUp(instanceId: string): boolean {
    const record = this.instances.get(instanceId);
    const guest = this.guests.get(instanceId);
    if (record === undefined || record.instance.State?.Name !== 'running') return false;
    if (record.instance.EnaSupport === true && guest !== undefined && !guest.runningDriver.present) return false;
    return true;
  }

  /** Operations by name, for the account model's dispatcher. */
  operations(): OperationTable {
    return {
      DescribeInstances: (i) => this.describeInstances(i),
      DescribeInstanceStatus: (i) => this.describeInstanceStatus(i),
      DescribeInstanceAttribute: (i) => this.describeInstanceAttribute(i),
      ModifyInstanceAttribute: (i) => this.modifyInstanceAttribute(i),
      StopInstances: (i) => this.stopInstances(i),
      StartInstances: (i) => this.startInstances(i),
      RebootInstances: (i) => this.rebootInstances(i),
      TerminateInstances: (i) => this.terminateInstances(i),
      RunInstances: (i) => this.runInstances(i),
      DescribeInstanceTypes: (i) => this.describeInstanceTypes(i),
      CreateImage: (i) => this.createImage(i),
      RegisterImage: (i) => this.registerImage(i),
      DescribeImages: (i) => this.describeImages(i),
      DescribeImageAttribute: (i) => this.describeImageAttribute(i),
      ModifyImageAttribute: (i) => this.modifyImageAttribute(i),
      EnableImageDeprecation: (i) => this.enableImageDeprecation(i),
      DeregisterImage: (i) => this.deregisterImage(i),
      DescribeSnapshots: (i) => this.describeSnapshots(i),
      DescribeLaunchTemplates: (i) => this.describeLaunchTemplates(i),
      DescribeLaunchTemplateVersions: (i) => this.describeLaunchTemplateVersions(i),
      CreateLaunchTemplateVersion: (i) => this.createLaunchTemplateVersion(i),
      ModifyLaunchTemplate: (i) => this.modifyLaunchTemplate(i),
      CreateTags: (i) => this.createTags(i),
      DescribeTags: (i) => this.describeTags(i),
    };
  }

  // ---------------------------------------------------------------- instances

  private record(instanceId: string): InstanceRecord {
    const record = this.instances.get(instanceId);
    if (record === undefined) fail('ec2', 'InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
    return record;
  }

  private records(instanceIds: readonly string[]): InstanceRecord[] {
    const missing = instanceIds.filter((id) => !this.instances.has(id));
    if (missing.length > 0) fail('ec2', 'InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
    return instanceIds.map((id) => this.record(id));
  }

  private stateOf(record: InstanceRecord): InstanceStateName {
    return record.instance.State?.Name ?? 'running';
  }

  private setState(record: InstanceRecord, state: InstanceStateName, reason?: string): void {
    record.instance.State = { Name: state, Code: STATE_CODES[state] };
    if (reason !== undefined) record.instance.StateTransitionReason = reason;
    if (state !== 'running') {
      record.instanceStatus = state === 'pending' ? 'initializing' : 'not-applicable';
      record.systemStatus = record.instanceStatus;
    }
    const id = record.instance.InstanceId ?? '';
    for (const listener of this.listeners) listener(id, state);
  }

  /** Schedules `run` after `seconds`, unless the instance moves on to another transition first. */
  private after(record: InstanceRecord, seconds: number, run: () => void): void {
    record.generation += 1;
    const generation = record.generation;
    this.clock.schedule(seconds * 1000, () => {
      if (record.generation === generation) run();
    });
  }

  /** Status checks start `initializing` and settle after a while: `ok`, or `impaired` without a network. */
  private refreshStatusChecks(instanceId: string, immediately = false): void {
    const record = this.record(instanceId);
    const settle = (): void => {
      const up = this.networkUp(instanceId);
      record.instanceStatus = up ? 'ok' : 'impaired';
      record.systemStatus = 'ok';
    };
    if (immediately) {
      settle();
      return;
    }
    record.instanceStatus = 'initializing';
    record.systemStatus = 'initializing';
    this.after(record, this.timings.statusCheckSeconds, settle);
  }

  private boot(record: InstanceRecord): void {
    const id = record.instance.InstanceId ?? '';
    this.guests.get(id)?.boot();
    this.setState(record, 'running');
    this.refreshStatusChecks(id);
  }

  private stateChange(record: InstanceRecord, previous: InstanceStateName): InstanceStateChange {
    return { InstanceId: record.instance.InstanceId, PreviousState: { Name: previous, Code: STATE_CODES[previous] }, CurrentState: copy(record.instance.State) };
  }

  private instanceMatches(record: InstanceRecord, filter: Filter): boolean {
    const values = filterValues(filter);
    const instance = record.instance;
    const name = filter.Name ?? '';
    if (name.startsWith('tag:')) return tagsMatch(instance.Tags, name.slice(4), values);
    const field: Record<string, string | undefined> = {
      'instance-id': instance.InstanceId,
      'instance-state-name': instance.State?.Name,
      'instance-type': instance.InstanceType,
      'ena-support': String(instance.EnaSupport === true),
      'image-id': instance.ImageId,
      'root-device-type': instance.RootDeviceType,
      'instance-lifecycle': instance.InstanceLifecycle,
      'platform': instance.Platform,
    };
    if (name === 'tag-key') return (instance.Tags ?? []).some((t) => values.includes(t.Key ?? ''));
    if (!(name in field)) fail('ec2', 'InvalidParameterValue', `The filter '${name}' is invalid`);
    const actual = field[name];
    return actual !== undefined && values.some((v) => wildcard(v).test(actual));
  }

  private describeInstances(input: Record<string, unknown>): object {
    const ids = stringList('ec2', input, 'InstanceIds');
    const filters = (input['Filters'] as Filter[] | undefined) ?? [];
    const maxResults = input['MaxResults'] as number | undefined;
    if (ids !== undefined && ids.length > 0 && maxResults !== undefined) {
      fail('ec2', 'InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
    }
    if (maxResults !== undefined && (maxResults < 5 || maxResults > 1000)) fail('ec2', 'InvalidParameterValue', `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000`);
    const selected = ids !== undefined && ids.length > 0 ? this.records(ids) : [...this.instances.values()];
    const matching = selected.filter((r) => filters.every((f) => this.instanceMatches(r, f)));
    const start = typeof input['NextToken'] === 'string' ? Number.parseInt(input['NextToken'], 10) : 0;
    const page = maxResults === undefined ? matching.slice(start) : matching.slice(start, start + maxResults);
    const next = maxResults !== undefined && start + maxResults < matching.length ? String(start + maxResults) : undefined;
    const reservations = new Map<string, Reservation>();
    for (const record of page) {
      const reservation = reservations.get(record.reservationId) ?? { ReservationId: record.reservationId, OwnerId: record.ownerId, Groups: [], Instances: [] };
      reservation.Instances?.push(copy(record.instance));
      reservations.set(record.reservationId, reservation);
    }
    return ok({ Reservations: [...reservations.values()], NextToken: next });
  }

  private describeInstanceStatus(input: Record<string, unknown>): object {
    const ids = stringList('ec2', input, 'InstanceIds');
    const includeAll = input['IncludeAllInstances'] === true;
    const selected = ids !== undefined && ids.length > 0 ? this.records(ids) : [...this.instances.values()];
    const statuses: InstanceStatus[] = selected
      .filter((r) => includeAll || this.stateOf(r) === 'running')
      .map((r) => {
        const reachability = (status: SummaryStatus): string => (status === 'ok' ? 'passed' : status === 'impaired' ? 'failed' : status);
        return {
          InstanceId: r.instance.InstanceId,
          AvailabilityZone: r.instance.Placement?.AvailabilityZone,
          InstanceState: copy(r.instance.State),
          InstanceStatus: { Status: r.instanceStatus, Details: r.instanceStatus === 'not-applicable' ? undefined : [{ Name: 'reachability', Status: reachability(r.instanceStatus) }] },
          SystemStatus: { Status: r.systemStatus, Details: r.systemStatus === 'not-applicable' ? undefined : [{ Name: 'reachability', Status: reachability(r.systemStatus) }] },
        } as InstanceStatus;
      });
    return ok({ InstanceStatuses: statuses });
  }

  private describeInstanceAttribute(input: Record<string, unknown>): object {
    const record = this.record(requireString('ec2', input, 'InstanceId'));
    const attribute = requireString('ec2', input, 'Attribute');
    const id = record.instance.InstanceId;
    switch (attribute) {
      case 'enaSupport':
        return ok({ InstanceId: id, EnaSupport: { Value: record.instance.EnaSupport === true } });
      case 'disableApiStop':
        return ok({ InstanceId: id, DisableApiStop: { Value: record.disableApiStop } });
      case 'disableApiTermination':
        return ok({ InstanceId: id, DisableApiTermination: { Value: record.disableApiTermination } });
      case 'instanceType':
        return ok({ InstanceId: id, InstanceType: { Value: record.instance.InstanceType } });
      default:
        return fail('ec2', 'InvalidParameterValue', `Value (${attribute}) for parameter attribute is invalid or not modelled by the simulator`);
    }
  }

  private modifyInstanceAttribute(input: Record<string, unknown>): object {
    const record = this.record(requireString('ec2', input, 'InstanceId'));
    const id = record.instance.InstanceId ?? '';
    const ena = attributeBoolean(input, 'EnaSupport');
    const disableApiStop = attributeBoolean(input, 'DisableApiStop');
    const disableApiTermination = attributeBoolean(input, 'DisableApiTermination');
    const instanceType = (input['InstanceType'] as { Value?: string } | undefined)?.Value;
    if (input['Attribute'] !== undefined) fail('ec2', 'InvalidParameterValue', 'The Attribute/Value form of ModifyInstanceAttribute is not modelled by the simulator: use the named parameter');
    if (ena === undefined && disableApiStop === undefined && disableApiTermination === undefined && instanceType === undefined) {
      fail('ec2', 'MissingParameter', 'ModifyInstanceAttribute needs one attribute to change');
    }
    if ((ena !== undefined || instanceType !== undefined) && this.stateOf(record) !== 'stopped') {
      fail('ec2', 'IncorrectInstanceState', `The instance '${id}' is not in the 'stopped' state.`);
    }
    if (instanceType !== undefined) {
      if (this.instanceTypes.size > 0 && !this.instanceTypes.has(instanceType)) fail('ec2', 'InvalidParameterValue', `Value (${instanceType}) for parameter instanceType is invalid.`);
      record.instance.InstanceType = instanceType as Instance['InstanceType'];
    }
    if (ena !== undefined) record.instance.EnaSupport = ena;
    if (disableApiStop !== undefined) record.disableApiStop = disableApiStop;
    if (disableApiTermination !== undefined) record.disableApiTermination = disableApiTermination;
    return ok({});
  }

  private stopInstances(input: Record<string, unknown>): object {
    const records = this.records(stringList('ec2', input, 'InstanceIds') ?? []);
    for (const record of records) {
      const id = record.instance.InstanceId;
      const state = this.stateOf(record);
      if (record.instance.RootDeviceType === 'instance-store') {
        fail('ec2', 'UnsupportedOperation', `The instance '${id}' does not have an 'ebs' root device type and cannot be stopped.`);
      }
      if (record.disableApiStop) {
        fail('ec2', 'OperationNotPermitted', `The instance '${id}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.`);
      }
      if (record.spotRequestType === 'one-time') {
        fail('ec2', 'UnsupportedOperation', `You can't stop the Spot Instance '${id}' because it is associated with a one-time Spot Instance request. You can only stop Spot Instances associated with persistent Spot Instance requests.`);
      }
      if (state === 'pending' || state === 'shutting-down' || state === 'terminated') {
        fail('ec2', 'IncorrectInstanceState', `This instance '${id}' is not in a state from which it can be stopped.`);
      }
    }
    const changes = records.map((record) => {
      const previous = this.stateOf(record);
      if (previous === 'running') {
        this.setState(record, 'stopping', `User initiated (${this.clock.now().toISOString()})`);
        this.after(record, this.timings.stoppingSeconds, () => this.setState(record, 'stopped'));
      }
      return this.stateChange(record, previous);
    });
    return ok({ StoppingInstances: changes });
  }

  private startInstances(input: Record<string, unknown>): object {
    const records = this.records(stringList('ec2', input, 'InstanceIds') ?? []);
    for (const record of records) {
      const id = record.instance.InstanceId;
      const state = this.stateOf(record);
      if (state === 'stopping' || state === 'shutting-down' || state === 'terminated') {
        fail('ec2', 'IncorrectInstanceState', `The instance '${id}' is not in a state from which it can be started.`);
      }
      const type = this.instanceTypes.get(record.instance.InstanceType ?? '');
      // An instance type the snapshot does not describe cannot be judged: the start goes ahead.
      if (state === 'stopped' && type?.NetworkInfo?.EnaSupport === 'required' && record.instance.EnaSupport !== true) {
        fail(
          'ec2',
          'InvalidParameterCombination',
          `Enhanced networking with the Elastic Network Adapter (ENA) is required for the '${record.instance.InstanceType}' instance type. Ensure that your instance '${id}' is enabled for ENA.`,
        );
      }
    }
    const changes = records.map((record) => {
      const previous = this.stateOf(record);
      if (previous === 'stopped') {
        this.setState(record, 'pending', '');
        this.after(record, this.timings.pendingSeconds, () => this.boot(record));
      }
      return this.stateChange(record, previous);
    });
    return ok({ StartingInstances: changes });
  }

  private rebootInstances(input: Record<string, unknown>): object {
    const records = this.records(stringList('ec2', input, 'InstanceIds') ?? []);
    for (const record of records) {
      if (this.stateOf(record) !== 'running') fail('ec2', 'IncorrectInstanceState', `The instance '${record.instance.InstanceId}' is not in the 'running' state.`);
    }
    for (const record of records) this.reboot(record.instance.InstanceId ?? '');
    return ok({});
  }

  /** Reboots a running instance (also used by the SSM agent and CreateImage). */
  reboot(instanceId: string): void {
    const record = this.record(instanceId);
    record.instanceStatus = 'initializing';
    record.systemStatus = 'initializing';
    this.after(record, this.timings.rebootSeconds, () => {
      this.guests.get(instanceId)?.boot();
      this.refreshStatusChecks(instanceId);
    });
  }

  private terminateInstances(input: Record<string, unknown>): object {
    const records = this.records(stringList('ec2', input, 'InstanceIds') ?? []);
    for (const record of records) {
      if (record.disableApiTermination) {
        fail('ec2', 'OperationNotPermitted', `The instance '${record.instance.InstanceId}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.`);
      }
    }
    return ok({ TerminatingInstances: records.map((record) => this.terminate(record.instance.InstanceId ?? '')) });
  }

  /** Terminates an instance (also used by Auto Scaling when it replaces one). */
  terminate(instanceId: string): InstanceStateChange {
    const record = this.record(instanceId);
    const previous = this.stateOf(record);
    if (previous !== 'terminated' && previous !== 'shutting-down') {
      this.setState(record, 'shutting-down', `User initiated (${this.clock.now().toISOString()})`);
      this.after(record, this.timings.shuttingDownSeconds, () => this.setState(record, 'terminated'));
    }
    return this.stateChange(record, previous);
  }

  private runInstances(input: Record<string, unknown>): object {
    const imageId = requireString('ec2', input, 'ImageId');
    const instanceType = requireString('ec2', input, 'InstanceType');
    const minCount = (input['MinCount'] as number | undefined) ?? 1;
    const maxCount = (input['MaxCount'] as number | undefined) ?? minCount;
    const imageRecord = this.images.get(imageId);
    if (imageRecord === undefined || imageRecord.image.State === 'deregistered') fail('ec2', 'InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
    if (imageRecord.image.State !== 'available') fail('ec2', 'InvalidAMIID.Unavailable', `The image id '[${imageId}]' is not available (state ${imageRecord.image.State})`);
    const type = this.instanceTypes.get(instanceType);
    if (type === undefined) fail('ec2', 'InvalidParameterValue', `Invalid value '${instanceType}' for InstanceType.`);
    if (type.NetworkInfo?.EnaSupport === 'required' && imageRecord.image.EnaSupport !== true) {
      fail('ec2', 'InvalidParameterCombination', `Enhanced networking with the Elastic Network Adapter (ENA) is required for the '${instanceType}' instance type. Ensure that you are using an AMI that is enabled for ENA.`);
    }
    const tags = ((input['TagSpecifications'] as { ResourceType?: string; Tags?: Tag[] }[] | undefined) ?? []).filter((s) => s.ResourceType === 'instance').flatMap((s) => s.Tags ?? []);
    const reservationId = this.ids.ec2('r');
    const launched: Instance[] = [];
    for (let n = 0; n < Math.max(1, Math.min(minCount, maxCount)); n++) {
      const instanceId = this.launch(imageRecord, instanceType, reservationId, tags);
      launched.push(copy(this.record(instanceId).instance));
    }
    return ok({ ReservationId: reservationId, OwnerId: this.accountId, Groups: [], Instances: launched });
  }

  private launch(imageRecord: ImageRecord, instanceType: string, reservationId: string, tags: readonly Tag[]): string {
    const image = imageRecord.image;
    const instanceId = this.ids.ec2('i');
    const rootDevice = image.RootDeviceName ?? '/dev/xvda';
    const instance: Instance = {
      InstanceId: instanceId,
      ImageId: image.ImageId,
      InstanceType: instanceType as Instance['InstanceType'],
      State: { Name: 'pending', Code: STATE_CODES.pending },
      LaunchTime: this.clock.now(),
      Placement: { AvailabilityZone: `${this.region}a` },
      Architecture: image.Architecture,
      Platform: image.Platform,
      PlatformDetails: image.PlatformDetails,
      RootDeviceType: image.RootDeviceType ?? 'ebs',
      RootDeviceName: rootDevice,
      VirtualizationType: image.VirtualizationType ?? 'hvm',
      Hypervisor: 'xen',
      EnaSupport: image.EnaSupport === true,
      BlockDeviceMappings: (image.BlockDeviceMappings ?? [])
        .filter((m) => m.Ebs !== undefined)
        .map((m) => ({ DeviceName: m.DeviceName, Ebs: { VolumeId: this.ids.ec2('vol'), Status: 'attached', AttachTime: this.clock.now(), DeleteOnTermination: true } })),
      Tags: tags.length > 0 ? copy([...tags]) : undefined,
    };
    const record: InstanceRecord = {
      instance,
      reservationId,
      ownerId: this.accountId,
      disableApiStop: false,
      disableApiTermination: false,
      spotRequestType: undefined,
      instanceStatus: 'initializing',
      systemStatus: 'initializing',
      generation: 0,
    };
    this.instances.set(instanceId, record);
    this.guests.set(instanceId, new Guest(imageRecord.guest ?? defaultGuestSpec(isWindows(image.Platform) ? 'windows' : 'linux')));
    this.after(record, this.timings.pendingSeconds, () => this.boot(record));
    return instanceId;
  }

  /** Launches an instance like `instanceId` (Auto Scaling replacing an unhealthy one). */
  launchLike(instanceId: string): string {
    const old = this.record(instanceId);
    const imageRecord: ImageRecord = this.images.get(old.instance.ImageId ?? '') ?? {
      image: { ImageId: old.instance.ImageId, EnaSupport: old.instance.EnaSupport, Platform: old.instance.Platform, RootDeviceType: old.instance.RootDeviceType },
      guest: this.guests.get(instanceId)?.snapshot(),
    };
    const newId = this.launch(imageRecord, old.instance.InstanceType ?? '', this.ids.ec2('r'), old.instance.Tags ?? []);
    this.record(newId).instance.EnaSupport = old.instance.EnaSupport;
    return newId;
  }

  private describeInstanceTypes(input: Record<string, unknown>): object {
    const names = stringList('ec2', input, 'InstanceTypes');
    if (names !== undefined && names.length > 100) fail('ec2', 'InvalidParameterValue', 'At most 100 instance types can be described at once');
    const unknown = (names ?? []).filter((n) => !this.instanceTypes.has(n));
    if (unknown.length > 0) fail('ec2', 'InvalidInstanceType', `The following supplied instance types do not exist: [${unknown.join(', ')}]`);
    const selected = names !== undefined && names.length > 0 ? names.map((n) => this.instanceTypes.get(n) as InstanceTypeInfo) : [...this.instanceTypes.values()];
    const filters = (input['Filters'] as Filter[] | undefined) ?? [];
    const matching = selected.filter((t) =>
      filters.every((f) => {
        if (f.Name === 'network-info.ena-support') return filterValues(f).includes(t.NetworkInfo?.EnaSupport ?? '');
        if (f.Name === 'instance-type') return filterValues(f).some((v) => wildcard(v).test(t.InstanceType ?? ''));
        return fail('ec2', 'InvalidParameterValue', `The filter '${f.Name}' is invalid or not modelled by the simulator`);
      }),
    );
    return ok({ InstanceTypes: matching.map((t) => copy(t)) });
  }

  // ---------------------------------------------------------------- images and snapshots

  private liveImage(imageId: string): ImageRecord {
    const record = this.images.get(imageId);
    if (record === undefined || record.image.State === 'deregistered') fail('ec2', 'InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
    return record;
  }

  private assertUniqueName(name: string): void {
    for (const { image } of this.images.values()) {
      if (image.Name === name && image.OwnerId === this.accountId && image.State !== 'deregistered') {
        fail('ec2', 'InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${image.ImageId}`);
      }
    }
  }

  private addImage(image: Image, guest: GuestSpec | undefined, availableAfterSeconds: number): string {
    const imageId = image.ImageId ?? '';
    const record: ImageRecord = { image, guest };
    this.images.set(imageId, record);
    this.clock.schedule(availableAfterSeconds * 1000, () => {
      if (record.image.State === 'pending') record.image.State = 'available';
    });
    return imageId;
  }

  private createImage(input: Record<string, unknown>): object {
    const record = this.record(requireString('ec2', input, 'InstanceId'));
    const name = requireString('ec2', input, 'Name');
    const instanceId = record.instance.InstanceId ?? '';
    const state = this.stateOf(record);
    if (state !== 'running' && state !== 'stopped') fail('ec2', 'IncorrectInstanceState', `The instance '${instanceId}' is not in a state from which an image can be created.`);
    this.assertUniqueName(name);
    const guest = this.guests.get(instanceId);
    const mappings: BlockDeviceMapping[] = (record.instance.BlockDeviceMappings ?? []).map((m) => {
      const snapshotId = this.ids.ec2('snap');
      this.snapshots.set(snapshotId, {
        snapshot: { SnapshotId: snapshotId, VolumeId: m.Ebs?.VolumeId, State: 'completed', OwnerId: this.accountId, StartTime: this.clock.now(), Description: `Created by CreateImage(${instanceId})` },
        guest: guest?.snapshot(),
      });
      return { DeviceName: m.DeviceName, Ebs: { SnapshotId: snapshotId, DeleteOnTermination: true, VolumeType: 'gp3' } };
    });
    const tags = ((input['TagSpecifications'] as { ResourceType?: string; Tags?: Tag[] }[] | undefined) ?? []).filter((s) => s.ResourceType === 'image').flatMap((s) => s.Tags ?? []);
    const image = this.newImage(name, input['Description'] as string | undefined, mappings, tags, {
      EnaSupport: record.instance.EnaSupport === true,
      Architecture: record.instance.Architecture,
      Platform: record.instance.Platform,
      PlatformDetails: record.instance.PlatformDetails,
      RootDeviceName: record.instance.RootDeviceName,
      VirtualizationType: record.instance.VirtualizationType ?? 'hvm',
    });
    // Without NoReboot, EC2 reboots a running instance to take a consistent image: pending updates
    // take effect then.
    if (state === 'running' && input['NoReboot'] !== true) this.reboot(instanceId);
    return ok({ ImageId: this.addImage(image, guest?.snapshot(), this.timings.createImageSeconds) });
  }

  /** A new EBS-backed image of this account, pending from now, as CreateImage and RegisterImage make it. */
  private newImage(name: string, description: string | undefined, mappings: BlockDeviceMapping[], tags: Tag[], fields: Partial<Image>): Image {
    return {
      ImageId: this.ids.ec2('ami'),
      Name: name,
      Description: description,
      State: 'pending',
      OwnerId: this.accountId,
      CreationDate: this.clock.now().toISOString(),
      RootDeviceType: 'ebs',
      Hypervisor: 'xen',
      ImageType: 'machine',
      Public: false,
      BlockDeviceMappings: mappings,
      Tags: tags.length > 0 ? tags : undefined,
      ...fields,
    };
  }

  private registerImage(input: Record<string, unknown>): object {
    const name = requireString('ec2', input, 'Name');
    this.assertUniqueName(name);
    const mappings = copy((input['BlockDeviceMappings'] as BlockDeviceMapping[] | undefined) ?? []);
    const rootDeviceName = (input['RootDeviceName'] as string | undefined) ?? mappings[0]?.DeviceName;
    let guest: GuestSpec | undefined;
    for (const mapping of mappings) {
      const snapshotId = mapping.Ebs?.SnapshotId;
      if (snapshotId === undefined) continue;
      // EbsBlockDevice (EC2 API reference): from an existing snapshot "you must omit this parameter.
      // If you include this parameter, the request will fail, regardless of the value". DescribeImages
      // returns it, so mappings copied from there must not be passed on as they are. Unconfirmed:
      // the message (the code is EC2's InvalidBlockDeviceMapping).
      if (mapping.Ebs?.Encrypted !== undefined) {
        fail('ec2', 'InvalidBlockDeviceMapping', `the encrypted flag cannot be specified since device ${mapping.DeviceName ?? '?'} has a snapshot specified.`);
      }
      const snapshot = this.snapshots.get(snapshotId);
      if (snapshot === undefined) fail('ec2', 'InvalidSnapshot.NotFound', `The snapshot '${snapshotId}' does not exist.`);
      if (mapping.DeviceName === rootDeviceName) guest = snapshot.guest;
    }
    if (mappings.length === 0 && typeof input['ImageLocation'] !== 'string') fail('ec2', 'InvalidParameterCombination', 'RegisterImage needs BlockDeviceMappings with a root snapshot (or an ImageLocation)');
    // RegisterImage tags only the image: "If you specify another value for ResourceType, the request fails."
    const specifications = (input['TagSpecifications'] as { ResourceType?: string; Tags?: Tag[] }[] | undefined) ?? [];
    if (specifications.some((s) => s.ResourceType !== 'image')) fail('ec2', 'InvalidParameterValue', 'RegisterImage can tag only the image: TagSpecifications ResourceType must be image');
    const tags = specifications.flatMap((s) => s.Tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
    const image = this.newImage(name, input['Description'] as string | undefined, mappings, tags, {
      EnaSupport: input['EnaSupport'] === true,
      Architecture: (input['Architecture'] as Image['Architecture']) ?? 'x86_64',
      RootDeviceName: rootDeviceName,
      VirtualizationType: (input['VirtualizationType'] as Image['VirtualizationType']) ?? 'hvm',
      SriovNetSupport: input['SriovNetSupport'] as string | undefined,
      BootMode: input['BootMode'] as Image['BootMode'],
    });
    if (guest?.osFamily === 'windows') image.Platform = WINDOWS_PLATFORM;
    return ok({ ImageId: this.addImage(image, guest, this.timings.registerImageSeconds) });
  }

  private imageMatches(image: Image, filter: Filter): boolean {
    const values = filterValues(filter);
    const name = filter.Name ?? '';
    if (name.startsWith('tag:')) return tagsMatch(image.Tags, name.slice(4), values);
    const field: Record<string, string | undefined> = {
      'image-id': image.ImageId,
      name: image.Name,
      state: image.State,
      'ena-support': String(image.EnaSupport === true),
      'owner-id': image.OwnerId,
      platform: image.Platform,
      'root-device-type': image.RootDeviceType,
    };
    if (!(name in field)) fail('ec2', 'InvalidParameterValue', `The filter '${name}' is invalid or not modelled by the simulator`);
    const actual = field[name];
    return actual !== undefined && values.some((v) => wildcard(v).test(actual));
  }

  private describeImages(input: Record<string, unknown>): object {
    const ids = stringList('ec2', input, 'ImageIds');
    const owners = stringList('ec2', input, 'Owners');
    const filters = (input['Filters'] as Filter[] | undefined) ?? [];
    const includeDeprecated = input['IncludeDeprecated'] === true || (ids !== undefined && ids.length > 0);
    let selected: Image[];
    if (ids !== undefined && ids.length > 0) {
      const missing = ids.filter((id) => this.images.get(id) === undefined || this.images.get(id)?.image.State === 'deregistered');
      if (missing.length > 0) fail('ec2', 'InvalidAMIID.NotFound', `The image id '[${missing.join(', ')}]' does not exist`);
      selected = ids.map((id) => this.liveImage(id).image);
    } else {
      selected = [...this.images.values()].map((r) => r.image).filter((i) => i.State !== 'deregistered');
    }
    const now = this.clock.nowMs();
    const matching = selected.filter(
      (image) =>
        (owners === undefined || owners.length === 0 || owners.some((o) => (o === 'self' ? image.OwnerId === this.accountId : image.OwnerId === o))) &&
        filters.every((f) => this.imageMatches(image, f)) &&
        (includeDeprecated || image.DeprecationTime === undefined || Date.parse(image.DeprecationTime) > now),
    );
    return ok({ Images: matching.map((i) => copy(i)) });
  }

  /**
   * DescribeImageAttribute for the attributes runbooks read: `blockDeviceMapping` (without
   * `Encrypted`, which the EbsBlockDevice reference says DescribeImageAttribute does not return,
   * so the mappings can be passed to RegisterImage as they are), `description` and `bootMode`.
   */
  private describeImageAttribute(input: Record<string, unknown>): object {
    const record = this.liveImage(requireString('ec2', input, 'ImageId'));
    const attribute = requireString('ec2', input, 'Attribute');
    const image = record.image;
    switch (attribute) {
      case 'blockDeviceMapping':
        return ok({
          ImageId: image.ImageId,
          BlockDeviceMappings: (image.BlockDeviceMappings ?? []).map((mapping) => {
            const result = copy(mapping);
            if (result.Ebs !== undefined) {
              delete result.Ebs.Encrypted;
              delete result.Ebs.KmsKeyId;
            }
            return result;
          }),
        });
      case 'description':
        return ok({ ImageId: image.ImageId, Description: image.Description === undefined ? {} : { Value: image.Description } });
      case 'bootMode':
        return ok({ ImageId: image.ImageId, BootMode: image.BootMode === undefined ? {} : { Value: image.BootMode } });
      default:
        return fail('ec2', 'InvalidParameterValue', `Value (${attribute}) for parameter attribute is invalid or not modelled by the simulator`);
    }
  }

  private modifyImageAttribute(input: Record<string, unknown>): object {
    const record = this.liveImage(requireString('ec2', input, 'ImageId'));
    const attribute = input['Attribute'] as string | undefined;
    if ('EnaSupport' in input || (attribute !== undefined && !['description', 'launchPermission', 'imdsSupport'].includes(attribute))) {
      fail('ec2', 'InvalidParameterValue', `Value (${attribute ?? 'enaSupport'}) for parameter attribute is invalid. ModifyImageAttribute accepts description, imdsSupport and launchPermission only; register a new image to change enaSupport.`);
    }
    const description = (input['Description'] as { Value?: string } | undefined)?.Value ?? (attribute === 'description' ? (input['Value'] as string | undefined) : undefined);
    if (description !== undefined) record.image.Description = description;
    const imds = (input['ImdsSupport'] as { Value?: string } | undefined)?.Value;
    if (imds !== undefined) record.image.ImdsSupport = imds as Image['ImdsSupport'];
    return ok({});
  }

  private enableImageDeprecation(input: Record<string, unknown>): object {
    const record = this.liveImage(requireString('ec2', input, 'ImageId'));
    const at = input['DeprecateAt'];
    const when = at instanceof Date ? at : typeof at === 'string' ? new Date(at) : undefined;
    if (when === undefined || Number.isNaN(when.getTime())) fail('ec2', 'MissingParameter', 'The request must contain the parameter DeprecateAt');
    // EC2 API reference: "You can't specify a date in the past." Unconfirmed: the error code and message.
    if (when.getTime() < this.clock.nowMs()) fail('ec2', 'InvalidParameterValue', `DeprecateAt ${when.toISOString()} is in the past; specify a future date and time`);
    record.image.DeprecationTime = when.toISOString();
    return ok({ Return: true });
  }

  private deregisterImage(input: Record<string, unknown>): object {
    const record = this.liveImage(requireString('ec2', input, 'ImageId'));
    record.image.State = 'deregistered';
    const results: { SnapshotId?: string; ReturnCode?: string }[] = [];
    if (input['DeleteAssociatedSnapshots'] === true) {
      for (const mapping of record.image.BlockDeviceMappings ?? []) {
        const snapshotId = mapping.Ebs?.SnapshotId;
        if (snapshotId !== undefined && this.snapshots.delete(snapshotId)) results.push({ SnapshotId: snapshotId, ReturnCode: 'success' });
      }
    }
    return ok({ Return: true, DeleteSnapshotResults: results.length > 0 ? results : undefined });
  }

  private describeSnapshots(input: Record<string, unknown>): object {
    const ids = stringList('ec2', input, 'SnapshotIds');
    if (ids !== undefined && ids.length > 0) {
      const missing = ids.filter((id) => !this.snapshots.has(id));
      if (missing.length > 0) fail('ec2', 'InvalidSnapshot.NotFound', `The snapshot '${missing.join(', ')}' does not exist.`);
      return ok({ Snapshots: ids.map((id) => copy(this.snapshots.get(id)?.snapshot)) });
    }
    return ok({ Snapshots: [...this.snapshots.values()].map((s) => copy(s.snapshot)) });
  }

  // ---------------------------------------------------------------- launch templates

  private template(input: Record<string, unknown>): LaunchTemplateRecord {
    const id = input['LaunchTemplateId'] as string | undefined;
    const name = input['LaunchTemplateName'] as string | undefined;
    if (id !== undefined) {
      const record = this.launchTemplates.get(id);
      if (record === undefined) fail('ec2', 'InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${id}, does not exist.`);
      return record;
    }
    if (name !== undefined) {
      const record = [...this.launchTemplates.values()].find((r) => r.template.LaunchTemplateName === name);
      if (record === undefined) fail('ec2', 'InvalidLaunchTemplateName.NotFoundException', `The specified launch template, with template name ${name}, does not exist.`);
      return record;
    }
    return fail('ec2', 'MissingParameter', 'The request must contain the parameter LaunchTemplateId or LaunchTemplateName');
  }

  private describeLaunchTemplates(input: Record<string, unknown>): object {
    const ids = stringList('ec2', input, 'LaunchTemplateIds');
    const names = stringList('ec2', input, 'LaunchTemplateNames');
    let selected = [...this.launchTemplates.values()];
    if (ids !== undefined && ids.length > 0) selected = ids.map((id) => this.template({ LaunchTemplateId: id }));
    if (names !== undefined && names.length > 0) selected = names.map((name) => this.template({ LaunchTemplateName: name }));
    return ok({ LaunchTemplates: selected.map((r) => copy(r.template)) });
  }

  private resolveVersion(record: LaunchTemplateRecord, version: string): LaunchTemplateVersion {
    const number = version === '$Latest' ? record.template.LatestVersionNumber : version === '$Default' ? record.template.DefaultVersionNumber : Number.parseInt(version, 10);
    const found = record.versions.find((v) => v.VersionNumber === number);
    if (found === undefined) fail('ec2', 'InvalidLaunchTemplateId.VersionNotFound', `Could not find launch template version ${version} for launch template ${record.template.LaunchTemplateId}.`);
    return found;
  }

  private describeLaunchTemplateVersions(input: Record<string, unknown>): object {
    const record = this.template(input);
    const versions = stringList('ec2', input, 'Versions');
    const selected = versions !== undefined && versions.length > 0 ? versions.map((v) => this.resolveVersion(record, v)) : record.versions;
    const defaultNumber = record.template.DefaultVersionNumber;
    return ok({ LaunchTemplateVersions: selected.map((v) => ({ ...copy(v), DefaultVersion: v.VersionNumber === defaultNumber })) });
  }

  private createLaunchTemplateVersion(input: Record<string, unknown>): object {
    const record = this.template(input);
    const data = input['LaunchTemplateData'] as ResponseLaunchTemplateData | undefined;
    if (data === undefined) fail('ec2', 'MissingParameter', 'The request must contain the parameter LaunchTemplateData');
    if (data.ImageId !== undefined && !data.ImageId.startsWith('resolve:ssm:')) this.liveImage(data.ImageId);
    const source = typeof input['SourceVersion'] === 'string' ? this.resolveVersion(record, input['SourceVersion']).LaunchTemplateData : undefined;
    const number = (record.template.LatestVersionNumber ?? 0) + 1;
    const version: LaunchTemplateVersion = {
      LaunchTemplateId: record.template.LaunchTemplateId,
      LaunchTemplateName: record.template.LaunchTemplateName,
      VersionNumber: number,
      VersionDescription: input['VersionDescription'] as string | undefined,
      CreateTime: this.clock.now(),
      DefaultVersion: false,
      LaunchTemplateData: { ...copy(source ?? {}), ...copy(data) },
    };
    record.versions.push(version);
    record.template.LatestVersionNumber = number;
    return ok({ LaunchTemplateVersion: copy(version) });
  }

  private modifyLaunchTemplate(input: Record<string, unknown>): object {
    const record = this.template(input);
    const defaultVersion = input['DefaultVersion'] as string | undefined;
    if (defaultVersion !== undefined) record.template.DefaultVersionNumber = this.resolveVersion(record, defaultVersion).VersionNumber;
    return ok({ LaunchTemplate: copy(record.template) });
  }

  // ---------------------------------------------------------------- tags

  private createTags(input: Record<string, unknown>): object {
    const resources = stringList('ec2', input, 'Resources') ?? [];
    const tags = (input['Tags'] as Tag[] | undefined) ?? [];
    const merge = (existing: Tag[] | undefined): Tag[] => {
      const byKey = new Map((existing ?? []).map((t) => [t.Key, t]));
      for (const tag of tags) byKey.set(tag.Key, { Key: tag.Key, Value: tag.Value ?? '' });
      return [...byKey.values()];
    };
    const targets = resources.map((id) => {
      const instance = this.instances.get(id);
      if (instance !== undefined) return () => (instance.instance.Tags = merge(instance.instance.Tags));
      const image = this.images.get(id);
      if (image !== undefined && image.image.State !== 'deregistered') return () => (image.image.Tags = merge(image.image.Tags));
      const snapshot = this.snapshots.get(id);
      if (snapshot !== undefined) return () => (snapshot.snapshot.Tags = merge(snapshot.snapshot.Tags));
      const template = this.launchTemplates.get(id);
      if (template !== undefined) return () => (template.template.Tags = merge(template.template.Tags));
      return fail('ec2', 'InvalidID', `The ID '${id}' is not valid`);
    });
    for (const apply of targets) apply();
    return ok({});
  }

  /** Every tag of every resource that has tags, in the order the resources were added. */
  private allTags(): TagDescription[] {
    const describe = (resourceId: string | undefined, resourceType: TagDescription['ResourceType'], tags: readonly Tag[] | undefined): TagDescription[] =>
      (tags ?? []).map((tag) => ({ Key: tag.Key, ResourceId: resourceId, ResourceType: resourceType, Value: tag.Value ?? '' }));
    return [
      ...[...this.instances.values()].flatMap((r) => describe(r.instance.InstanceId, 'instance', r.instance.Tags)),
      ...[...this.images.values()].filter((r) => r.image.State !== 'deregistered').flatMap((r) => describe(r.image.ImageId, 'image', r.image.Tags)),
      ...[...this.snapshots.values()].flatMap((r) => describe(r.snapshot.SnapshotId, 'snapshot', r.snapshot.Tags)),
      ...[...this.launchTemplates.values()].flatMap((r) => describe(r.template.LaunchTemplateId, 'launch-template', r.template.Tags)),
    ];
  }

  private tagMatches(tag: TagDescription, filter: Filter): boolean {
    const values = filterValues(filter);
    const name = filter.Name ?? '';
    if (name.startsWith('tag:')) return tag.Key === name.slice(4) && values.some((v) => wildcard(v).test(tag.Value ?? ''));
    const field: Record<string, string | undefined> = { key: tag.Key, value: tag.Value, 'resource-id': tag.ResourceId, 'resource-type': tag.ResourceType };
    if (!(name in field)) fail('ec2', 'InvalidParameterValue', `The filter '${name}' is invalid`);
    const actual = field[name];
    return actual !== undefined && values.some((v) => wildcard(v).test(actual));
  }

  /**
   * DescribeTags: the tags of instances (terminated ones too, while DescribeInstances shows them),
   * images (not deregistered ones), snapshots and launch templates; filters `key`, `value`,
   * `resource-id`, `resource-type`, `tag:<key>`, with wildcards; `MaxResults` (5–1000) and
   * `NextToken`. Unconfirmed: the order of the tags, resource by resource.
   */
  private describeTags(input: Record<string, unknown>): object {
    const filters = (input['Filters'] as Filter[] | undefined) ?? [];
    const maxResults = input['MaxResults'] as number | undefined;
    if (maxResults !== undefined && (maxResults < 5 || maxResults > 1000)) fail('ec2', 'InvalidParameterValue', `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000`);
    const matching = this.allTags().filter((tag) => filters.every((f) => this.tagMatches(tag, f)));
    const start = typeof input['NextToken'] === 'string' ? Number.parseInt(input['NextToken'], 10) : 0;
    const page = maxResults === undefined ? matching.slice(start) : matching.slice(start, start + maxResults);
    const next = maxResults !== undefined && start + maxResults < matching.length ? String(start + maxResults) : undefined;
    return ok({ Tags: page, NextToken: next });
  }
}
