/**
 * `ena-guard simulate`: runs a runbook of automation-docs/ against an account built from a
 * snapshot folder, in the simulator, and reports what each step would do. Nothing in AWS is
 * called.
 *
 * The guest of each instance comes from its `Custom:EnaDriver` inventory item when the snapshot
 * has one. A guest the snapshot says nothing about is assumed to have *no* ENA driver: a
 * simulation should show the cautious outcome, never a success reality may not grant. The State
 * Manager associations come from `list-associations.json` (what `aws ssm list-associations
 * --output json` prints), so that EnaGuard-UpdateEnaDriver finds its inventory association.
 *
 * Parameters are given as the AWS CLI and the console take them: one string each, a StringList
 * (or `List<AWS::…>`) value split on commas. Faults (`--fault`) are read by the simulator's
 * {@link parseFault}: a step that fails, or calls to an API that fail.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Image, InstanceTypeInfo, LaunchTemplate, LaunchTemplateVersion, Reservation } from '@aws-sdk/client-ec2';
import type { AssociationDescription, InstanceInformation } from '@aws-sdk/client-ssm';
import * as z from 'zod';
import { ENA_DRIVER_INVENTORY_TYPE, parseEnaDriverInventoryEntry } from '../../rules/inventory.js';
import { EnaGuardError, MissingSnapshotFileError } from '../errors.js';
import { INVENTORY_SNAPSHOT_FILES } from '../facts/snapshot-inventory-reader.js';
import { SNAPSHOT_FILES, readSnapshotFile } from '../facts/snapshot-fleet-reader.js';
import {
  AccountModel,
  CommandDocumentError,
  formatTrace,
  GATHER_INVENTORY_DOCUMENT,
  isModelledAssociationTarget,
  isStringListType,
  loadDocument,
  parseFault,
  RUNBOOK_LOCK_TABLE,
  simulate,
  type AutomationDocument,
  type FaultSpec,
  type GuestSpec,
  type SimulationResult,
  type StepTrace,
} from '../simulator/index.js';

export const AUTOMATION_DOCS = fileURLToPath(new URL('../../automation-docs/', import.meta.url));

const anyObject = z.looseObject({});
const reservationsFile = z.looseObject({ Reservations: z.array(anyObject) });
const instanceTypesFile = z.looseObject({ InstanceTypes: z.array(anyObject) });
const imagesFile = z.looseObject({ Images: z.array(anyObject) });
const templatesFile = z.looseObject({ LaunchTemplates: z.array(anyObject) });
const versionsFile = z.looseObject({ LaunchTemplateVersions: z.array(anyObject) });
const informationFile = z.looseObject({ InstanceInformationList: z.array(z.looseObject({ InstanceId: z.string() })) });
const inventoryFile = z.looseObject({ Entries: z.array(z.record(z.string(), z.string())).optional() });
const associationsFile = z.looseObject({
  Associations: z.array(z.looseObject({ AssociationId: z.string().min(1), Name: z.string().min(1), LastExecutionDate: z.union([z.string(), z.date()]).optional() })),
});

/** The snapshot file of State Manager associations: `aws ssm list-associations --output json`. */
export const ASSOCIATIONS_SNAPSHOT_FILE = 'list-associations.json';

/** Reads a snapshot file that a simulation can do without. */
async function optional<S extends z.ZodType>(directory: string, name: string, schema: S): Promise<z.output<S> | undefined> {
  try {
    return await readSnapshotFile(directory, name, schema);
  } catch (error) {
    if (error instanceof MissingSnapshotFileError) return undefined;
    throw error;
  }
}

/** The guest an inventory item describes; a driver the item does not report counts as absent. */
function guestFromInventory(entry: Record<string, string>, instanceId: string): GuestSpec {
  const parsed = parseEnaDriverInventoryEntry(entry);
  if (!parsed.ok) throw new EnaGuardError(`inventory/${instanceId}.json: ${parsed.message}`);
  const inventory = parsed.value;
  const build = inventory.driverBuild;
  return {
    osFamily: inventory.osFamily,
    osId: inventory.osId || inventory.osFamily,
    osVersion: inventory.osVersion,
    osName: inventory.osName,
    kernelRelease: inventory.kernelRelease ?? inventory.osVersion,
    enaDriver: inventory.driverPresent
      ? {
          present: true,
          ...(inventory.driverVersion && build !== 'in-tree' ? { version: inventory.driverVersion } : {}),
          source: build === 'unknown' ? (inventory.osFamily === 'windows' ? 'windows' : 'in-tree') : build,
        }
      : { present: false },
    ssmAgent: true,
  };
}

