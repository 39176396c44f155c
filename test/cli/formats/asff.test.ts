/**
 * ASFF checked three ways: a zod schema written from AWS's table of required top-level attributes
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html) and the
 * constraints of the API reference (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFinding.html);
 * the AWS CLI v2's own service model; and the AWS CLI sending the file to Security Hub (moto).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { FindingsDocument } from '../../../src/cli/findings.js';
import { AsffUnavailableError } from '../../../src/errors.js';
import { render } from '../../../src/cli/formats/index.js';
import { startMoto, type Moto } from '../../support/moto.js';
import { toolAvailable } from '../../support/tools.js';
import { GENERATED_AT, demoDocument, documentOf, finding } from './documents.js';

const nonEmpty = z.string().regex(/.*\S.*/);
/** "Timestamps can end with Z or ("+" / "-") time-hour [":" time-minute]", fractions up to 9 digits. */
const timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}(:?\d{2})?)$/);
/** "Valid namespace values are: Software and Configuration Checks | TTPs | Effects | Unusual Behaviors | Sensitive Data Identifications". */
const findingType = z.string().regex(/^(Software and Configuration Checks|TTPs|Effects|Unusual Behaviors|Sensitive Data Identifications)(\/[^/]+){0,2}$/);

/** The twelve required top-level attributes, with their documented types and limits; other attributes are allowed. */
const RequiredAsff = z.looseObject({
  AwsAccountId: z.string().regex(/^\d{12}$/),
  CreatedAt: timestamp,
  Description: nonEmpty.min(1).max(1024),
  GeneratorId: nonEmpty.min(1).max(512),
  Id: nonEmpty.min(1).max(512),
  ProductArn: z.string().regex(/^arn:aws(-cn|-us-gov)?:securityhub:[a-z0-9-]+:\d{12}:product\/\d{12}\/default$/),
  Resources: z.array(z.looseObject({ Type: nonEmpty, Id: nonEmpty, Partition: z.enum(['aws', 'aws-cn', 'aws-us-gov']).optional(), Region: nonEmpty.optional() })).min(1).max(32),
  SchemaVersion: z.literal('2018-10-08'),
  Severity: z.looseObject({ Label: z.enum(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']) }),
  Title: nonEmpty.max(256),
  Types: z.array(findingType).min(1).max(50),
  UpdatedAt: timestamp,
});
const Asff = RequiredAsff.extend({ Compliance: z.object({ Status: z.enum(['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE']) }) });

let demo: FindingsDocument;
let asff: z.infer<typeof Asff>[];
beforeAll(async () => {
  demo = await demoDocument();
  asff = z.array(Asff).parse(JSON.parse(render(demo, 'asff', { colour: false })));
});

describe('the asff format', () => {
  it('gives every finding of the demo fleet every required attribute, typed as AWS documents them', () => {
    expect(asff).toHaveLength(demo.findings.length);
  });

  it.each([
    ['COMPLIANT', 'PASSED', 'INFORMATIONAL'],
    ['NON_COMPLIANT', 'FAILED', 'MEDIUM'],
    ['NOT_APPLICABLE', 'NOT_AVAILABLE', 'INFORMATIONAL'],
    ['NOT_JUDGED', 'WARNING', 'LOW'],
  ] as const)('maps %s to Compliance.Status %s with severity %s', (verdict, status, label) => {
    const [converted] = JSON.parse(render(documentOf([finding({ verdict })]), 'asff', { colour: false })) as z.infer<typeof Asff>[];

    expect(converted?.Compliance.Status).toBe(status);
    expect(converted?.Severity.Label).toBe(label);
  });

  it('names the resource by its ARN and ASFF type, and the finding by a stable id', () => {
    const [instance, template, image] = JSON.parse(
      render(
        documentOf([
          finding(),
          finding({ rule: 'ena-image-enabled', resourceType: 'AWS::EC2::LaunchTemplate', resourceId: 'lt-0abc', region: 'cn-north-1' }),
          finding({ rule: 'ena-image-enabled', resourceType: 'AWS::EC2::Image', resourceId: 'ami-0abc' }),
        ]),
        'asff',
        { colour: false },
      ),
    ) as z.infer<typeof Asff>[];

    expect(instance).toMatchObject({
      Id: 'ena-guard/ena-instance-enabled/111111111111/eu-west-1/AWS::EC2::Instance/i-0123456789abcdef0',
      ProductArn: 'arn:aws:securityhub:eu-west-1:111111111111:product/111111111111/default',
      GeneratorId: 'ena-guard/ena-instance-enabled',
      AwsAccountId: '111111111111',
      CreatedAt: GENERATED_AT,
      UpdatedAt: GENERATED_AT,
      Resources: [{ Type: 'AwsEc2Instance', Id: 'arn:aws:ec2:eu-west-1:111111111111:instance/i-0123456789abcdef0', Partition: 'aws', Region: 'eu-west-1' }],
      Remediation: { Recommendation: { Text: 'Run the SSM Automation runbook EnaGuard-EnableEnaSupport on i-0123456789abcdef0.' } },
    });
    expect(template?.Resources).toEqual([{ Type: 'AwsEc2LaunchTemplate', Id: 'arn:aws-cn:ec2:cn-north-1:111111111111:launch-template/lt-0abc', Partition: 'aws-cn', Region: 'cn-north-1' }]);
    expect(template?.ProductArn).toBe('arn:aws-cn:securityhub:cn-north-1:111111111111:product/111111111111/default');
    expect(image?.Resources).toEqual([{ Type: 'Other', Id: 'arn:aws:ec2:eu-west-1::image/ami-0abc', Partition: 'aws', Region: 'eu-west-1' }]);
  });

  it('gives each finding of the demo document a different id', () => {
    expect(new Set(asff.map((converted) => converted.Id)).size).toBe(asff.length);
  });

  it('keeps Title and Description within their limits whatever the annotation', () => {
    const [converted] = JSON.parse(render(documentOf([finding({ annotation: 'x'.repeat(5000), resourceId: `i-${'f'.repeat(400)}` })]), 'asff', { colour: false })) as unknown[];

    expect(() => Asff.parse(converted)).not.toThrow();
  });

  it('refuses a finding whose account or Region is unknown, naming it', () => {
    expect(() => render(documentOf([finding({ accountId: '' })]), 'asff', { colour: false })).toThrow(AsffUnavailableError);
    expect(() => render(documentOf([finding({ region: '' })]), 'asff', { colour: false })).toThrow(/i-0123456789abcdef0 has 111111111111 and no Region/);
  });
});

const hasAwsCli = toolAvailable('/usr/bin/aws');
const hasMoto = toolAvailable('moto_server', ['--help']);

/** The AWS CLI v2's bundled botocore model of Security Hub: the API as the reference client knows it. */
function securityHubModel() {
  const found = spawnSync('/usr/bin/python3', ['-c', 'import awscli, os; print(os.path.dirname(awscli.__file__))'], { encoding: 'utf8' });
  const root = join(found.stdout.trim(), 'botocore', 'data', 'securityhub', '2018-10-26', 'service-2.json');
  return JSON.parse(readFileSync(root, 'utf8')) as {
    shapes: Record<string, { required?: string[]; members?: Record<string, { shape: string }>; enum?: string[] }>;
  };
}

describe.skipIf(!hasAwsCli)('the asff format against the AWS CLI v2 (requires /usr/bin/aws)', () => {
  it('uses only attributes the Security Hub model has, sets every one it requires, and only values its enums allow', () => {
    const { shapes } = securityHubModel();
    const finding = shapes.AwsSecurityFinding!;
    const resource = shapes.Resource!;

    for (const converted of asff) {
      expect(Object.keys(converted).filter((key) => !(key in finding.members!))).toEqual([]);
      expect(finding.required!.filter((key) => !(key in converted))).toEqual([]);
      for (const entry of converted.Resources) expect(Object.keys(entry).filter((key) => !(key in resource.members!))).toEqual([]);
      expect(shapes.ComplianceStatus!.enum).toContain(converted.Compliance.Status);
      expect(shapes.SeverityLabel!.enum).toContain(converted.Severity.Label);
      expect(shapes.RecordState!.enum).toContain((converted as { RecordState?: string }).RecordState);
    }
  });

  describe.skipIf(!hasMoto)('importing (requires moto_server)', () => {
    let moto: Moto;
    const folder = mkdtempSync(join(tmpdir(), 'ena-guard-asff-'));
    beforeAll(async () => {
      moto = await startMoto();
    }, 40_000);
    afterAll(async () => {
      await moto?.stop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('is accepted by aws securityhub batch-import-findings, 100 findings per call', () => {
      const env = { ...process.env, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_DEFAULT_REGION: 'eu-west-1', AWS_PAGER: '' };
      const aws = (...args: string[]) => spawnSync('/usr/bin/aws', [...args, '--endpoint-url', moto.endpoint, '--output', 'json'], { encoding: 'utf8', env });
      let imported = 0;
      for (let start = 0; start < asff.length; start += 100) {
        const file = join(folder, `findings-${start}.json`);
        writeFileSync(file, JSON.stringify(asff.slice(start, start + 100)));

        const result = aws('securityhub', 'batch-import-findings', '--findings', `file://${file}`);

        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        const response = JSON.parse(result.stdout) as { FailedCount: number; SuccessCount: number };
        expect(response.FailedCount).toBe(0);
        imported += response.SuccessCount;
      }
      expect(imported).toBe(asff.length);
    });
  });
});
