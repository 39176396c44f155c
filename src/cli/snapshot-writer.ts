/**
 * `ena-guard snapshot --out DIR`: exports a live account in exactly the shapes the AWS CLI prints
 * (the files `check --snapshot` reads), inventory and associations included, so that live ->
 * snapshot -> offline gives identical findings.
 *
 * Each file holds what the AWS CLI v2 prints for the command beside it: the same fields and values,
 * all pages merged, indented four spaces, timestamps in ISO 8601 with their offset
 * (`cli_timestamp_format = iso8601`). Two differences no reader sees: keys come in the SDK's
 * order (the CLI orders them as botocore's models list members), and a whole float prints as
 * `10`, not `10.0`.
 *
 *   describe-instances.json                 aws ec2 describe-instances
 *   describe-instance-types.json            aws ec2 describe-instance-types --filters Name=instance-type,Values=<types in use>
 *   describe-images.json                    aws ec2 describe-images --owners self
 *   describe-launch-templates.json          aws ec2 describe-launch-templates
 *   describe-launch-template-versions.json  aws ec2 describe-launch-template-versions --versions '$Default'
 *   get-parameters.json                     aws ssm get-parameters --names <the templates' resolve:ssm: parameters>
 *   describe-referenced-images.json         aws ec2 describe-images --include-deprecated --include-disabled
 *                                               --filters Name=image-id,Values=<AMIs templates and instances use, not owned>
 *   describe-instance-information.json      aws ssm describe-instance-information --filters Key=ResourceType,Values=EC2Instance
 *   inventory/<id>.json                     aws ssm list-inventory-entries --instance-id <id> --type-name Custom:EnaDriver
 *   list-associations.json                  aws ssm list-associations
 *   associations/<id>.json                  aws ssm describe-association --association-id <id>  (AWS-GatherSoftwareInventory ones)
 *
 * Versions are exported unresolved (as the live reader reads them) with get-parameters.json beside
 * them, so a `resolve:ssm:` template reads the same live and offline. The first two files are
 * required: without them nothing can be checked, and the export fails. Any other file whose call
 * fails is left out and listed in `skipped`, as the checks that need it then say.
 */
