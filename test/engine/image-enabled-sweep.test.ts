import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
  type Evaluation,
} from '@aws-sdk/client-config-service';
import {
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeLaunchTemplatesCommand,
  EC2Client,
  type DescribeImagesCommandInput,
  type DescribeLaunchTemplateVersionsCommandInput,
  type Image,
  type LaunchTemplate,
  type LaunchTemplateVersion,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ImageDetail } from '../../rules/image-enabled.js';
import { MAX_ANNOTATION_LENGTH } from '../../rules/verdict.js';
import { imageEnabledRule } from '../../rules/image-enabled.js';
import { IMAGE_REPORT_MESSAGE, bindImageRule } from '../../src/checks/image-enabled.js';
import { runConfigRule, type EngineDependencies } from '../../src/engine/run-rule.js';
import { AwsImageReader } from '../../src/facts/aws-image-reader.js';
import { configEvent } from '../support/config-events.js';
import { ACCOUNT_ID, amiId, sdkImage, sdkLaunchTemplate, sdkTemplateVersion } from '../support/images.js';
import { recordingLog, recordingMetrics } from '../support/recording-log.js';

const configMock = mockClient(ConfigServiceClient);
const ec2Mock = mockClient(EC2Client);
const NOW = new Date('2026-11-20T12:00:00.000Z');
const EXEMPT = { Key: 'ena-guard:exempt', Value: 'vendor appliance until 2027-03' };

interface Account {
  readonly owned: readonly Image[];
  /** AMIs of other accounts (public or shared) that DescribeImages returns by id. */
  readonly foreign: readonly Image[];
  readonly templates: readonly LaunchTemplate[];
  readonly versions: readonly LaunchTemplateVersion[];
  /** parameter → AMI id, as EC2 resolves it with ResolveAlias. */
  readonly aliases: Readonly<Record<string, string>>;
}

/** Serves an account through the EC2 mock with the API's paging (NextToken = next offset). */
function serve(account: Account, pageSize = { images: 1000, templates: 200 }) {
  const page = <T>(items: readonly T[], size: number, token: string | undefined) => {
    const start = Number(token ?? 0);
    const end = start + size;
    return { items: items.slice(start, end), ...(end < items.length ? { NextToken: String(end) } : {}) };
  };
  // The SDK's paginators reuse one input object, so the recorded calls show the last token only:
  // record each owned page's token as it is asked for.
  const ownedPageTokens: (string | undefined)[] = [];
  ec2Mock.on(DescribeImagesCommand).callsFake((input: DescribeImagesCommandInput) => {
    if (input.Owners?.includes('self')) {
      ownedPageTokens.push(input.NextToken);
      const { items, ...rest } = page(account.owned, Math.min(pageSize.images, input.MaxResults ?? 1000), input.NextToken);
      return { Images: items, ...rest };
    }
    const wanted = new Set(input.Filters?.find((filter) => filter.Name === 'image-id')?.Values ?? []);
    return { Images: [...account.owned, ...account.foreign].filter((image) => wanted.has(image.ImageId ?? '')) };
  });
  ec2Mock.on(DescribeLaunchTemplatesCommand).callsFake((input: { NextToken?: string }) => {
    const { items, ...rest } = page(account.templates, pageSize.templates, input.NextToken);
    return { LaunchTemplates: items, ...rest };
  });
  ec2Mock.on(DescribeLaunchTemplateVersionsCommand).callsFake((input: DescribeLaunchTemplateVersionsCommandInput) => {
    if (input.ResolveAlias) {
      const version = account.versions.find((candidate) => candidate.LaunchTemplateId === input.LaunchTemplateId);
      const parameter = version?.LaunchTemplateData?.ImageId ?? '';
      const resolved = account.aliases[parameter];
      if (!resolved) return Promise.reject(Object.assign(new Error(`${parameter} does not exist`), { name: 'InvalidParameterValue' }));
      return { LaunchTemplateVersions: [{ ...version, LaunchTemplateData: { ...version?.LaunchTemplateData, ImageId: resolved } }] };
    }
    const { items, ...rest } = page(account.versions, pageSize.templates, input.NextToken);
    return { LaunchTemplateVersions: items, ...rest };
  });
  return { ownedPageTokens };
}

