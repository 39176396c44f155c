/**
 * An AWS account in memory: EC2, Systems Manager, Auto Scaling and DynamoDB models sharing one
 * virtual clock, one set of guests, one fault injector and one call log. Every API call, from a runbook
 * step or from an SDK client wired with `wireEc2Client` / `wireSsmClient`, goes through
 * {@link AccountModel.call}.
 */
import type { Image, InstanceTypeInfo, LaunchTemplate, LaunchTemplateVersion, Reservation } from '@aws-sdk/client-ec2';
import type { AssociationDescription, AutomationExecutionMetadata, InstanceInformation } from '@aws-sdk/client-ssm';
import { AutoScalingModel, type AutoScalingGroupSettings, type AutoScalingInstanceDetails } from './autoscaling-model.js';
import { CallLog, resourceIdsOf, type CallCaller } from './call-log.js';
import { VirtualClock } from './clock.js';
import { DynamoDbModel, type DynamoDbTableDefinition } from './dynamodb-model.js';
import { DEFAULT_EC2_TIMINGS, Ec2Model, isWindows, type Ec2Timings, type InstanceExtras } from './ec2-model.js';
import { SimulatorError, UnsupportedOperationError, isAwsServiceError, type ServiceName } from './errors.js';
import { FaultInjector, type FaultRule } from './faults.js';
import { Guest, defaultGuestSpec, type GuestSpec } from './guest.js';
import { IdGenerator, copy, type OperationTable } from './model-support.js';
import { SsmModel } from './ssm-model.js';

/**
 * What an account starts with. The EC2 parts are exactly what the SDK (or `aws ec2 describe-*
 * --output json`) returns; dates may be `Date` objects or ISO strings.
 */
export interface AccountSnapshot {
  readonly accountId?: string;
  readonly region?: string;
  /** Simulated time at which the account starts. */
  readonly startTime?: Date | string;
  /** `DescribeInstancesCommandOutput['Reservations']`. */
  readonly reservations?: readonly Reservation[];
  /** Facts DescribeInstances does not show (stop protection, Spot request type), by instance id. */
  readonly instanceExtras?: Readonly<Record<string, InstanceExtras>>;
  /** `DescribeInstanceTypesCommandOutput['InstanceTypes']`. */
  readonly instanceTypes?: readonly InstanceTypeInfo[];
  /** `DescribeImagesCommandOutput['Images']`. */
  readonly images?: readonly Image[];
  /** The guest an instance launched from an image boots with, by image id. */
  readonly imageGuests?: Readonly<Record<string, GuestSpec>>;
  readonly launchTemplates?: readonly LaunchTemplate[];
  readonly launchTemplateVersions?: readonly LaunchTemplateVersion[];
  /** `DescribeInstanceInformationCommandOutput['InstanceInformationList']`: when given, instances absent from it are unmanaged. */
  readonly instanceInformation?: readonly InstanceInformation[];
  /** The guest of each instance, by instance id (wins over `instanceInformation`). */
  readonly guests?: Readonly<Record<string, GuestSpec>>;
  readonly autoScalingGroups?: readonly AutoScalingGroupSettings[];
  readonly autoScalingInstances?: readonly AutoScalingInstanceDetails[];
  /** Custom inventory as already uploaded (ListInventoryEntries shows it at once): instance id → type name → entries. */
  readonly inventory?: Readonly<Record<string, Readonly<Record<string, readonly Record<string, string>[]>>>>;
  /**
   * State Manager associations, as DescribeAssociation returns them (`AssociationId` and `Name`
   * required), e.g. `{ AssociationId, Name: 'AWS-GatherSoftwareInventory', Targets: [{ Key:
   * 'InstanceIds', Values: ['*'] }], Parameters: { customInventory: ['Enabled'] } }`.
   */
  readonly associations?: readonly AssociationDescription[];
  /**
   * DynamoDB tables, each with a string partition key (`{ TableName: 'EnaGuard-Locks',
   * KeyAttribute: 'LockId' }`) and optionally the items already in it.
   */
  readonly dynamoDbTables?: readonly DynamoDbTableDefinition[];
  /**
   * Automation executions that ran or run outside the simulation, as DescribeAutomationExecutions
   * lists them (`AutomationExecutionId`, `DocumentName` and `AutomationExecutionStatus` required):
   * one that crashed (`Failed`), one still running elsewhere (`InProgress`).
   */
  readonly automationExecutions?: readonly AutomationExecutionMetadata[];
}

export interface AccountModelOptions {
  readonly timings?: Partial<Ec2Timings>;
  readonly faults?: readonly FaultRule[];
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** Turns ISO strings under keys ending in `Time` into Dates, as the SDK deserializer does for instances. */
function revivingTimes<T>(value: T): T {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== 'object' || node instanceof Date) return node;
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, typeof v === 'string' && k.endsWith('Time') && ISO_DATE.test(v) ? new Date(v) : visit(v)]),
    );
  };
  return visit(value) as T;
}

function guestFromInformation(info: InstanceInformation): GuestSpec {
  const windows = info.PlatformType === 'Windows';
  const base = defaultGuestSpec(windows ? 'windows' : 'linux');
  const version = windows ? (/(2008 R2|2012 R2|2012|2016|2019|2022|2025)/.exec(info.PlatformName ?? '')?.[1] ?? base.osVersion) : (info.PlatformVersion ?? base.osVersion);
  return { ...base, osName: info.PlatformName ?? base.osName, osVersion: version, agentVersion: info.AgentVersion ?? base.agentVersion, ssmAgent: true };
}

