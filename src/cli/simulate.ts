/**
 * `ena-guard simulate`: runs a runbook of automation-docs/ against an account built from a
 * snapshot folder, in the simulator, and reports what each step would do. Nothing in AWS is
 * called.
 *
 * The guest of each instance comes from its `Custom:EnaDriver` inventory item when the snapshot
 * has one. A guest the snapshot says nothing about is assumed to have *no* ENA driver: a
 * simulation should show the cautious outcome, never a success reality may not grant.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Image, InstanceTypeInfo, LaunchTemplate, LaunchTemplateVersion, Reservation } from '@aws-sdk/client-ec2';
import type { InstanceInformation } from '@aws-sdk/client-ssm';
import * as z from 'zod';
import { ENA_DRIVER_INVENTORY_TYPE, parseEnaDriverInventoryEntry } from '../../rules/inventory.js';
import { EnaGuardError, MissingSnapshotFileError } from '../errors.js';
import { INVENTORY_SNAPSHOT_FILES } from '../facts/snapshot-inventory-reader.js';
import { SNAPSHOT_FILES, readSnapshotFile } from '../facts/snapshot-fleet-reader.js';
import { AccountModel, formatTrace, loadDocument, RUNBOOK_LOCK_TABLE, simulate, type GuestSpec, type SimulationResult } from '../simulator/index.js';

export const AUTOMATION_DOCS = fileURLToPath(new URL('../../automation-docs/', import.meta.url));

const anyObject = z.looseObject({});
const reservationsFile = z.looseObject({ Reservations: z.array(anyObject) });
const instanceTypesFile = z.looseObject({ InstanceTypes: z.array(anyObject) });
const imagesFile = z.looseObject({ Images: z.array(anyObject) });
const templatesFile = z.looseObject({ LaunchTemplates: z.array(anyObject) });
const versionsFile = z.looseObject({ LaunchTemplateVersions: z.array(anyObject) });
const informationFile = z.looseObject({ InstanceInformationList: z.array(z.looseObject({ InstanceId: z.string() })) });
const inventoryFile = z.looseObject({ Entries: z.array(z.record(z.string(), z.string())).optional() });

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
    // As deployed, the stack's runbooks lock the instances they change in its table.
    dynamoDbTables: [RUNBOOK_LOCK_TABLE],
  });
  assumptions.push(`the stack's lock table ${RUNBOOK_LOCK_TABLE.TableName} exists and is empty`);
  return { account, assumptions };
}

/** A runbook by name (`EnaGuard-EnableEnaSupport`) from automation-docs/, or by path. */
export function runbookPath(nameOrPath: string): string {
  if (existsSync(nameOrPath)) return nameOrPath;
  const candidate = join(AUTOMATION_DOCS, `${basename(nameOrPath, '.yaml')}.yaml`);
  if (existsSync(candidate)) return candidate;
  const known = readdirSync(AUTOMATION_DOCS).filter((name) => name.endsWith('.yaml')).map((name) => basename(name, '.yaml'));
  throw new EnaGuardError(`No runbook ${nameOrPath}: give a file, or one of ${known.join(', ')}.`);
}

export interface SimulationReport {
  readonly runbook: string;
  readonly result: SimulationResult;
  readonly assumptions: readonly string[];
  /** The calls that would change something, in order. */
  readonly changes: readonly string[];
  readonly account: AccountModel;
}

export async function simulateRunbook(nameOrPath: string, snapshot: string, parameters: Readonly<Record<string, string>>): Promise<SimulationReport> {
  const document = await loadDocument(runbookPath(nameOrPath));
  const { account, assumptions } = await accountFromSnapshot(snapshot);
  // Nested runs (aws:executeAutomation) find the other runbooks of automation-docs/ by name.
  const result = await simulate(document, parameters, { account, documentsDir: AUTOMATION_DOCS });
  const changes = account.calls
    .calls()
    .filter((call) => !/^(Describe|List|Get)/.test(call.operation) && call.error === undefined)
    .map((call) => `${call.service}:${call.operation} ${compactJson(call.input)}`);
  const named = Object.values(parameters);
  const relevant = assumptions.filter((assumption) => named.some((value) => assumption.startsWith(`${value}:`)));
  return { runbook: basename(nameOrPath, '.yaml'), result, assumptions: relevant, changes, account };
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
  for (const assumption of report.assumptions) lines.push(`Assumed: ${assumption}`);
  return lines.join('\n');
}
