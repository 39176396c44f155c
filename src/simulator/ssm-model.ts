/**
 * The Systems Manager part of the account model: managed instances, custom inventory, and Run
 * Command (SendCommand / GetCommandInvocation) executing the known Command documents against each
 * instance's guest model.
 */
import type { CommandInvocationStatus, InstanceInformation } from '@aws-sdk/client-ssm';
import type { VirtualClock } from './clock.js';
import { KNOWN_COMMAND_DOCUMENTS, type CommandOutcome } from './command-documents.js';
import type { Ec2Model } from './ec2-model.js';
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

export class SsmModel {
  private readonly invocations = new Map<string, Invocation>();
  private readonly inventory = new Map<string, Map<string, InventoryItem>>();
  private readonly documents = new Map(Object.entries(KNOWN_COMMAND_DOCUMENTS));

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

  /** The inventory entries of one type for one instance (empty when none). */
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
    };
  }

  /** Online when the instance runs, its agent is installed and it has a network. */
  pingStatus(instanceId: string): 'Online' | 'ConnectionLost' {
    return this.ec2.networkUp(instanceId) && this.guests.get(instanceId)?.ssmAgent === true ? 'Online' : 'ConnectionLost';
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
          this.putItem(instanceId, { typeName: result.inventory.typeName, schemaVersion: '1.0', captureTime: this.clock.now().toISOString(), content: copy([...result.inventory.content]) });
        }
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
}
