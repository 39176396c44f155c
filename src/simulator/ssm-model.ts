/**
 * The Systems Manager part of the account model: managed instances, custom inventory, Run
 * Command (SendCommand / GetCommandInvocation) executing the known Command documents against each
 * instance's guest model, inventory associations (StartAssociationsOnce) that gather the
 * custom inventory files the guests hold, and the Automation executions of the account
 * (DescribeAutomationExecutions / GetAutomationExecution): those the simulator runs, which it
 * registers as they start, step and end, and those a test seeds.
 */
import type {
  AssociationDescription,
  AutomationExecution,
  AutomationExecutionMetadata,
  AutomationExecutionStatus,
  CommandInvocationStatus,
  InstanceInformation,
  StepExecution,
  Target,
} from '@aws-sdk/client-ssm';
import type { VirtualClock } from './clock.js';
import { KNOWN_COMMAND_DOCUMENTS, type CommandOutcome } from './command-documents.js';
import type { Ec2Model } from './ec2-model.js';
import { SimulatorError } from './errors.js';
import type { Guest } from './guest.js';
import { copy, fail, ok, requireString, stringList, type IdGenerator, type OperationTable } from './model-support.js';

/** SendCommand takes at most this many instance ids. */
export const MAX_COMMAND_INSTANCES = 50;

interface Invocation {
  commandId: string;
  instanceId: string;
  documentName: string;
  status: CommandInvocationStatus;
  statusDetails: string;
  responseCode: number;
  stdout: string;
  stderr: string;
  start?: Date;
  end?: Date;
}

interface InventoryItem {
  readonly typeName: string;
  readonly schemaVersion: string;
  readonly captureTime: string;
  readonly content: Record<string, string>[];
}

/** A Command document a test adds beyond the built-in ones. */
export type CustomCommandDocument = (typeof KNOWN_COMMAND_DOCUMENTS)[string];

const DEFAULT_DELIVERY_TIMEOUT_SECONDS = 3600;

/** The AWS document of inventory associations. */
export const GATHER_INVENTORY_DOCUMENT = 'AWS-GatherSoftwareInventory';

/**
 * Seconds from StartAssociationsOnce to the gathered inventory being visible in
 * ListInventoryEntries. Unconfirmed: AWS documents no figure; a gather usually takes under a minute.
 */
export const INVENTORY_GATHER_SECONDS = 60;

/** StartAssociationsOnce takes at most this many association ids. */
export const MAX_ASSOCIATIONS_ONCE = 10;

/** Target keys an association may use in the simulator. */
const TARGET_KEYS = ['InstanceIds', 'tag-key'];

/** True for an association target key the simulator models (`InstanceIds`, `tag-key`, `tag:<key>`). */
export function isModelledAssociationTarget(key: string): boolean {
  return TARGET_KEYS.includes(key) || key.startsWith('tag:');
}

interface Association {
  readonly description: AssociationDescription & { AssociationId: string; Name: string };
  /** Gathers started and not yet finished. */
  running: number;
  lastExecution?: Date;
}

/** An Automation execution, as a test seeds it or the interpreter registers it. */
export interface AutomationExecutionRecord {
  readonly id: string;
  readonly documentName: string;
  readonly status: AutomationExecutionStatus;
  /** Default: when first recorded (the current simulated time). */
  readonly startTime?: Date;
  /** Default: the current simulated time once the status is final; none while it is active. */
  readonly endTime?: Date;
  readonly failureMessage?: string;
  /** The execution that started this one (aws:executeAutomation). */
  readonly parentExecutionId?: string;
  /** The step running now, while the execution is active. */
  readonly currentStep?: { readonly name: string; readonly action: string };
  /** The runtime parameters, as SSM shows them (every value a list of strings). */
  readonly parameters?: Readonly<Record<string, readonly string[]>>;
  /** The document outputs, `<step>.<output>` to a list of strings. */
  readonly outputs?: Readonly<Record<string, readonly string[]>>;
  readonly steps?: readonly StepExecution[];
}

