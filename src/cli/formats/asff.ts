/**
 * ASFF, the AWS Security Finding Format (SchemaVersion 2018-10-08): a JSON array of findings, one
 * per finding of the document, for Security Hub's BatchImportFindings:
 *
 *   aws securityhub batch-import-findings --region <Region> --findings file://findings.json
 *
 * BatchImportFindings takes at most 100 findings per call, and with the default (custom
 * integration) product only findings of the calling account, in the Region called: split the
 * array by AwsAccountId and Region (e.g. `jq`) and into chunks of 100 before importing.
 *
 * Every verdict is included, so that a resource fixed since the last import turns PASSED there:
 * COMPLIANT → PASSED, NON_COMPLIANT → FAILED, NOT_APPLICABLE → NOT_AVAILABLE (what Security Hub
 * itself reports for a Config NOT_APPLICABLE), NOT_JUDGED → WARNING ("some information is missing").
 */
import { truncate } from '../../../rules/text.js';
import { AsffUnavailableError } from '../../errors.js';
import type { Finding, FindingVerdict, FindingsDocument } from '../findings.js';

export const ASFF_SCHEMA_VERSION = '2018-10-08';


type ComplianceStatus = 'PASSED' | 'FAILED' | 'NOT_AVAILABLE' | 'WARNING';
type SeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM';

const COMPLIANCE: Readonly<Record<FindingVerdict, ComplianceStatus>> = {
  COMPLIANT: 'PASSED',
  NON_COMPLIANT: 'FAILED',
  NOT_APPLICABLE: 'NOT_AVAILABLE',
  NOT_JUDGED: 'WARNING',
};

/** Passed and not-applicable checks are INFORMATIONAL, as Security Hub's own controls report them. */
const SEVERITY: Readonly<Record<FindingVerdict, SeverityLabel>> = {
  COMPLIANT: 'INFORMATIONAL',
  NON_COMPLIANT: 'MEDIUM',
  NOT_APPLICABLE: 'INFORMATIONAL',
  NOT_JUDGED: 'LOW',
};

/** ASFF resource type names (Security Hub's Resource.Type); it has none for AMIs, hence Other. */
const RESOURCE_TYPE: Readonly<Record<string, string>> = {
  'AWS::EC2::Instance': 'AwsEc2Instance',
  'AWS::EC2::LaunchTemplate': 'AwsEc2LaunchTemplate',
  'AWS::::Account': 'AwsAccount',
};

/** The fields ena-guard sets; ASFF has many more (all optional). */
export interface AsffFinding {
  readonly SchemaVersion: typeof ASFF_SCHEMA_VERSION;
  readonly Id: string;
  readonly ProductArn: string;
  readonly ProductName: 'ena-guard';
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly Region: string;
  readonly Types: readonly string[];
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly Severity: { readonly Label: SeverityLabel };
  readonly Title: string;
  readonly Description: string;
  readonly Resources: readonly { readonly Type: string; readonly Id: string; readonly Partition: string; readonly Region: string }[];
  readonly Compliance: { readonly Status: ComplianceStatus };
  readonly RecordState: 'ACTIVE';
  readonly ProductFields: Readonly<Record<string, string>>;
  readonly Remediation?: { readonly Recommendation: { readonly Text: string } };
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The canonical id Security Hub expects: the resource's ARN where it has one. */
function resourceIdOf(finding: Finding, partition: string): string {
  const { accountId, region, resourceId } = finding;
  switch (finding.resourceType) {
    case 'AWS::EC2::Instance':
      return `arn:${partition}:ec2:${region}:${accountId}:instance/${resourceId}`;
    case 'AWS::EC2::LaunchTemplate':
      return `arn:${partition}:ec2:${region}:${accountId}:launch-template/${resourceId}`;
    case 'AWS::EC2::Image':
      return `arn:${partition}:ec2:${region}::image/${resourceId}`;
    case 'AWS::::Account':
      return `AWS::::Account:${accountId}`;
    default:
      return resourceId;
  }
}

export function toAsffFinding(finding: Finding, document: FindingsDocument): AsffFinding {
  const { accountId, region } = finding;
  if (!/^\d{12}$/.test(accountId) || region === '') {
    throw new AsffUnavailableError(
      `ASFF needs each finding's account and Region; ${finding.rule} ${finding.resourceId} has ${accountId || 'no account'} and ${region || 'no Region'} (run with --live or from an aggregator, or a snapshot that records them).`,
    );
  }
  const partition = partitionOf(region);
  const productFields: Record<string, string> = { 'ena-guard/Rule': finding.rule, 'ena-guard/ResourceType': finding.resourceType };
  if (finding.subject) productFields['ena-guard/Subject'] = finding.subject;
  if (finding.reasons.length > 0) productFields['ena-guard/Reasons'] = finding.reasons.join(' ');
  if (finding.runbook) productFields['ena-guard/Runbook'] = finding.runbook;
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    // Stable across runs, so that importing again updates the finding instead of adding one.
    Id: `ena-guard/${finding.rule}/${accountId}/${region}/${finding.resourceType}/${finding.resourceId}`,
    ProductArn: `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`,
    ProductName: 'ena-guard',
    GeneratorId: `ena-guard/${finding.rule}`,
    AwsAccountId: accountId,
    Region: region,
    Types: ['Software and Configuration Checks/AWS Security Best Practices'],
    CreatedAt: document.generatedAt,
    UpdatedAt: document.generatedAt,
    Severity: { Label: SEVERITY[finding.verdict] },
    Title: truncate(`${finding.rule}: ${finding.resourceId} is ${finding.verdict}`, 256),
    Description: truncate(finding.annotation.trim() || `${finding.rule} reported ${finding.verdict} for ${finding.resourceId}.`, 1024),
    Resources: [{ Type: RESOURCE_TYPE[finding.resourceType] ?? 'Other', Id: resourceIdOf(finding, partition), Partition: partition, Region: region }],
    Compliance: { Status: COMPLIANCE[finding.verdict] },
    RecordState: 'ACTIVE',
    ProductFields: productFields,
    ...(finding.runbook ? { Remediation: { Recommendation: { Text: `Run the SSM Automation runbook ${finding.runbook} on ${finding.resourceId}.` } } } : {}),
  };
}

export function renderAsff(document: FindingsDocument): string {
  return JSON.stringify(
    document.findings.map((finding) => toAsffFinding(finding, document)),
    null,
    2,
  );
}