interface DemoTemplate {
  readonly id: string;
  readonly image: string | undefined;
  readonly exempt?: boolean;
}

/** One account holding every situation of the rule. */
function situations(): Account {
  const templates: DemoTemplate[] = [
    { id: 'lt-golden', image: amiId(1) },
    { id: 'lt-legacy', image: amiId(2) },
    { id: 'lt-pv', image: amiId(3) },
    { id: 'lt-vendor', image: amiId(4) },
    { id: 'lt-vendor-exempt', image: amiId(4), exempt: true },
    { id: 'lt-gone', image: amiId(91) },
    { id: 'lt-public', image: amiId(90) },
    { id: 'lt-ssm', image: 'resolve:ssm:/golden/al2023' },
    { id: 'lt-ssm-broken', image: 'resolve:ssm:/golden/removed' },
    { id: 'lt-none', image: undefined },
  ];
  return {
    owned: [
      sdkImage(1, { Name: 'golden-al2023' }),
      sdkImage(2, { Name: 'legacy-centos6', EnaSupport: false }),
      sdkImage(3, { Name: 'legacy-pv', EnaSupport: false, VirtualizationType: 'paravirtual', RootDeviceType: 'instance-store' }),
      sdkImage(4, { Name: 'vendor-appliance', EnaSupport: false, Tags: [EXEMPT] }),
      sdkImage(5, { Name: 'old-build', EnaSupport: false, DeprecationTime: '2026-06-01T00:00:00.000Z' }),
    ],
    foreign: [sdkImage(90, { OwnerId: '137112412989', Public: true, ImageOwnerAlias: 'amazon', Name: 'al2023-ami-2026.11' })],
    templates: templates.map((template) => sdkLaunchTemplate(template.id, template.id.slice(3), template.exempt ? { Tags: [EXEMPT] } : {})),
    versions: templates.map((template) => sdkTemplateVersion(template.id, template.id.slice(3), template.image, 2)),
    aliases: { 'resolve:ssm:/golden/al2023': amiId(1) },
  };
}

function engine() {
  const log = recordingLog();
  const deps: EngineDependencies = {
    config: new ConfigServiceClient({ region: 'eu-west-1' }),
    log,
    metrics: recordingMetrics(),
    sleep: async () => {},
  };
  const spec = bindImageRule(imageEnabledRule, { images: new AwsImageReader(new EC2Client({ region: 'eu-west-1' }), () => NOW), now: () => NOW });
  return { log, run: (event: unknown) => runConfigRule(event, spec, deps) };
}

function periodicEvent(ruleParameters: Record<string, string> = {}) {
  return { ...configEvent('periodic'), configRuleName: 'ena-image-enabled', ruleParameters: JSON.stringify(ruleParameters) };
}

function sentEvaluations(): Evaluation[] {
  return configMock.commandCalls(PutEvaluationsCommand).flatMap((call) => call.args[0].input.Evaluations ?? []);
}

function evaluationOf(resourceId: string): Evaluation | undefined {
  return sentEvaluations().find((evaluation) => evaluation.ComplianceResourceId === resourceId);
}

beforeEach(() => {
  configMock.reset();
  ec2Mock.reset();
  configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
});

const templateRows = [
  { situation: 'ENA AMI', template: 'lt-golden', compliance: 'COMPLIANT', annotation: `AMI ${amiId(1)} has ENA.` },
  { situation: 'non-ENA AMI', template: 'lt-legacy', compliance: 'NON_COMPLIANT', annotation: `AMI ${amiId(2)} lacks ENA` },
  { situation: 'PV AMI', template: 'lt-pv', compliance: 'NON_COMPLIANT', annotation: `AMI ${amiId(3)} is paravirtual (PV) and cannot get ENA` },
  { situation: 'exempt AMI, template not exempt', template: 'lt-vendor', compliance: 'NON_COMPLIANT', annotation: 'The AMI is exempt by tag ena-guard:exempt' },
  { situation: 'exempt template', template: 'lt-vendor-exempt', compliance: 'NOT_APPLICABLE', annotation: 'Exempt by tag ena-guard:exempt: "vendor appliance until 2027-03".' },
  { situation: 'deregistered AMI', template: 'lt-gone', compliance: 'NON_COMPLIANT', annotation: `AMI ${amiId(91)} is deregistered, not found or not shared with this account` },
  { situation: 'public AMI of another account, with ENA', template: 'lt-public', compliance: 'COMPLIANT', annotation: `AMI ${amiId(90)} has ENA.` },
  { situation: 'resolve:ssm: AMI', template: 'lt-ssm', compliance: 'COMPLIANT', annotation: `AMI ${amiId(1)} (from resolve:ssm:/golden/al2023) has ENA.` },
  { situation: 'template with no AMI', template: 'lt-none', compliance: 'NOT_APPLICABLE', annotation: 'Default version 2 names no AMI' },
] as const;