/** Builds a simulated account from a snapshot folder (the same files `check` reads). */
export async function accountFromSnapshot(directory: string): Promise<{ account: AccountModel; assumptions: string[] }> {
  const reservations = (await readSnapshotFile(directory, SNAPSHOT_FILES.instances, reservationsFile)).Reservations as Reservation[];
  const instanceTypes = (await readSnapshotFile(directory, SNAPSHOT_FILES.instanceTypes, instanceTypesFile)).InstanceTypes as InstanceTypeInfo[];
  const images = ((await optional(directory, 'describe-images.json', imagesFile))?.Images ?? []) as Image[];
  const referenced = ((await optional(directory, 'describe-referenced-images.json', imagesFile))?.Images ?? []) as Image[];
  const launchTemplates = ((await optional(directory, 'describe-launch-templates.json', templatesFile))?.LaunchTemplates ?? []) as LaunchTemplate[];
  const launchTemplateVersions = ((await optional(directory, 'describe-launch-template-versions.json', versionsFile))?.LaunchTemplateVersions ?? []) as LaunchTemplateVersion[];
  const information = ((await optional(directory, INVENTORY_SNAPSHOT_FILES.instanceInformation, informationFile))?.InstanceInformationList ?? []) as InstanceInformation[];
  const listed = (await optional(directory, ASSOCIATIONS_SNAPSHOT_FILE, associationsFile))?.Associations;

  const guests: Record<string, GuestSpec> = {};
  const inventory: Record<string, Record<string, Record<string, string>[]>> = {};
  const assumptions: string[] = [];
  for (const instance of reservations.flatMap((reservation) => reservation.Instances ?? [])) {
    const id = instance.InstanceId ?? '';
    const managed = information.some((info) => info.InstanceId === id);
    const entries = managed ? (await optional(directory, join(INVENTORY_SNAPSHOT_FILES.inventoryFolder, `${id}.json`), inventoryFile))?.Entries : undefined;
    const entry = entries?.[0];
    if (entry) {
      guests[id] = guestFromInventory(entry, id);
      inventory[id] = { [ENA_DRIVER_INVENTORY_TYPE]: entries };
      continue;
    }
    const windows = instance.Platform?.toLowerCase() === 'windows';
    guests[id] = {
      osFamily: windows ? 'windows' : 'linux',
      osId: windows ? 'windows' : 'unknown',
      osVersion: '',
      osName: windows ? 'Windows' : 'Linux',
      kernelRelease: '',
      enaDriver: { present: false },
      ssmAgent: managed,
    };
    assumptions.push(`${id}: no ${ENA_DRIVER_INVENTORY_TYPE} inventory, so its guest is assumed to have no ENA driver`);
  }
  const associations = associationsOf(listed, assumptions);
  const account = AccountModel.fromSnapshot({
    accountId: reservations[0]?.OwnerId,
    reservations,
    instanceTypes,
    images: [...images, ...referenced.filter((image) => !images.some((own) => own.ImageId === image.ImageId))],
    launchTemplates,
    launchTemplateVersions,
    instanceInformation: information,
    guests,
    inventory,
    associations,
    // As deployed, the stack's runbooks lock the instances they change in its table.
    dynamoDbTables: [RUNBOOK_LOCK_TABLE],
  });
  assumptions.push(`the stack's lock table ${RUNBOOK_LOCK_TABLE.TableName} exists and is empty`);
  if (listed === undefined) assumptions.push(`the snapshot has no ${ASSOCIATIONS_SNAPSHOT_FILE}, so the account has no State Manager associations`);
  return { account, assumptions };
}

/**
 * The associations of `list-associations.json` as the simulator seeds them. ListAssociations
 * shows no parameters, so an inventory association is taken to gather custom inventory (as the
 * stack's does); one whose targets the simulator does not model is left out, and both are said.
 */
function associationsOf(listed: readonly z.output<typeof associationsFile>['Associations'][number][] | undefined, assumptions: string[]): AssociationDescription[] {
  const associations: AssociationDescription[] = [];
  for (const association of listed ?? []) {
    const { AssociationId: id, Name: name, LastExecutionDate: last } = association;
    const targets = (association['Targets'] ?? []) as NonNullable<AssociationDescription['Targets']>;
    const unmodelled = targets.map((target) => target.Key ?? '').find((key) => !isModelledAssociationTarget(key));
    if (unmodelled !== undefined) {
      assumptions.push(`${id}: association ${name} targets ${unmodelled}, which the simulator does not model, so it is left out`);
      continue;
    }
    if (name === GATHER_INVENTORY_DOCUMENT) assumptions.push(`${id}: list-associations shows no parameters, so association ${name} is assumed to gather custom inventory`);
    associations.push({ ...(association as AssociationDescription), AssociationId: id, Name: name, ...(last === undefined ? {} : { LastExecutionDate: new Date(last) }) });
  }
  return associations;
}