/** Statuses of an execution that has not ended. */
const ACTIVE_EXECUTION_STATUSES: ReadonlySet<string> = new Set([
  'Pending',
  'InProgress',
  'Waiting',
  'Cancelling',
  'RunbookInProgress',
  'PendingApproval',
  'Approved',
  'Scheduled',
  'PendingChangeCalendarOverride',
  'ChangeCalendarOverrideApproved',
]);

/** Filter keys of DescribeAutomationExecutions (the SDK's AutomationExecutionFilterKey). */
const EXECUTION_FILTER_KEYS = [
  'AutomationSubtype',
  'AutomationType',
  'CurrentAction',
  'DocumentNamePrefix',
  'ExecutionId',
  'ExecutionStatus',
  'OpsItemId',
  'ParentExecutionId',
  'StartTimeAfter',
  'StartTimeBefore',
  'TagKey',
  'TargetResourceGroup',
];

/** DescribeAutomationExecutions' page size limit. */
export const MAX_AUTOMATION_EXECUTIONS_PAGE = 50;

interface StoredExecution {
  readonly seq: number;
  readonly record: AutomationExecutionRecord & { readonly startTime: Date };
}

function executionStartMs(execution: StoredExecution): number {
  return execution.record.startTime.getTime();
}

/** CaptureTime as the agent writes it: RFC 3339 in UTC, whole seconds. */
function captureTimeOf(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

export class SsmModel {
  private readonly invocations = new Map<string, Invocation>();
  private readonly inventory = new Map<string, Map<string, InventoryItem>>();
  private readonly documents = new Map(Object.entries(KNOWN_COMMAND_DOCUMENTS));
  private readonly associations = new Map<string, Association>();
  private readonly executions = new Map<string, StoredExecution>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly ids: IdGenerator,
    private readonly ec2: Ec2Model,
    private readonly guests: Map<string, Guest>,
  ) {}

  /** Adds (or replaces) a Command document the guests can run. */
  registerCommandDocument(name: string, document: CustomCommandDocument): void {
    this.documents.set(name, document);
  }

  /** Seeds custom inventory entries, as ListInventoryEntries returns them. */
  seedInventory(instanceId: string, typeName: string, entries: readonly Record<string, string>[], captureTime: Date): void {
    this.putItem(instanceId, { typeName, schemaVersion: '1.0', captureTime: captureTime.toISOString(), content: entries.map((e) => ({ ...e })) });
  }

  /**
   * Seeds State Manager associations, as DescribeAssociation returns them. Each needs an
   * `AssociationId` and a `Name`; `Targets` may use `InstanceIds` (ids or `*`), `tag:<key>` and
   * `tag-key` (every target must match, Unconfirmed), or the legacy `InstanceId` field.
   */
  seedAssociations(associations: readonly AssociationDescription[]): void {
    for (const association of associations) {
      const { AssociationId: id, Name: name } = association;
      if (id === undefined || id === '' || name === undefined || name === '') throw new SimulatorError('A seeded association needs an AssociationId and a Name');
      for (const target of association.Targets ?? []) {
        const key = target.Key ?? '';
        if (!isModelledAssociationTarget(key)) throw new SimulatorError(`Association ${id}: target key ${key} is not modelled by the simulator (InstanceIds, tag:<key>, tag-key)`);
      }
      this.associations.set(id, { description: { ...copy(association), AssociationId: id, Name: name }, running: 0 });
    }
  }

  /** The inventory entries of one type for one instance, as ListInventoryEntries shows them (empty when none). */
  inventoryEntries(instanceId: string, typeName: string): Record<string, string>[] {
    return copy(this.inventory.get(instanceId)?.get(typeName)?.content ?? []);
  }

  operations(): OperationTable {
    return {
      DescribeInstanceInformation: (i) => this.describeInstanceInformation(i),
      ListInventoryEntries: (i) => this.listInventoryEntries(i),
      PutInventory: (i) => this.putInventory(i),
      SendCommand: (i) => this.sendCommand(i),
      GetCommandInvocation: (i) => this.getCommandInvocation(i),
      DescribeAssociation: (i) => this.describeAssociation(i),
      ListAssociations: (i) => this.listAssociations(i),
      StartAssociationsOnce: (i) => this.startAssociationsOnce(i),
      DescribeAutomationExecutions: (i) => this.describeAutomationExecutions(i),
      GetAutomationExecution: (i) => this.getAutomationExecution(i),
    };
  }

  /**
   * Records an Automation execution, or replaces what was recorded under its id (keeping its
   * start time unless a new one is given). The interpreter records every execution it runs
   * (InProgress as it starts and at each step, its final status as it ends); a test records one
   * that runs or ran elsewhere: `recordAutomationExecution({ id, documentName, status: 'Failed' })`.
   * Returns the execution as DescribeAutomationExecutions lists it.
   */
  recordAutomationExecution(record: AutomationExecutionRecord): AutomationExecutionMetadata {
    if (record.id === '' || record.documentName === '') throw new SimulatorError('An automation execution needs an id and a document name');
    const previous = this.executions.get(record.id);
    const startTime = record.startTime ?? previous?.record.startTime ?? this.clock.now();
    const active = ACTIVE_EXECUTION_STATUSES.has(record.status);
    const endTime = active ? undefined : (record.endTime ?? this.clock.now());
    // The steps are copied shallowly (the interpreter records its growing list at every step; a deep
    // copy each time would be quadratic); reads copy them deeply.
    const { steps, ...rest } = record;
    const stored: StoredExecution = {
      seq: previous?.seq ?? this.executions.size,
      record: { ...copy(rest), steps: steps?.slice(), startTime, endTime, currentStep: active ? record.currentStep : undefined },
    };
    this.executions.set(record.id, stored);
    return this.metadata(stored);
  }

  /** Seeds executions as DescribeAutomationExecutions lists them (see AccountSnapshot.automationExecutions). */
  seedAutomationExecutions(executions: readonly AutomationExecutionMetadata[]): void {
    for (const metadata of executions) {
      const { AutomationExecutionId: id, DocumentName: documentName, AutomationExecutionStatus: status } = metadata;
      if (id === undefined || documentName === undefined || status === undefined) {
        throw new SimulatorError('A seeded automation execution needs an AutomationExecutionId, a DocumentName and an AutomationExecutionStatus');
      }
      this.recordAutomationExecution({
        id,
        documentName,
        status,
        startTime: metadata.ExecutionStartTime,
        endTime: metadata.ExecutionEndTime,
        failureMessage: metadata.FailureMessage,
        parentExecutionId: metadata.ParentAutomationExecutionId,
        currentStep: metadata.CurrentStepName === undefined ? undefined : { name: metadata.CurrentStepName, action: metadata.CurrentAction ?? '' },
        outputs: metadata.Outputs,
      });
    }
  }

  /** An execution as GetAutomationExecution returns it, or undefined. */
  automationExecution(id: string): AutomationExecution | undefined {
    const stored = this.executions.get(id);
    return stored === undefined ? undefined : this.execution(stored);
  }

  /** Online when the instance runs, its agent runs and it has a network. */
  pingStatus(instanceId: string): 'Online' | 'ConnectionLost' {
    return this.ec2.networkUp(instanceId) && this.guests.get(instanceId)?.agentRunning === true ? 'Online' : 'ConnectionLost';
  }

  private managed(instanceId: string): boolean {
    return this.guests.get(instanceId)?.ssmAgent === true && this.ec2.instance(instanceId) !== undefined;
  }

  private information(instanceId: string): InstanceInformation {
    const guest = this.guests.get(instanceId) as Guest;
    return {
      InstanceId: instanceId,
      PingStatus: this.pingStatus(instanceId),
      LastPingDateTime: this.clock.now(),
      AgentVersion: guest.spec.agentVersion ?? '3.3.0.0',
      IsLatestVersion: true,
      PlatformType: guest.osFamily === 'windows' ? 'Windows' : 'Linux',
      PlatformName: guest.spec.osName,
      PlatformVersion: guest.spec.osVersion,
      ResourceType: 'EC2Instance',
    };
  }

  private describeInstanceInformation(input: Record<string, unknown>): object {
    const filters = [
      ...((input['Filters'] as { Key?: string; Values?: string[] }[] | undefined) ?? []),
      ...((input['InstanceInformationFilterList'] as { key?: string; valueSet?: string[] }[] | undefined) ?? []).map((f) => ({ Key: f.key, Values: f.valueSet })),
    ];
    const all = [...this.guests.keys()].filter((id) => this.managed(id)).map((id) => this.information(id));
    const matching = all.filter((info) =>
      filters.every((f) => {
        const values = f.Values ?? [];
        if (f.Key === 'InstanceIds') return values.includes(info.InstanceId ?? '');
        if (f.Key === 'PingStatus') return values.includes(info.PingStatus ?? '');
        if (f.Key === 'PlatformTypes') return values.includes(info.PlatformType ?? '');
        return fail('ssm', 'InvalidInstanceInformationFilterValue', `The filter key ${f.Key} is not modelled by the simulator`);
      }),
    );
    return ok({ InstanceInformationList: matching });
  }

  private putItem(instanceId: string, item: InventoryItem): void {
    const items = this.inventory.get(instanceId) ?? new Map<string, InventoryItem>();
    items.set(item.typeName, item);
    this.inventory.set(instanceId, items);
  }

  private listInventoryEntries(input: Record<string, unknown>): object {
    const instanceId = requireString('ssm', input, 'InstanceId');
    const typeName = requireString('ssm', input, 'TypeName');
    if (!/^(AWS|Custom):/.test(typeName)) fail('ssm', 'InvalidTypeNameException', `The parameter type name ${typeName} is not valid.`);
    if (!this.managed(instanceId)) fail('ssm', 'InvalidInstanceId', `Instance ${instanceId} is not a managed instance.`);
    const item = this.inventory.get(instanceId)?.get(typeName);
    return ok({ TypeName: typeName, InstanceId: instanceId, SchemaVersion: item?.schemaVersion, CaptureTime: item?.captureTime, Entries: copy(item?.content ?? []) });
  }

  private putInventory(input: Record<string, unknown>): object {
    const instanceId = requireString('ssm', input, 'InstanceId');
    if (!this.managed(instanceId)) fail('ssm', 'InvalidInstanceId', `Instance ${instanceId} is not a managed instance.`);
    const items = (input['Items'] as { TypeName?: string; SchemaVersion?: string; CaptureTime?: string; Content?: Record<string, unknown>[] }[] | undefined) ?? [];
    for (const item of items) {
      const content = item.Content ?? [];
      if (content.some((entry) => Object.values(entry).some((v) => typeof v !== 'string'))) {
        fail('ssm', 'InvalidItemContentException', `Custom inventory values must be strings (type ${item.TypeName})`);
      }
      this.putItem(instanceId, {
        typeName: item.TypeName ?? '',
        schemaVersion: item.SchemaVersion ?? '1.0',
        captureTime: item.CaptureTime ?? this.clock.now().toISOString(),
        content: content as Record<string, string>[],
      });
    }
    return ok({ Message: 'Success' });
  }

  private sendCommand(input: Record<string, unknown>): object {
    const documentName = requireString('ssm', input, 'DocumentName');
    const instanceIds = stringList('ssm', input, 'InstanceIds') ?? [];
    if (instanceIds.length === 0) fail('ssm', 'ValidationException', 'SendCommand needs InstanceIds (Targets are not modelled by the simulator)');
    if (instanceIds.length > MAX_COMMAND_INSTANCES) fail('ssm', 'ValidationException', `Member must have length less than or equal to ${MAX_COMMAND_INSTANCES} (InstanceIds has ${instanceIds.length})`);
    const document = this.documents.get(documentName);
    if (document === undefined) fail('ssm', 'InvalidDocument', `Document ${documentName} does not exist in your account (the simulator knows ${[...this.documents.keys()].join(', ')})`);
    for (const id of instanceIds) if (!this.managed(id)) fail('ssm', 'InvalidInstanceId', `Instance ${id} is not a managed instance.`);
    const parameters = (input['Parameters'] as Record<string, string[]> | undefined) ?? {};
    const deliveryTimeout = (input['TimeoutSeconds'] as number | undefined) ?? DEFAULT_DELIVERY_TIMEOUT_SECONDS;
    const commandId = this.ids.uuid();
    for (const instanceId of instanceIds) {
      const invocation: Invocation = { commandId, instanceId, documentName, status: 'Pending', statusDetails: 'Pending', responseCode: -1, stdout: '', stderr: '' };
      this.invocations.set(`${commandId}/${instanceId}`, invocation);
      if (this.pingStatus(instanceId) !== 'Online') {
        // The agent cannot be reached: the command waits for delivery, then times out.
        this.clock.schedule(deliveryTimeout * 1000, () => {
          Object.assign(invocation, { status: 'TimedOut', statusDetails: 'DeliveryTimedOut', end: this.clock.now() });
        });
        continue;
      }
      const guest = this.guests.get(instanceId) as Guest;
      Object.assign(invocation, { status: 'InProgress', statusDetails: 'InProgress', start: this.clock.now() });
      const result: CommandOutcome = document(parameters, {
        instanceId,
        guest,
        enaAttached: this.ec2.instance(instanceId)?.EnaSupport === true,
        now: this.clock.now(),
      });
      this.clock.schedule(result.durationSeconds * 1000, () => {
        Object.assign(invocation, {
          status: result.status,
          statusDetails: result.status,
          responseCode: result.responseCode,
          stdout: result.stdout,
          stderr: result.stderr,
          end: this.clock.now(),
        });
        if (result.inventory !== undefined) {
          // The command only writes the file; ListInventoryEntries shows it after an inventory gather.
          guest.writeCustomInventory({ typeName: result.inventory.typeName, schemaVersion: '1.0', content: result.inventory.content, writtenAt: this.clock.now().toISOString() });
        }
        for (const id of result.refreshedAssociations ?? []) this.refreshAssociation(id, instanceId);
        if (result.reboot) this.ec2.reboot(instanceId);
      });
    }
    return ok({
      Command: {
        CommandId: commandId,
        DocumentName: documentName,
        InstanceIds: [...instanceIds],
        Parameters: copy(parameters),
        Comment: input['Comment'] as string | undefined,
        RequestedDateTime: this.clock.now(),
        Status: 'Pending',
        TargetCount: instanceIds.length,
        TimeoutSeconds: deliveryTimeout,
      },
    });
  }

  private getCommandInvocation(input: Record<string, unknown>): object {
    const commandId = requireString('ssm', input, 'CommandId');
    const instanceId = requireString('ssm', input, 'InstanceId');
    const invocation = this.invocations.get(`${commandId}/${instanceId}`);
    if (invocation === undefined) fail('ssm', 'InvocationDoesNotExist', `Command ${commandId} has no invocation on ${instanceId}`);
    return ok({
      CommandId: invocation.commandId,
      InstanceId: invocation.instanceId,
      DocumentName: invocation.documentName,
      Status: invocation.status,
      StatusDetails: invocation.statusDetails,
      ResponseCode: invocation.responseCode,
      StandardOutputContent: invocation.stdout,
      StandardErrorContent: invocation.stderr,
      ExecutionStartDateTime: invocation.start?.toISOString() ?? '',
      ExecutionEndDateTime: invocation.end?.toISOString() ?? '',
    });
  }

  // ---- State Manager associations ---------------------------------------------------------------

  private association(id: string): Association {
    const found = this.associations.get(id);
    if (found === undefined) fail('ssm', 'AssociationDoesNotExist', `The specified association ${id} does not exist.`);
    return found;
  }

  private associationDescription(association: Association): AssociationDescription {
    return {
      AssociationVersion: '1',
      DocumentVersion: '$DEFAULT',
      ...copy(association.description),
      LastExecutionDate: association.lastExecution ?? association.description.LastExecutionDate,
      Overview: { Status: association.running > 0 ? 'Pending' : association.lastExecution === undefined ? (association.description.Overview?.Status ?? 'Pending') : 'Success' },
    };
  }

  private describeAssociation(input: Record<string, unknown>): object {
    if (input['AssociationId'] === undefined) fail('ssm', 'ValidationException', 'DescribeAssociation needs AssociationId (Name with InstanceId is not modelled by the simulator)');
    const id = requireString('ssm', input, 'AssociationId');
    return ok({ AssociationDescription: this.associationDescription(this.association(id)) });
  }

  private listAssociations(input: Record<string, unknown>): object {
    const filters = (input['AssociationFilterList'] as { key?: string; value?: string }[] | undefined) ?? [];
    const fields: Record<string, (d: AssociationDescription) => string | undefined> = {
      Name: (d) => d.Name,
      AssociationId: (d) => d.AssociationId,
      AssociationName: (d) => d.AssociationName,
    };
    for (const filter of filters) {
      if (fields[filter.key ?? ''] === undefined) fail('ssm', 'ValidationException', `The association filter key ${String(filter.key)} is not modelled by the simulator (Name, AssociationId, AssociationName)`);
    }
    const associations = [...this.associations.values()]
      .map((association) => this.associationDescription(association))
      .filter((description) => filters.every((filter) => fields[filter.key ?? '']?.(description) === filter.value))
      .map((d) => ({ Name: d.Name, AssociationId: d.AssociationId, AssociationVersion: d.AssociationVersion, AssociationName: d.AssociationName, DocumentVersion: d.DocumentVersion, Targets: d.Targets, ScheduleExpression: d.ScheduleExpression, LastExecutionDate: d.LastExecutionDate, Overview: d.Overview }));
    return ok({ Associations: associations });
  }

  private targets(association: Association, instanceId: string): boolean {
    const { Targets: targets = [], InstanceId: legacyInstanceId } = association.description;
    if (targets.length === 0) return legacyInstanceId === instanceId;
    const tags = this.ec2.instance(instanceId)?.Tags ?? [];
    return targets.every((target: Target) => {
      const key = target.Key ?? '';
      const values = target.Values ?? [];
      if (key === 'InstanceIds') return values.includes('*') || values.includes(instanceId);
      if (key === 'tag-key') return tags.some((tag) => values.includes(tag.Key ?? ''));
      return tags.some((tag) => tag.Key === key.slice(4) && values.includes(tag.Value ?? ''));
    });
  }

  /**
   * StartAssociationsOnce: the association runs now on every managed instance it targets whose
   * agent is Online. For AWS-GatherSoftwareInventory with `customInventory` not Disabled, each
   * gather uploads the custom inventory files the guest holds when it finishes,
   * {@link INVENTORY_GATHER_SECONDS} later (CaptureTime is the gather's time; the content, and so
   * CollectedAt, is the file as written). An instance that is not Online when the call is made or
   * when the gather finishes is not gathered (Unconfirmed: the agent may catch up when it
   * reconnects). Associations of other documents are not modelled.
   */
  private startAssociationsOnce(input: Record<string, unknown>): object {
    const ids = stringList('ssm', input, 'AssociationIds') ?? [];
    if (ids.length === 0 || ids.length > MAX_ASSOCIATIONS_ONCE) fail('ssm', 'ValidationException', `AssociationIds must have 1 to ${MAX_ASSOCIATIONS_ONCE} members (it has ${ids.length})`);
    const associations = ids.map((id) => this.association(id));
    for (const association of associations) {
      const { Name: name, AssociationId: id } = association.description;
      if (name !== GATHER_INVENTORY_DOCUMENT) throw new SimulatorError(`StartAssociationsOnce: association ${id} runs ${name}; the simulator models only ${GATHER_INVENTORY_DOCUMENT} associations`);
    }
    for (const association of associations) this.gatherInventory(association);
    return ok({});
  }

  /**
   * `aws:refreshAssociation` on one instance: an AWS-GatherSoftwareInventory association that
   * targets it gathers this instance alone; any other association, or one that does not target
   * the instance, gathers nothing (Unconfirmed: the agent's report of such a refresh).
   */
  private refreshAssociation(associationId: string, instanceId: string): void {
    const association = this.associations.get(associationId);
    if (association === undefined || association.description.Name !== GATHER_INVENTORY_DOCUMENT || !this.targets(association, instanceId)) return;
    this.gatherInventory(association, [instanceId]);
  }

  private gatherInventory(association: Association, only?: readonly string[]): void {
    const customInventory = association.description.Parameters?.['customInventory']?.[0] !== 'Disabled';
    const instanceIds = [...this.guests.keys()].filter((id) => (only === undefined || only.includes(id)) && this.managed(id) && this.targets(association, id) && this.pingStatus(id) === 'Online');
    association.running += 1;
    this.clock.schedule(INVENTORY_GATHER_SECONDS * 1000, () => {
      association.running -= 1;
      association.lastExecution = this.clock.now();
      for (const instanceId of instanceIds) {
        if (this.pingStatus(instanceId) !== 'Online' || !customInventory) continue;
        const guest = this.guests.get(instanceId) as Guest;
        for (const file of guest.customInventoryFiles) {
          this.putItem(instanceId, { typeName: file.typeName, schemaVersion: file.schemaVersion, captureTime: captureTimeOf(this.clock.now()), content: copy(file.content.map((entry) => ({ ...entry }))) });
        }
      }
    });
  }

  // ---- Automation executions --------------------------------------------------------------------

  private execution(stored: StoredExecution): AutomationExecution {
    const { record } = stored;
    return {
      AutomationExecutionId: record.id,
      DocumentName: record.documentName,
      AutomationExecutionStatus: record.status,
      ExecutionStartTime: record.startTime,
      ExecutionEndTime: record.endTime,
      Mode: 'Auto',
      ParentAutomationExecutionId: record.parentExecutionId,
      CurrentStepName: record.currentStep?.name,
      CurrentAction: record.currentStep?.action,
      FailureMessage: record.failureMessage,
      Parameters: copy(record.parameters) as Record<string, string[]> | undefined,
      Outputs: copy(record.outputs) as Record<string, string[]> | undefined,
      StepExecutions: copy(record.steps) as StepExecution[] | undefined,
      StepExecutionsTruncated: false,
    };
  }

  private metadata(stored: StoredExecution): AutomationExecutionMetadata {
    const execution = this.execution({ ...stored, record: { ...stored.record, steps: undefined } });
    return {
      AutomationExecutionId: execution.AutomationExecutionId,
      DocumentName: execution.DocumentName,
      AutomationExecutionStatus: execution.AutomationExecutionStatus,
      ExecutionStartTime: execution.ExecutionStartTime,
      ExecutionEndTime: execution.ExecutionEndTime,
      Mode: execution.Mode,
      ParentAutomationExecutionId: execution.ParentAutomationExecutionId,
      CurrentStepName: execution.CurrentStepName,
      CurrentAction: execution.CurrentAction,
      FailureMessage: execution.FailureMessage,
      Outputs: execution.Outputs,
      AutomationType: 'Local',
    };
  }

  /** One filter of DescribeAutomationExecutions as a test on an execution; values are ORed. */
  private executionFilter(filter: { Key?: string; Values?: unknown }): (stored: StoredExecution) => boolean {
    const key = filter.Key ?? '';
    const values = filter.Values;
    if (!EXECUTION_FILTER_KEYS.includes(key)) {
      fail('ssm', 'ValidationException', `1 validation error detected: Value '${key}' at 'filters.member.key' failed to satisfy constraint: Member must satisfy enum value set: [${EXECUTION_FILTER_KEYS.join(', ')}]`);
    }
    if (!Array.isArray(values) || values.length === 0 || values.length > 10 || values.some((v) => typeof v !== 'string')) {
      fail('ssm', 'ValidationException', `Filter ${key} needs 1 to 10 values, each a string`);
    }
    const list = values as string[];
    const time = (text: string): number => {
      const ms = Date.parse(text);
      if (Number.isNaN(ms)) fail('ssm', 'InvalidFilterValue', `The filter value ${text} is not a valid time.`);
      return ms;
    };
    switch (key) {
      case 'ExecutionId':
        return (e) => list.includes(e.record.id);
      case 'DocumentNamePrefix':
        return (e) => list.some((prefix) => e.record.documentName.startsWith(prefix));
      case 'ExecutionStatus':
        return (e) => list.includes(e.record.status);
      case 'ParentExecutionId':
        return (e) => e.record.parentExecutionId !== undefined && list.includes(e.record.parentExecutionId);
      // Unconfirmed: the bounds are exclusive.
      case 'StartTimeBefore':
        return (e) => list.some((v) => executionStartMs(e) < time(v));
      case 'StartTimeAfter':
        return (e) => list.some((v) => executionStartMs(e) > time(v));
      default:
        throw new SimulatorError(`DescribeAutomationExecutions: the filter key ${key} is not modelled by the simulator (ExecutionId, DocumentNamePrefix, ExecutionStatus, ParentExecutionId, StartTimeBefore, StartTimeAfter)`);
    }
  }

  /**
   * Filters AND together. Unconfirmed: the newest execution comes first, the page size defaults
   * to {@link MAX_AUTOMATION_EXECUTIONS_PAGE}, and nested executions are listed with the others.
   */
  private describeAutomationExecutions(input: Record<string, unknown>): object {
    const filters = input['Filters'] ?? [];
    if (!Array.isArray(filters)) fail('ssm', 'ValidationException', 'Invalid type for parameter Filters: expected a list');
    const tests = (filters as { Key?: string; Values?: unknown }[]).map((filter) => this.executionFilter(filter));
    const maxResults = input['MaxResults'] ?? MAX_AUTOMATION_EXECUTIONS_PAGE;
    if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_AUTOMATION_EXECUTIONS_PAGE) {
      fail('ssm', 'ValidationException', `MaxResults must be an integer from 1 to ${MAX_AUTOMATION_EXECUTIONS_PAGE}`);
    }
    const token = input['NextToken'];
    const start = token === undefined ? 0 : Number.parseInt(String(token), 10);
    if (!Number.isInteger(start) || start < 0 || String(start) !== String(token ?? 0)) fail('ssm', 'InvalidNextToken', 'The specified token is not valid.');
    const matching = [...this.executions.values()]
      .filter((execution) => tests.every((test) => test(execution)))
      .sort((a, b) => executionStartMs(b) - executionStartMs(a) || b.seq - a.seq);
    const page = matching.slice(start, start + maxResults);
    const next = start + maxResults < matching.length ? String(start + maxResults) : undefined;
    return ok({ AutomationExecutionMetadataList: page.map((execution) => this.metadata(execution)), ...(next === undefined ? {} : { NextToken: next }) });
  }

  private getAutomationExecution(input: Record<string, unknown>): object {
    const id = requireString('ssm', input, 'AutomationExecutionId');
    const stored = this.executions.get(id);
    // Unconfirmed: the exact message.
    if (stored === undefined) fail('ssm', 'AutomationExecutionNotFoundException', `Automation Execution ${id} was not found.`);
    return ok({ AutomationExecution: this.execution(stored) });
  }
}
