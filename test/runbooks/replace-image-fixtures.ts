/**
 * Accounts for EnaGuard-ReplaceImageWithEna scenarios: AMIs, a launch template and bystander
 * instances shaped like the EC2 API's output and typed with the SDK's own types, plus helpers that
 * read what a run did from the account model.
 */
import type { Image, Instance, LaunchTemplate, LaunchTemplateVersion, Tag } from '@aws-sdk/client-ec2';
import {
  AccountModel,
  loadDocument,
  simulate,
  type AccountSnapshot,
  type AutomationDocument,
  type FaultRule,
  type GuestSpec,
  type SimulationResult,
} from '../../src/simulator/index.js';
import { ACCOUNT_ID, INSTANCE_TYPES, LINUX_WITH_DRIVER, START, image, instance, reservation } from '../simulator/fixtures.js';
import { documentsDir, runbookPath } from '../support/runbook-documents.js';

export const RUNBOOK_NAME = 'EnaGuard-ReplaceImageWithEna';
export const DOCUMENTS_DIR = documentsDir();
const RUNBOOK_PATH = runbookPath(RUNBOOK_NAME);

/** The golden AMI without ENA that the runbook replaces. */
export const OLD_IMAGE_ID = 'ami-0a1b2c3d4e5f60718';
/** Its root snapshot, as the fixture names it (`snap-` + the AMI's hex part). */
export const OLD_SNAPSHOT_ID = `snap-${OLD_IMAGE_ID.slice(4)}`;
/** Another AMI that already has ENA. */
export const ENA_IMAGE_ID = 'ami-0f9e8d7c6b5a40312';
export const TEMPLATE_ID = 'lt-0c0ffee0c0ffee001';
export const TEMPLATE_NAME = 'web-fleet';
export const SUBNET_ID = 'subnet-0123456789abcdef0';
/** Instances that run from the old AMI and must never be touched. */
export const BYSTANDER_IDS = ['i-0b0b0b0b0b0b0b0b1', 'i-0b0b0b0b0b0b0b0b2'] as const;

export const OLD_IMAGE_TAGS: Tag[] = [
  { Key: 'Name', Value: 'golden-linux' },
  { Key: 'team', Value: 'payments' },
];

/** The exemption tag key the runbook reads by default (the rules' default exemptionTagKey). */
export const EXEMPTION_TAG_KEY = 'ena-guard:exempt';

/** An exemption tag with the given value, to add to an AMI's or a template's tags. */
export function exemptionTag(value: string): Tag {
  return { Key: EXEMPTION_TAG_KEY, Value: value };
}

/** The old AMI as DescribeImages returns it: HVM, EBS-backed, Linux/UNIX, no ENA. */
export function oldImage(overrides: Partial<Image> = {}): Image {
  return image({
    ImageId: OLD_IMAGE_ID,
    Name: 'golden-linux-2025.10',
    Description: 'Golden Linux image',
    EnaSupport: false,
    Tags: OLD_IMAGE_TAGS,
    ...overrides,
  });
}

const CREATED = new Date('2025-10-02T08:00:00.000Z');

/** The launch template as DescribeLaunchTemplates returns it: default version 1, latest 2. */
export function launchTemplate(overrides: Partial<LaunchTemplate> = {}): LaunchTemplate {
  return {
    LaunchTemplateId: TEMPLATE_ID,
    LaunchTemplateName: TEMPLATE_NAME,
    CreateTime: CREATED,
    CreatedBy: `arn:aws:iam::${ACCOUNT_ID}:user/alice`,
    DefaultVersionNumber: 1,
    LatestVersionNumber: 2,
    Tags: [{ Key: 'team', Value: 'payments' }],
    ...overrides,
  };
}

/**
 * Its versions as DescribeLaunchTemplateVersions returns them. Version 1 (the default) and
 * version 2 (a later draft, not the default) differ in instance type, so a test can tell which one
 * a new version was based on. `null` leaves the AMI out of the default version.
 */
export function launchTemplateVersions(defaultImageId: string | null = OLD_IMAGE_ID): LaunchTemplateVersion[] {
  const base = { LaunchTemplateId: TEMPLATE_ID, LaunchTemplateName: TEMPLATE_NAME, CreatedBy: `arn:aws:iam::${ACCOUNT_ID}:user/alice` };
  return [
    {
      ...base,
      VersionNumber: 1,
      VersionDescription: 'golden fleet',
      CreateTime: CREATED,
      DefaultVersion: true,
      LaunchTemplateData: {
        ...(defaultImageId === null ? {} : { ImageId: defaultImageId }),
        InstanceType: 'm5.large',
        KeyName: 'ops',
        SecurityGroupIds: ['sg-0123456789abcdef0'],
        MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'team', Value: 'payments' }] }],
      },
    },
    {
      ...base,
      VersionNumber: 2,
      VersionDescription: 'draft: bigger instances',
      CreateTime: new Date('2025-11-02T08:00:00.000Z'),
      DefaultVersion: false,
      LaunchTemplateData: { ImageId: OLD_IMAGE_ID, InstanceType: 'c5.xlarge', KeyName: 'ops' },
    },
  ];
}

function bystanders(): Instance[] {
  return BYSTANDER_IDS.map((id, n) =>
    instance({ InstanceId: id, ImageId: OLD_IMAGE_ID, InstanceType: n === 0 ? 'r4.large' : 'c4.large', Tags: [{ Key: 'Name', Value: `web-${n + 1}` }] }),
  );
}