/** The Automation runbooks of automation-docs/ (the Command documents left out), loaded once. */
let bundled: Promise<AutomationDocument[]> | undefined;

function bundledRunbooks(): Promise<AutomationDocument[]> {
  bundled ??= (async () => {
    const runbooks: AutomationDocument[] = [];
    for (const file of readdirSync(AUTOMATION_DOCS).filter((name) => name.endsWith('.yaml')).sort()) {
      try {
        runbooks.push(await loadDocument(join(AUTOMATION_DOCS, file)));
      } catch (error) {
        if (!(error instanceof CommandDocumentError)) throw error;
      }
    }
    return runbooks;
  })();
  return bundled;
}

/** The names of the Automation runbooks of automation-docs/ (the ones `simulate` runs), sorted. */
export async function automationRunbooks(): Promise<string[]> {
  return (await bundledRunbooks()).map((runbook) => runbook.name);
}

/** A runbook by name (`EnaGuard-EnableEnaSupport`) from automation-docs/, or by path. */
export async function runbookPath(nameOrPath: string): Promise<string> {
  if (existsSync(nameOrPath)) return nameOrPath;
  const candidate = join(AUTOMATION_DOCS, `${basename(nameOrPath, '.yaml')}.yaml`);
  if (existsSync(candidate)) return candidate;
  throw new EnaGuardError(`No runbook ${nameOrPath}: give a file, or one of ${(await automationRunbooks()).join(', ')}.`);
}

/**
 * The one sentence that refuses a Command document, naming the runbooks `simulate` runs and those
 * of them that run this document on instances (where its effect can be seen).
 */
async function commandDocumentRefusal(name: string): Promise<string> {
  const runbooks = await bundledRunbooks();
  const runners = runbooks.filter((runbook) => runsDocument(runbook, name)).map((runbook) => runbook.name);
  const names = runbooks.map((runbook) => runbook.name).join(', ');
  const seeIt = runners.length === 0 ? '' : ` (${runners.join(' and ')} ${runners.length === 1 ? 'runs' : 'run'} it in ${runners.length === 1 ? 'its' : 'their'} simulation)`;
  return `${name} is a Command document run by State Manager or Run Command on instances, not an Automation runbook; simulate runs Automation runbooks: ${names}${seeIt}.`;
}

/** True when a step of the runbook runs the document, by name or through a parameter whose default names it. */
function runsDocument(runbook: AutomationDocument, name: string): boolean {
  return runbook.content.mainSteps.some((step) => {
    const documentName = step.inputs['DocumentName'];
    if (typeof documentName !== 'string') return false;
    const parameter = /^\{\{\s*(\w+)\s*\}\}$/.exec(documentName)?.[1];
    return (parameter === undefined ? documentName : runbook.content.parameters[parameter]?.default) === name;
  });
}

/**
 * The parameters as StartAutomationExecution would get them from the AWS CLI (`--parameters
 * Key=a,b`) or the console: a StringList (or `List<AWS::…>`) value is split on commas, spaces
 * around items dropped; an empty value is an empty list. Other types keep their string whole
 * (String parameters such as KernelMinimums carry commas of their own).
 */
export function runbookParameters(document: AutomationDocument, parameters: Readonly<Record<string, string>>): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(parameters).map(([name, value]) => {
      const type = document.content.parameters[name]?.type;
      if (type === undefined || !isStringListType(type)) return [name, value];
      return [name, value.trim() === '' ? [] : value.split(',').map((item) => item.trim())];
    }),
  );
}

/** An injected fault and where it struck. */
export interface InjectedFault {
  /** The fault as given (`startInstance`, `ec2:StartInstances=InsufficientInstanceCapacity`). */
  readonly fault: string;
  /** How many step runs or API calls it failed (0: the run never reached it). */
  readonly struck: number;
}

export interface SimulationReport {
  readonly runbook: string;
  readonly result: SimulationResult;
  readonly assumptions: readonly string[];
  /** The calls that would change something, in order (calls that failed changed nothing). */
  readonly changes: readonly string[];
  /** The faults injected, in the order given. */
  readonly faults: readonly InjectedFault[];
  readonly account: AccountModel;
}