export class AccountModel {
  readonly clock: VirtualClock;
  readonly faults: FaultInjector;
  readonly calls = new CallLog();
  readonly ec2: Ec2Model;
  readonly ssm: SsmModel;
  readonly autoscaling: AutoScalingModel;
  readonly dynamodb = new DynamoDbModel();
  readonly accountId: string;
  readonly region: string;
  private readonly guests = new Map<string, Guest>();
  private readonly tables: Readonly<Record<ServiceName, OperationTable>>;
  /** Shared with the interpreter so execution and command ids never collide. */
  readonly ids = new IdGenerator();

  constructor(options: AccountModelOptions & { accountId?: string; region?: string; startTime?: Date } = {}) {
    this.accountId = options.accountId ?? '111122223333';
    this.region = options.region ?? 'us-east-1';
    this.clock = new VirtualClock(options.startTime);
    this.faults = new FaultInjector(options.faults ?? []);
    this.ec2 = new Ec2Model(this.clock, this.ids, this.guests, this.accountId, this.region, { ...DEFAULT_EC2_TIMINGS, ...options.timings });
    this.ssm = new SsmModel(this.clock, this.ids, this.ec2, this.guests);
    this.autoscaling = new AutoScalingModel(this.clock, this.ids, this.ec2);
    this.tables = { ec2: this.ec2.operations(), ssm: this.ssm.operations(), autoscaling: this.autoscaling.operations(), dynamodb: this.dynamodb.operations() };
  }

  /** Builds an account from a snapshot (see {@link AccountSnapshot}). */
  static fromSnapshot(snapshot: AccountSnapshot, options: AccountModelOptions = {}): AccountModel {
    const startTime = snapshot.startTime === undefined ? undefined : new Date(snapshot.startTime);
    const model = new AccountModel({ ...options, accountId: snapshot.accountId, region: snapshot.region, startTime });
    const managed = new Map((snapshot.instanceInformation ?? []).map((info) => [info.InstanceId ?? '', info]));
    const reservations = revivingTimes(snapshot.reservations ?? []);
    for (const instance of reservations.flatMap((r) => r.Instances ?? [])) {
      const id = instance.InstanceId ?? '';
      const spec = snapshot.guests?.[id];
      const info = managed.get(id);
      if (spec !== undefined) model.guests.set(id, new Guest(spec));
      else if (info !== undefined) model.guests.set(id, new Guest(guestFromInformation(info)));
      else if (snapshot.instanceInformation !== undefined) model.guests.set(id, new Guest({ ...defaultGuestSpec(isWindows(instance.Platform) ? 'windows' : 'linux'), ssmAgent: false }));
    }
    model.ec2.seedInstanceTypes(snapshot.instanceTypes ?? []);
    model.ec2.seedImages(snapshot.images ?? [], snapshot.imageGuests);
    model.ec2.seedReservations(reservations, snapshot.instanceExtras);
    model.ec2.seedLaunchTemplates(revivingTimes(snapshot.launchTemplates ?? []), revivingTimes(snapshot.launchTemplateVersions ?? []));
    model.autoscaling.seed(snapshot.autoScalingGroups ?? [], snapshot.autoScalingInstances ?? []);
    for (const [instanceId, types] of Object.entries(snapshot.inventory ?? {})) {
      for (const [typeName, entries] of Object.entries(types)) model.ssm.seedInventory(instanceId, typeName, entries, model.clock.now());
    }
    model.ssm.seedAssociations(snapshot.associations ?? []);
    model.dynamodb.seedTables(snapshot.dynamoDbTables ?? []);
    model.ssm.seedAutomationExecutions(revivingTimes(snapshot.automationExecutions ?? []));
    return model;
  }

  /** The guest of an instance, to inspect it or register script behaviours. */
  guest(instanceId: string): Guest {
    const guest = this.guests.get(instanceId);
    if (guest === undefined) throw new SimulatorError(`No guest for instance ${instanceId}: the account has no such instance`);
    return guest;
  }

  /** The operations the model implements for a service (PascalCase, sorted); none for a service it does not model. */
  operations(service: string): string[] {
    const table = this.tables[service.toLowerCase() as ServiceName] as OperationTable | undefined;
    return Object.keys(table ?? {}).sort();
  }

  /** True when the model implements `service:operation`. */
  supports(service: string, operation: string): boolean {
    const table = this.tables[service.toLowerCase() as ServiceName] as OperationTable | undefined;
    return table?.[operation] !== undefined;
  }

  /**
   * Makes one API call. `service` as SSM documents name it (`ec2`, `ssm`, `autoscaling`,
   * `dynamodb`), `operation` in PascalCase, `input` as the SDK's `…CommandInput`. Returns the
   * SDK's `…CommandOutput`, or throws an SDK-shaped service exception. Injected faults strike
   * before the model sees the call; every call is logged, with the execution step that made it
   * when a runbook did (`caller`).
   */
  call(service: string, operation: string, input: Record<string, unknown> = {}, caller?: CallCaller): object {
    const name = service.toLowerCase() as ServiceName;
    const table = this.tables[name] as OperationTable | undefined;
    const handler = table?.[operation];
    if (table === undefined || handler === undefined) throw new UnsupportedOperationError(service, operation);
    this.clock.settle();
    const base = { service: name, operation, input: copy(input), resourceIds: resourceIdsOf(input), at: this.clock.now(), ...(caller === undefined ? {} : { caller }) };
    const injected = this.faults.check(name, operation, base.resourceIds);
    if (injected !== undefined) {
      this.calls.add({ ...base, error: { code: injected.name, message: injected.message, injected: true } });
      throw injected;
    }
    try {
      const output = handler(input);
      this.calls.add({ ...base, output: copy(output) });
      return output;
    } catch (error) {
      if (isAwsServiceError(error)) this.calls.add({ ...base, error: { code: error.name, message: error.message, injected: false } });
      throw error;
    }
  }
}