export interface Scenario {
  /** The old AMI; `null` leaves it out of the account. */
  readonly oldImage?: Image | null;
  /** The guest an instance launched from the old AMI (and from its copies) boots with. */
  readonly guest?: GuestSpec;
  readonly template?: LaunchTemplate | null;
  readonly templateVersions?: LaunchTemplateVersion[];
  readonly extraImages?: Image[];
  readonly snapshot?: Partial<AccountSnapshot>;
  readonly faults?: readonly FaultRule[];
  readonly startTime?: string;
}

/**
 * The account: the old AMI, an ENA AMI, the launch template (default version on the old AMI),
 * two bystander instances running from the old AMI, and the instance types of the simulator's
 * fixtures (m5.large requires ENA, r4.large supports it, c4.large cannot use it).
 */
export function accountFor(scenario: Scenario = {}): AccountModel {
  const old = scenario.oldImage === undefined ? oldImage() : scenario.oldImage;
  const template = scenario.template === undefined ? launchTemplate() : scenario.template;
  const images = [...(old === null ? [] : [old]), image({ ImageId: ENA_IMAGE_ID, Name: 'golden-linux-ena-2026.01', EnaSupport: true }), ...(scenario.extraImages ?? [])];
  return AccountModel.fromSnapshot(
    {
      accountId: ACCOUNT_ID,
      region: 'us-east-1',
      startTime: scenario.startTime ?? START,
      reservations: [reservation('r-0b0b0b0b0b0b0b0b1', bystanders())],
      instanceTypes: INSTANCE_TYPES,
      images,
      imageGuests: { [OLD_IMAGE_ID]: scenario.guest ?? LINUX_WITH_DRIVER, [ENA_IMAGE_ID]: LINUX_WITH_DRIVER },
      guests: Object.fromEntries(BYSTANDER_IDS.map((id) => [id, LINUX_WITH_DRIVER])),
      launchTemplates: template === null ? [] : [template],
      launchTemplateVersions: template === null ? [] : (scenario.templateVersions ?? launchTemplateVersions()),
      ...scenario.snapshot,
    },
    { faults: scenario.faults ?? [] },
  );
}

let document: AutomationDocument | undefined;

/** The runbook as deployed, loaded once. */
export async function runbook(): Promise<AutomationDocument> {
  document ??= await loadDocument(RUNBOOK_PATH);
  return document;
}

/** Runs the runbook (nested runs find it in automation-docs/). */
export async function run(account: AccountModel, parameters: Record<string, string>): Promise<SimulationResult> {
  return simulate(await runbook(), parameters, { account, documentsDir: DOCUMENTS_DIR });
}

/** Names of the steps run, nested runs flattened in order. */
export function stepsRun(result: SimulationResult): string[] {
  const names: string[] = [];
  const visit = (steps: SimulationResult['trace']): void => {
    for (const step of steps) {
      names.push(step.stepName);
      if (step.children !== undefined) visit(step.children);
    }
  };
  visit(result.trace);
  return names;
}

const READ_ONLY = /^(Describe|List|Get)/;

/** The successful API calls that change something, in order. */
export function mutations(account: AccountModel): string[] {
  return account.calls
    .calls()
    .filter((call) => !READ_ONLY.test(call.operation) && call.error === undefined)
    .map((call) => call.operation);
}

/** Reads the model without going through fault injection or the call log's fault points. */
function quietly<T>(account: AccountModel, read: () => T): T {
  account.faults.clear();
  return read();
}

/** The launch template and its versions as they are now. */
export function templateNow(account: AccountModel): { template: LaunchTemplate; versions: LaunchTemplateVersion[] } {
  return quietly(account, () => {
    const { LaunchTemplates: templates } = account.call('ec2', 'DescribeLaunchTemplates', { LaunchTemplateIds: [TEMPLATE_ID] }) as { LaunchTemplates: LaunchTemplate[] };
    const { LaunchTemplateVersions: versions } = account.call('ec2', 'DescribeLaunchTemplateVersions', { LaunchTemplateId: TEMPLATE_ID }) as {
      LaunchTemplateVersions: LaunchTemplateVersion[];
    };
    const template = templates[0];
    if (template === undefined) throw new Error('the launch template vanished');
    return { template, versions };
  });
}

/** Images this run registered (from the RegisterImage calls that succeeded). */
export function registeredImages(account: AccountModel): Image[] {
  return account.calls
    .calls({ operation: 'RegisterImage' })
    .flatMap((call) => {
      const imageId = (call.output as { ImageId?: string } | undefined)?.ImageId;
      const found = imageId === undefined ? undefined : account.ec2.image(imageId);
      return found === undefined ? [] : [found];
    });
}

/** Instances this run launched (from the RunInstances calls that succeeded). */
export function launchedInstances(account: AccountModel): Instance[] {
  return account.calls
    .calls({ operation: 'RunInstances' })
    .flatMap((call) => (call.output as { Instances?: Instance[] } | undefined)?.Instances ?? [])
    .map((launched) => account.ec2.instance(launched.InstanceId ?? '') ?? launched);
}

/** Tags as a plain record, for readable assertions. */
export function tagsOf(resource: { Tags?: Tag[] } | undefined): Record<string, string> {
  return Object.fromEntries((resource?.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
}