export interface SimulateRunbookOptions {
  /** Faults to inject, as the simulator's parseFault reads them: `STEP`, `SERVICE:Api`, `SERVICE:Api=ErrorCode`, `SERVICE:Api#N=ErrorCode`. */
  readonly faults?: readonly string[];
}

/**
 * Simulates a runbook of automation-docs/ (by name) or a runbook file against the account a
 * snapshot folder describes. Refuses (throws an EnaGuardError) a Command document, an unknown
 * runbook, a bad parameter and a bad fault; a run that fails is a result, not an error.
 */
export async function simulateRunbook(nameOrPath: string, snapshot: string, parameters: Readonly<Record<string, string>>, options: SimulateRunbookOptions = {}): Promise<SimulationReport> {
  const document = await loadRunbook(await runbookPath(nameOrPath));
  const { account, assumptions } = await accountFromSnapshot(snapshot);
  const faults = (options.faults ?? []).map((text) =>
    parseFault(text, { documentName: document.name, steps: document.content.mainSteps.map((step) => step.name), operations: (service) => account.operations(service) }),
  );
  for (const fault of faults) if (fault.kind === 'api') account.faults.add(fault.rule);
  const failSteps = faults.flatMap((fault) => (fault.kind === 'step' ? [fault.stepName] : []));
  const values = runbookParameters(document, parameters);
  // Nested runs (aws:executeAutomation) find the other runbooks of automation-docs/ by name.
  const result = await simulate(document, values, { account, documentsDir: AUTOMATION_DOCS, failSteps });
  const changes = account.calls
    .calls()
    .filter((call) => !/^(Describe|List|Get)/.test(call.operation) && call.error === undefined)
    .map((call) => `${call.service}:${call.operation} ${compactJson(call.input)}`);
  const named = Object.values(values).flat();
  const relevant = assumptions.filter((assumption) => named.some((value) => assumption.startsWith(`${value}:`)));
  return { runbook: document.name, result, assumptions: relevant, changes, faults: faults.map((fault) => ({ fault: fault.text, struck: strikes(fault, account, result.trace) })), account };
}

/** Loads a runbook; a Command document is refused with one sentence naming the runbooks there are. */
async function loadRunbook(path: string): Promise<AutomationDocument> {
  try {
    return await loadDocument(path);
  } catch (error) {
    if (error instanceof CommandDocumentError) throw new EnaGuardError(await commandDocumentRefusal(error.documentName), { cause: error });
    throw error;
  }
}

/** How many step runs (nested runs included) or API calls a fault failed. */
function strikes(fault: FaultSpec, account: AccountModel, trace: readonly StepTrace[]): number {
  if (fault.kind === 'api') {
    const { service, operation } = fault.rule;
    return account.calls.calls({ service, operation }).filter((call) => call.error?.injected === true).length;
  }
  const count = (steps: readonly StepTrace[]): number =>
    steps.reduce((total, step) => total + (step.stepName === fault.stepName && step.failureMessage?.startsWith('Injected fault:') === true ? 1 : 0) + count(step.children ?? []), 0);
  return count(trace);
}

/** JSON on one line, with long strings (scripts, descriptions) cut to keep a line readable. */
function compactJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'string' && item.length > 48 ? `${item.slice(0, 45)}...` : item));
}

/** The report people read: the trace, the outcome, what would change, and what was assumed. */
export function renderSimulation(report: SimulationReport): string {
  const { result } = report;
  const lines = [
    `Simulated ${report.runbook} (nothing in AWS was called)`,
    '',
    '  offset   took  status    step',
    formatTrace(result.trace, undefined, '  '),
    '',
    `Outcome: ${result.status}${result.failureMessage ? ` - ${result.failureMessage}` : ''}`,
  ];
  const outputs = Object.entries(result.outputs);
  if (outputs.length > 0) lines.push(`Outputs: ${outputs.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(', ')}`);
  lines.push(report.changes.length > 0 ? `Changes it would make (${report.changes.length}):` : 'Changes it would make: none');
  for (const change of report.changes) lines.push(`  ${change}`);
  for (const { fault, struck } of report.faults) {
    lines.push(`Injected fault: ${fault} - ${struck === 0 ? 'never struck (the run did not reach it)' : `struck ${struck} time${struck === 1 ? '' : 's'}`}`);
  }
  for (const assumption of report.assumptions) lines.push(`Assumed: ${assumption}`);
  return lines.join('\n');
}