import { mkdir, open, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  paginateDescribeImages,
  paginateDescribeInstanceTypes,
  paginateDescribeInstances,
  paginateDescribeLaunchTemplateVersions,
  paginateDescribeLaunchTemplates,
  type EC2Client,
  type LaunchTemplateVersion,
  type DescribeLaunchTemplateVersionsCommandOutput,
} from '@aws-sdk/client-ec2';
import {
  DescribeAssociationCommand,
  GetParametersCommand,
  ListInventoryEntriesCommand,
  paginateDescribeInstanceInformation,
  paginateListAssociations,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import pLimit from 'p-limit';
import { ENA_DRIVER_INVENTORY_TYPE } from '../../rules/inventory.js';
import { createEc2Client, createSsmClient, createStsClient } from '../aws/clients.js';
import { callerCredentials, callerIdentity } from '../aws/credentials.js';
import { EnaGuardError, FactsUnavailableError, describeError } from '../errors.js';
import { IMAGES_PER_PAGE, IMAGE_IDS_PER_CALL, LAUNCH_TEMPLATES_PER_PAGE } from '../facts/aws-image-reader.js';
import { INSTANCES_PER_PAGE } from '../facts/aws-fleet-reader.js';
import { INSTANCE_INFORMATION_PER_PAGE } from '../facts/aws-inventory-reader.js';
import { SSM_IMAGE_PREFIX } from '../facts/image-reader.js';
import { INSTANCE_TYPES_PER_CALL } from '../facts/instance-type-catalog.js';
import { IMAGE_SNAPSHOT_FILES } from '../facts/snapshot-image-reader.js';
import { INVENTORY_SNAPSHOT_FILES } from '../facts/snapshot-inventory-reader.js';
import { SNAPSHOT_FILES } from '../facts/snapshot-fleet-reader.js';
import { defaultRegion } from './estate.js';

/** The association files: what `simulate` seeds State Manager with (EnaGuard-UpdateEnaDriver re-applies the inventory association). */
export const ASSOCIATION_SNAPSHOT_FILES = {
  associations: 'list-associations.json',
  associationFolder: 'associations',
} as const;

/** The document of the inventory associations whose full description is exported. */
const GATHER_INVENTORY_DOCUMENT = 'AWS-GatherSoftwareInventory';
/** GetParameters takes at most 10 names per call. */
const PARAMETERS_PER_CALL = 10;
/** ListInventoryEntries calls in flight, as the driver rule's sweep defaults to. */
const INVENTORY_CONCURRENCY = 8;

export interface SnapshotOptions {
  readonly out: string;
  readonly profile?: string;
  readonly region?: string;
  readonly progress?: (text: string) => void;
  /** The caller's credentials (default: the profile's, or the SDK's default chain). */
  readonly credentials?: AwsCredentialIdentityProvider;
  /** Endpoint overrides are read from here (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface SkippedFile {
  readonly file: string;
  readonly error: string;
}

/** @returns the files written, relative to `out`. @throws CredentialsError when AWS refuses the credentials. */
export async function writeSnapshot(
  options: SnapshotOptions,
): Promise<{ readonly files: readonly string[]; readonly accountId: string; readonly region: string; readonly skipped?: readonly SkippedFile[] }> {
  // A file of an earlier export that this one skips (a call that failed) would be checked as if it
  // were current: export only into an empty or new folder.
  const existing = await readdir(options.out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw new EnaGuardError(`--out ${options.out} cannot be read (${error.code ?? error.message}).`, { cause: error });
  });
  if (existing.length > 0) throw new EnaGuardError(`--out ${options.out} is not empty (${existing.length} entries): give a new or empty folder, so that no file of an earlier export is taken for this one.`);
  const env = options.env ?? process.env;
  const region = options.region ?? (await defaultRegion(options.profile));
  const credentials = options.credentials ?? callerCredentials(options.profile);
  const who = options.profile ? `the credentials of profile ${options.profile}` : 'the default credentials';
  const { accountId } = await callerIdentity(createStsClient({ region, credentials, env }), region, who);
  const ec2 = createEc2Client({ region, credentials, env });
  const ssm = createSsmClient({ region, credentials, env });
  const progress = options.progress ?? (() => {});
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  await mkdir(options.out, { recursive: true });

  /** Writes one file; an optional one whose call fails is skipped, a required one stops the export. */
  const write = async <T>(file: string, produce: () => Promise<T>, required = false): Promise<T | undefined> => {
    progress(`Exporting ${file}...`);
    try {
      const value = await produce();
      files.push(file);
      return value;
    } catch (error) {
      if (required) throw new FactsUnavailableError(`${file} could not be exported: ${describeError(error)}`, { cause: error });
      skipped.push({ file, error: describeError(error) });
      progress(`  skipped ${file}: ${describeError(error)}`);
      return undefined;
    }
  };
  const out = (file: string) => join(options.out, file);

  const instanceImages = new Set<string>();
  const instanceTypes = new Set<string>();
  await write(
    SNAPSHOT_FILES.instances,
    () =>
      writeListFile(out(SNAPSHOT_FILES.instances), 'Reservations', mapPages(paginateDescribeInstances({ client: ec2, pageSize: INSTANCES_PER_PAGE }, {}), (page) => page.Reservations ?? []), (reservation) => {
        for (const instance of reservation.Instances ?? []) {
          if (instance.InstanceType) instanceTypes.add(instance.InstanceType);
          if (instance.ImageId && instance.State?.Name !== 'terminated') instanceImages.add(instance.ImageId);
        }
      }),
    true,
  );
  // Only the types the instances use: the same answers the live reader gets, without the ~900 types of a Region.
  await write(SNAPSHOT_FILES.instanceTypes, () => exportInstanceTypes(ec2, [...instanceTypes].sort(), out(SNAPSHOT_FILES.instanceTypes)), true);

  const owned = await write(IMAGE_SNAPSHOT_FILES.ownedImages, async () => {
    const ids = new Set<string>();
    const pages = paginateDescribeImages({ client: ec2, pageSize: IMAGES_PER_PAGE }, { Owners: ['self'] });
    await writeListFile(out(IMAGE_SNAPSHOT_FILES.ownedImages), 'Images', mapPages(pages, (page) => page.Images ?? []), (image) => image.ImageId && ids.add(image.ImageId));
    return ids;
  });
  await write(IMAGE_SNAPSHOT_FILES.launchTemplates, () =>
    writeListFile(
      out(IMAGE_SNAPSHOT_FILES.launchTemplates),
      'LaunchTemplates',
      mapPages(paginateDescribeLaunchTemplates({ client: ec2, pageSize: LAUNCH_TEMPLATES_PER_PAGE }, {}), (page) => page.LaunchTemplates ?? []),
    ),
  );
  const versions = await write(IMAGE_SNAPSHOT_FILES.launchTemplateVersions, async () => {
    const all: LaunchTemplateVersion[] = [];
    const pages = paginateDescribeLaunchTemplateVersions({ client: ec2, pageSize: LAUNCH_TEMPLATES_PER_PAGE }, { Versions: ['$Default'] });
    await writeListFile(out(IMAGE_SNAPSHOT_FILES.launchTemplateVersions), 'LaunchTemplateVersions', mapPages(pages, (page: DescribeLaunchTemplateVersionsCommandOutput) => page.LaunchTemplateVersions ?? []), (version) => all.push(version));
    return all;
  });

  const templateImages = new Set<string>();
  const parameters = new Set<string>();
  for (const version of versions ?? []) {
    const imageId = version.LaunchTemplateData?.ImageId;
    if (!imageId) continue;
    if (imageId.startsWith(SSM_IMAGE_PREFIX)) parameters.add(imageId.slice(SSM_IMAGE_PREFIX.length));
    else templateImages.add(imageId);
  }
  if (parameters.size > 0) {
    const resolved = await write(IMAGE_SNAPSHOT_FILES.parameters, () => exportParameters(ssm, [...parameters], out(IMAGE_SNAPSHOT_FILES.parameters)));
    for (const value of resolved ?? []) templateImages.add(value);
  }
  if (owned !== undefined) {
    const foreign = [...new Set([...templateImages, ...instanceImages])].filter((id) => !owned.has(id)).sort();
    await write(IMAGE_SNAPSHOT_FILES.referencedImages, () => exportImagesById(ec2, foreign, out(IMAGE_SNAPSHOT_FILES.referencedImages)));
  }

  const managed = await write(INVENTORY_SNAPSHOT_FILES.instanceInformation, async () => {
    const ids: string[] = [];
    const pages = paginateDescribeInstanceInformation(
      { client: ssm, pageSize: INSTANCE_INFORMATION_PER_PAGE },
      { Filters: [{ Key: 'ResourceType', Values: ['EC2Instance'] }] },
    );
    await writeListFile(out(INVENTORY_SNAPSHOT_FILES.instanceInformation), 'InstanceInformationList', mapPages(pages, (page) => page.InstanceInformationList ?? []), (info) => info.InstanceId && ids.push(info.InstanceId));
    return ids;
  });
  if (managed && managed.length > 0) {
    await mkdir(out(INVENTORY_SNAPSHOT_FILES.inventoryFolder), { recursive: true });
    progress(`Exporting ${managed.length} inventory items...`);
    const limit = pLimit(INVENTORY_CONCURRENCY);
    const written = await Promise.all(managed.map((instanceId) => limit(() => exportInventory(ssm, instanceId, out, skipped))));
    files.push(...written.filter((file): file is string => file !== undefined).sort());
  }

  const gather = await write(ASSOCIATION_SNAPSHOT_FILES.associations, async () => {
    const ids: string[] = [];
    const pages = paginateListAssociations({ client: ssm }, {});
    await writeListFile(out(ASSOCIATION_SNAPSHOT_FILES.associations), 'Associations', mapPages(pages, (page) => page.Associations ?? []), (association) => {
      if (association.Name === GATHER_INVENTORY_DOCUMENT && association.AssociationId) ids.push(association.AssociationId);
    });
    return ids;
  });
  for (const associationId of gather ?? []) {
    const file = join(ASSOCIATION_SNAPSHOT_FILES.associationFolder, `${associationId}.json`);
    await write(file, async () => {
      const response = await ssm.send(new DescribeAssociationCommand({ AssociationId: associationId }));
      await writeJsonFile(out(file), { AssociationDescription: response.AssociationDescription });
    });
  }
  return { files, accountId, region, ...(skipped.length > 0 ? { skipped } : {}) };
}

/** `aws ssm get-parameters --names ...`, in batches of ten merged into one answer; returns the values. */
async function exportParameters(ssm: SSMClient, names: readonly string[], path: string): Promise<string[]> {
  const merged = { Parameters: [] as unknown[], InvalidParameters: [] as string[] };
  const values: string[] = [];
  for (let start = 0; start < names.length; start += PARAMETERS_PER_CALL) {
    const response = await ssm.send(new GetParametersCommand({ Names: names.slice(start, start + PARAMETERS_PER_CALL) }));
    for (const parameter of response.Parameters ?? []) {
      merged.Parameters.push(parameter);
      if (parameter.Value) values.push(parameter.Value);
    }
    merged.InvalidParameters.push(...(response.InvalidParameters ?? []));
  }
  await writeJsonFile(path, merged);
  return values;
}

/** `aws ec2 describe-instance-types --filters Name=instance-type,Values=...`, a hundred types a call (an empty list writes an empty answer). */
async function exportInstanceTypes(ec2: EC2Client, types: readonly string[], path: string): Promise<void> {
  async function* pages() {
    for (let start = 0; start < types.length; start += INSTANCE_TYPES_PER_CALL) {
      const batch = types.slice(start, start + INSTANCE_TYPES_PER_CALL);
      for await (const page of paginateDescribeInstanceTypes({ client: ec2, pageSize: INSTANCE_TYPES_PER_CALL }, { Filters: [{ Name: 'instance-type', Values: batch }] })) {
        yield page.InstanceTypes ?? [];
      }
    }
  }
  await writeListFile(path, 'InstanceTypes', pages());
}

/** `aws ec2 describe-images --filters Name=image-id,...`, disabled and deprecated included, as the live reader asks. */
async function exportImagesById(ec2: EC2Client, imageIds: readonly string[], path: string): Promise<void> {
  async function* images() {
    for (let start = 0; start < imageIds.length; start += IMAGE_IDS_PER_CALL) {
      const batch = imageIds.slice(start, start + IMAGE_IDS_PER_CALL);
      const pages = paginateDescribeImages(
        { client: ec2, pageSize: IMAGES_PER_PAGE },
        { Filters: [{ Name: 'image-id', Values: batch }], IncludeDeprecated: true, IncludeDisabled: true },
      );
      for await (const page of pages) yield page.Images ?? [];
    }
  }
  await writeListFile(path, 'Images', images());
}

/**
 * inventory/<id>.json, as `aws ssm list-inventory-entries` prints it. Nothing is written when the
 * account has never collected Custom:EnaDriver (InvalidTypeNameException): the offline reader then
 * reads "no inventory", as the live one does.
 */
async function exportInventory(ssm: SSMClient, instanceId: string, out: (file: string) => string, skipped: SkippedFile[]): Promise<string | undefined> {
  const file = join(INVENTORY_SNAPSHOT_FILES.inventoryFolder, `${instanceId}.json`);
  try {
    const response = await ssm.send(new ListInventoryEntriesCommand({ InstanceId: instanceId, TypeName: ENA_DRIVER_INVENTORY_TYPE }));
    await writeJsonFile(out(file), response);
    return file;
  } catch (error) {
    if ((error as { name?: string }).name !== 'InvalidTypeNameException') skipped.push({ file, error: describeError(error) });
    return undefined;
  }
}

async function* mapPages<P, T>(pages: AsyncIterable<P>, items: (page: P) => readonly T[]): AsyncIterable<readonly T[]> {
  for await (const page of pages) yield items(page);
}

/**
 * Writes `{"<key>": [...]}` a page at a time, byte for byte as `json.dumps(indent=4)` lays it out
 * (the AWS CLI's printer), so a fleet's describe-instances never has to be one string in memory.
 */
export async function writeListFile<T>(path: string, key: string, pages: AsyncIterable<readonly T[]>, visit: (item: T) => unknown = () => {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const file = await open(path, 'w');
  try {
    let count = 0;
    await file.write(`{\n    ${JSON.stringify(key)}: [`);
    for await (const page of pages) {
      for (const item of page) {
        visit(item);
        const text = JSON.stringify(cliValue(item), null, 4).replace(/\n/g, '\n        ');
        await file.write(`${count === 0 ? '' : ','}\n        ${text}`);
        count += 1;
      }
    }
    await file.write(count === 0 ? ']\n}\n' : '\n    ]\n}\n');
  } catch (error) {
    // A half-written file would stop `check --snapshot` as broken; a missing one only its checks.
    await file.close();
    await rm(path, { force: true });
    throw error;
  }
  await file.close();
}

/** One answer as the AWS CLI prints it. */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${cliJson(value)}\n`);
}

/** `JSON.stringify` of an SDK answer as the AWS CLI v2 prints it: no `$metadata`, ISO 8601 timestamps, four-space indent. */
export function cliJson(value: unknown): string {
  return JSON.stringify(cliValue(value), null, 4);
}

function cliValue(value: unknown): unknown {
  if (value instanceof Date) return cliTimestamp(value);
  if (Array.isArray(value)) return value.map(cliValue);
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === '$metadata' || item === undefined) continue;
      result[key] = cliValue(item);
    }
    return result;
  }
  return value;
}

/** Python's `datetime.isoformat()` of a UTC time, which the CLI prints: `2024-05-01T10:00:00+00:00`, microseconds only when not zero. */
export function cliTimestamp(date: Date): string {
  const iso = date.toISOString();
  const milliseconds = date.getUTCMilliseconds();
  return `${iso.slice(0, 19)}${milliseconds === 0 ? '' : `.${String(milliseconds).padStart(3, '0')}000`}+00:00`;
}