describe('ena-image-enabled periodic sweep', () => {
  it.each(templateRows)('reports the launch template with a $situation as $compliance', async ({ template, compliance, annotation }) => {
    // Prepare
    serve(situations());
    const { run } = engine();

    // Act
    await run(periodicEvent());

    // Assess
    expect(evaluationOf(template)).toEqual({
      ComplianceResourceType: 'AWS::EC2::LaunchTemplate',
      ComplianceResourceId: template,
      ComplianceType: compliance,
      Annotation: expect.stringContaining(annotation),
      OrderingTimestamp: NOW,
    });
  });

  it('reports one AWS::EC2::Image evaluation per owned AMI, with its own verdict and no account evaluation', async () => {
    // Prepare
    serve(situations());
    const { run } = engine();

    // Act
    const summary = await run(periodicEvent());

    // Assess
    const images = sentEvaluations().filter((evaluation) => evaluation.ComplianceResourceType === 'AWS::EC2::Image');
    expect(images.map((evaluation) => [evaluation.ComplianceResourceId, evaluation.ComplianceType])).toEqual([
      [amiId(1), 'COMPLIANT'],
      [amiId(2), 'NON_COMPLIANT'],
      [amiId(3), 'NON_COMPLIANT'],
      [amiId(4), 'NOT_APPLICABLE'],
      [amiId(5), 'NON_COMPLIANT'],
    ]);
    expect(evaluationOf(amiId(2))).toEqual({
      ComplianceResourceType: 'AWS::EC2::Image',
      ComplianceResourceId: amiId(2),
      ComplianceType: 'NON_COMPLIANT',
      Annotation: 'The AMI lacks ENA: it cannot launch ENA-required (Nitro) types and its instances start without ENA. Run EnaGuard-ReplaceImageWithEna. 1 launch template uses it.',
      OrderingTimestamp: NOW,
    });
    expect(evaluationOf(amiId(3))?.Annotation).toContain('paravirtual (PV) and cannot get ENA');
    expect(evaluationOf(amiId(4))?.Annotation).toBe('Exempt by tag ena-guard:exempt: "vendor appliance until 2027-03".');
    expect(sentEvaluations().some((evaluation) => evaluation.ComplianceResourceType === 'AWS::::Account')).toBe(false);
    expect(summary).toMatchObject({ complete: true, delivered: 14, unjudgedResourceIds: ['lt-ssm-broken'] });
  });

  it('reports deprecated AMIs NOT_APPLICABLE when includeDeprecatedImages is false', async () => {
    // Prepare
    serve(situations());
    const { run } = engine();

    // Act
    await run(periodicEvent({ includeDeprecatedImages: 'false' }));

    // Assess
    expect(evaluationOf(amiId(5))).toMatchObject({ ComplianceType: 'NOT_APPLICABLE', Annotation: expect.stringContaining('deprecated') });
    expect(evaluationOf(amiId(2))?.ComplianceType).toBe('NON_COMPLIANT');
  });

  it('leaves only the template whose resolve:ssm: parameter cannot be resolved unjudged', async () => {
    // Prepare
    serve(situations());
    const { run, log } = engine();

    // Act
    const summary = await run(periodicEvent());

    // Assess
    expect(evaluationOf('lt-ssm-broken')).toBeUndefined();
    expect(summary.unjudgedResourceIds).toEqual(['lt-ssm-broken']);
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', extra: expect.objectContaining({ resourceId: 'lt-ssm-broken', detail: expect.stringContaining('resolve:ssm:/golden/removed') }) }),
    );
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: 'lt-ssm', Versions: ['2'], ResolveAlias: true });
  });

  it('names only AMIs the account owns in AWS::EC2::Image evaluations: a public AMI a template uses is judged on the template', async () => {
    // Prepare
    serve(situations());
    const { run } = engine();

    // Act
    await run(periodicEvent());

    // Assess
    const types = new Set(sentEvaluations().map((evaluation) => evaluation.ComplianceResourceType));
    expect(types).toEqual(new Set(['AWS::EC2::Image', 'AWS::EC2::LaunchTemplate']));
    expect(evaluationOf(amiId(90))).toBeUndefined();
    expect(evaluationOf('lt-public')?.ComplianceType).toBe('COMPLIANT');
  });

  it('writes one structured AMI report with the per-AMI detail and the templates that use each AMI', async () => {
    // Prepare
    serve(situations());
    const { run, log } = engine();

    // Act
    await run(periodicEvent());

    // Assess
    const reports = log.entries.filter((entry) => entry.message === IMAGE_REPORT_MESSAGE);
    expect(reports).toHaveLength(1);
    const report = reports[0]!.extra as { images: ImageDetail[]; part: number; parts: number; accountId: string; imagesWithoutEna: number };
    expect(report).toMatchObject({ accountId: ACCOUNT_ID, part: 1, parts: 1, imagesWithoutEna: 3 });
    expect(report.images.map((image) => image.imageId)).toEqual([amiId(1), amiId(2), amiId(3), amiId(4), amiId(5), amiId(90), amiId(91)]);
    expect(report.images.find((image) => image.imageId === amiId(3))).toMatchObject({
      name: 'legacy-pv',
      ownerId: ACCOUNT_ID,
      creationDate: sdkImage(3).CreationDate,
      virtualizationType: 'paravirtual',
      rootDeviceType: 'instance-store',
      cannotGetEna: true,
      launchTemplates: [{ id: 'lt-pv', name: 'pv' }],
    });
    expect(report.images.find((image) => image.imageId === amiId(1))?.launchTemplates.map((template) => template.id)).toEqual(['lt-golden', 'lt-ssm']);
    expect(report.images.find((image) => image.imageId === amiId(5))).toMatchObject({ deprecated: true, deprecationTime: '2026-06-01T00:00:00.000Z' });
    expect(report.images.find((image) => image.imageId === amiId(91))).toMatchObject({ state: 'not-found', owned: false, launchTemplates: [{ id: 'lt-gone', name: 'gone' }] });
  });

  it('covers 150 owned AMIs across pages and judges every one of them', async () => {
    // Prepare
    const owned = Array.from({ length: 150 }, (_, index) => sdkImage(index, { EnaSupport: index % 50 !== 7 }));
    const { ownedPageTokens } = serve({ owned, foreign: [], templates: [], versions: [], aliases: {} }, { images: 100, templates: 200 });
    const { run } = engine();

    // Act
    await run(periodicEvent());

    // Assess
    expect(ownedPageTokens).toEqual([undefined, '100']);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeImagesCommand, 2);
    const images = sentEvaluations().filter((evaluation) => evaluation.ComplianceResourceType === 'AWS::EC2::Image');
    expect(images).toHaveLength(150);
    expect(images.filter((evaluation) => evaluation.ComplianceType === 'NON_COMPLIANT').map((evaluation) => evaluation.ComplianceResourceId)).toEqual([amiId(7), amiId(57), amiId(107)]);
  });

  it('makes 6 EC2 calls and ⌈1,300/100⌉ = 13 PutEvaluations calls for 1,000 AMIs and 300 launch templates', async () => {
    // Prepare: every AMI lacks ENA; 280 templates use owned AMIs, 20 use public ones.
    const owned = Array.from({ length: 1000 }, (_, index) => sdkImage(index, { EnaSupport: false }));
    const foreign = Array.from({ length: 20 }, (_, index) => sdkImage(5000 + index, { OwnerId: '137112412989', Public: true }));
    const ids = Array.from({ length: 300 }, (_, index) => `lt-${index.toString(16).padStart(17, '0')}`);
    serve({
      owned,
      foreign,
      templates: ids.map((id) => sdkLaunchTemplate(id, id)),
      versions: ids.map((id, index) => sdkTemplateVersion(id, id, index < 280 ? amiId(index) : amiId(5000 + index - 280))),
      aliases: {},
    });
    const { run } = engine();

    // Act
    const summary = await run(periodicEvent());

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeImagesCommand, 2);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeLaunchTemplatesCommand, 2);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeLaunchTemplateVersionsCommand, 2);
    expect(ec2Mock.calls()).toHaveLength(6);
    expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 13);
    expect(summary).toMatchObject({ delivered: 1300, complete: true });
    expect(sentEvaluations().every((evaluation) => (evaluation.Annotation?.length ?? 0) <= MAX_ANNOTATION_LENGTH)).toBe(true);
  });

  it('clears the results of a deregistered AMI, a deleted template and the former account evaluation after a complete sweep', async () => {
    // Prepare
    serve(situations());
    const result = (ResourceType: string, ResourceId: string) => ({
      EvaluationResultIdentifier: { EvaluationResultQualifier: { ConfigRuleName: 'ena-image-enabled', ResourceType, ResourceId } },
      ComplianceType: 'NON_COMPLIANT' as const,
    });
    configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: [
        result('AWS::EC2::Image', amiId(77)),
        result('AWS::EC2::Image', amiId(2)),
        result('AWS::EC2::LaunchTemplate', 'lt-deleted'),
        result('AWS::EC2::LaunchTemplate', 'lt-legacy'),
        result('AWS::::Account', ACCOUNT_ID),
      ],
    });
    const { run } = engine();

    // Act
    const summary = await run(periodicEvent());

    // Assess
    const cleared = sentEvaluations().filter((evaluation) => evaluation.ComplianceType === 'NOT_APPLICABLE' && evaluation.Annotation?.startsWith('The resource no longer exists'));
    expect(cleared.map((evaluation) => `${evaluation.ComplianceResourceType} ${evaluation.ComplianceResourceId}`).sort()).toEqual(
      [`AWS::::Account ${ACCOUNT_ID}`, `AWS::EC2::Image ${amiId(77)}`, 'AWS::EC2::LaunchTemplate lt-deleted'].sort(),
    );
    expect(summary.staleResourcesCleared).toBe(3);
    expect(evaluationOf(amiId(2))?.ComplianceType).toBe('NON_COMPLIANT');
  });

  it('leaves the templates whose AMIs could not be looked up unjudged, and judges the rest', async () => {
    // Prepare
    const account = situations();
    serve(account);
    ec2Mock
      .on(DescribeImagesCommand)
      .callsFake((input: DescribeImagesCommandInput) =>
        input.Owners ? { Images: account.owned } : Promise.reject(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' })),
      );
    const { run } = engine();

    // Act
    const summary = await run(periodicEvent());

    // Assess
    expect([...summary.unjudgedResourceIds].sort()).toEqual(['lt-gone', 'lt-public', 'lt-ssm-broken']);
    expect(evaluationOf('lt-legacy')?.ComplianceType).toBe('NON_COMPLIANT');
    expect(evaluationOf(amiId(2))?.ComplianceType).toBe('NON_COMPLIANT');
  });

  it('reports nothing and clears nothing when the launch templates cannot be read', async () => {
    // Prepare
    serve(situations());
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }));
    const { run, log } = engine();

    // Act
    const summary = await run(periodicEvent());

    // Assess
    expect(summary.complete).toBe(false);
    // Nothing at all is reported: no stale result is cleared from a sweep that did not finish.
    expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
    expect(summary.staleResourcesCleared).toBe(0);
    expect(log.entries).toContainEqual(expect.objectContaining({ level: 'error', extra: expect.objectContaining({ error: expect.stringContaining('DescribeLaunchTemplateVersions failed') }) }));
  });

  it('reports a change notification of an instance as NOT_APPLICABLE without reading EC2: the rule judges AMIs and templates', async () => {
    // Prepare
    const { run } = engine();

    // Act
    await run({ ...configEvent('change-compliant'), configRuleName: 'ena-image-enabled' });

    // Assess
    expect(sentEvaluations()).toEqual([expect.objectContaining({ ComplianceType: 'NOT_APPLICABLE', Annotation: 'ena-image-enabled does not judge AWS::EC2::Instance.' })]);
    expect(ec2Mock.calls()).toHaveLength(0);
  });

});

describe('ena-image-enabled change notifications', () => {
  const AMI = 'ami-0a1b2c3d4e5f60718';

  function changeEvent(name: 'change-image' | 'change-launch-template', edit: (item: Record<string, unknown>) => void = () => {}) {
    const event = configEvent(name);
    const invoking = JSON.parse(event.invokingEvent as string) as { configurationItem: Record<string, unknown> };
    edit(invoking.configurationItem);
    return { ...event, invokingEvent: JSON.stringify(invoking) };
  }

  it('judges an AMI from its configuration item alone when the item says everything', async () => {
    // Prepare
    const { run } = engine();

    // Act
    const summary = await run(changeEvent('change-image'));

    // Assess
    expect(sentEvaluations()).toEqual([
      {
        ComplianceResourceType: 'AWS::EC2::Image',
        ComplianceResourceId: AMI,
        ComplianceType: 'NON_COMPLIANT',
        Annotation: 'The AMI lacks ENA: it cannot launch ENA-required (Nitro) types and its instances start without ENA. Run EnaGuard-ReplaceImageWithEna.',
        OrderingTimestamp: new Date('2026-11-20T10:15:30.123Z'),
      },
    ]);
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(summary.unjudgedResourceIds).toEqual([]);
  });

  it('reads the AMI with one DescribeImages by id when the item lacks a field a verdict needs', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [sdkImage(0, { ImageId: AMI, EnaSupport: true })] });
    const { run } = engine();

    // Act
    await run(changeEvent('change-image', (item) => delete (item.configuration as Record<string, unknown>).enaSupport));

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeImagesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeImagesCommand, { Filters: [{ Name: 'image-id', Values: [AMI] }] });
    expect(evaluationOf(AMI)?.ComplianceType).toBe('COMPLIANT');
  });

  it('reports a deregistered AMI NOT_APPLICABLE without reading EC2', async () => {
    // Prepare
    const { run } = engine();

    // Act
    await run(changeEvent('change-image', (item) => (item.configurationItemStatus = 'ResourceDeleted')));

    // Assess
    expect(evaluationOf(AMI)?.ComplianceType).toBe('NOT_APPLICABLE');
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it('re-judges a changed launch template from its live default version, and only it', async () => {
    // Prepare
    const id = 'lt-0a1b2c3d4e5f60718';
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [sdkTemplateVersion(id, 'web', amiId(2), 3)] });
    ec2Mock.on(DescribeLaunchTemplatesCommand).resolves({ LaunchTemplates: [sdkLaunchTemplate(id, 'web')] });
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [sdkImage(2, { EnaSupport: false })] });
    const { run } = engine();

    // Act
    await run(changeEvent('change-launch-template'));

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: id, Versions: ['$Default'] });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeLaunchTemplatesCommand, { LaunchTemplateIds: [id] });
    expect(ec2Mock.calls()).toHaveLength(3);
    expect(sentEvaluations()).toEqual([expect.objectContaining({ ComplianceResourceType: 'AWS::EC2::LaunchTemplate', ComplianceResourceId: id, ComplianceType: 'NON_COMPLIANT' })]);
  });

  it('reports a launch template EC2 no longer knows NOT_APPLICABLE', async () => {
    // Prepare
    const notFound = Object.assign(new Error("The specified launch template, with template ID lt-0a1b2c3d4e5f60718, does not exist."), { name: 'InvalidLaunchTemplateId.NotFound' });
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).rejects(notFound);
    ec2Mock.on(DescribeLaunchTemplatesCommand).rejects(notFound);
    const { run } = engine();

    // Act
    await run(changeEvent('change-launch-template'));

    // Assess
    expect(sentEvaluations()).toEqual([expect.objectContaining({ ComplianceType: 'NOT_APPLICABLE', Annotation: 'The launch template no longer exists.' })]);
  });
});
