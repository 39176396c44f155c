/**
 * What the runbook roles may do, read from template.yaml: only the stack's own Command documents
 * and AWS-ConfigureAWSPackage, PassRole only of one role to Systems Manager, every mutating
 * statement conditioned (or listed below with the reason IAM offers no key for it), the exemption
 * deny on every role, the permissions boundary on every role the stack creates.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readTemplate, type TemplateResource } from '../support/cloudformation.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const template = readTemplate(join(root, 'template.yaml'));

interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const RUNBOOK_ROLES = ['EnableEnaSupportAutomationRole', 'UpdateEnaDriverAutomationRole', 'ReplaceImageWithEnaAutomationRole'] as const;

/**
 * Mutating statements IAM cannot condition further, each with the reason (the service
 * authorization reference lists no condition key that would tell this runbook's target apart).
 * The exemption deny and, for instances, the runbooks' lock still apply to them.
 */
const UNCONDITIONABLE: Readonly<Record<string, string>> = {
  RebootAndRecoverInstance: 'the instance resource has only tag, type and placement keys; which instance a run may reboot is decided by the runbook, its lock and the exemption deny',
  CheckDriverInGuest: 'SendCommand is limited to one fixed-content document; its instance resource has only tag keys',
  RunUpdatesInGuest: 'SendCommand is limited to AWS-ConfigureAWSPackage and the stack\'s fixed-content documents; its instance resource has only tag keys',
  PointTemplatesAtTheNewImage: 'no condition key shows which fields a new launch template version changes',
  NestedRunOfItself: 'already limited to the stack\'s own runbook by resource',
  BootTestNetworkAndDisk: 'the subnet is a parameter of each run, and these resources have no key that tells a boot test from another launch',
};

function statementsOf(logicalId: string): Statement[] {
  const role = template.Resources[logicalId] as TemplateResource;
  const inline = ((role.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((policy) => policy.PolicyDocument.Statement);
  const attached = Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::IAM::RolePolicy' && JSON.stringify(resource.Properties?.RoleName) === JSON.stringify({ Ref: logicalId }))
    .flatMap((resource) => (resource.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
  return [...inline, ...attached];
}

const actions = (statement: Statement) => [statement.Action].flat();
const isReadOnly = (action: string) => /^[a-z0-9-]+:(Describe|List|Get)/.test(action);
/** Actions that create a new resource (from this run's own AMI): the exemption concerns what exists. */
const CREATES = new Set(['ec2:RegisterImage', 'ec2:RunInstances']);

/** The guardrail policy's document, with the template's own substitution of ${ExemptionTagKey}. */
function guardrails(tagKey: string): { Statement: Statement[] } {
  const policy = template.Resources.RemediationGuardrailsPolicy as TemplateResource;
  const text = (policy.Properties?.PolicyDocument as { 'Fn::Sub': string })['Fn::Sub'];
  return JSON.parse(text.replaceAll('${ExemptionTagKey}', tagKey)) as { Statement: Statement[] };
}

describe('runbook roles', () => {
  it.each(RUNBOOK_ROLES)('%s may send only AWS-ConfigureAWSPackage and the stack\'s own fixed-content Command documents', (role) => {
    for (const statement of statementsOf(role).filter((s) => actions(s).includes('ssm:SendCommand'))) {
      for (const resource of [statement.Resource].flat()) {
        const arn = JSON.stringify(resource);
        if (arn.includes(':document/')) expect(arn).toMatch(/document\/(AWS-ConfigureAWSPackage|\$\{NamePrefix\}EnaGuard-(CheckEnaDriverEvidence|CollectEnaDriverInventory|AssessEnaDriverLinux|AssessEnaDriverWindows|UpdateLinuxKernel|RefreshEnaDriverInventory))"/);
        else expect(arn).toMatch(/:instance\/\*"/);
      }
    }
    expect(JSON.stringify(statementsOf(role))).not.toMatch(/AWS-Run(Shell|PowerShell)Script|AWS-RunRemoteScript|AWS-RunDocument/);
  });

  it.each(RUNBOOK_ROLES)('%s passes no role but its own, to Systems Manager only', (role) => {
    for (const statement of statementsOf(role).filter((s) => actions(s).some((a) => a === 'iam:PassRole' || a === 'iam:*' || a === '*'))) {
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [role, 'Arn'] });
      expect(statement.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } });
    }
  });

  it.each(RUNBOOK_ROLES)('%s conditions every statement that changes something, or the reason it cannot is stated', (role) => {
    const mutating = statementsOf(role).filter((s) => s.Effect === 'Allow' && actions(s).some((a) => !isReadOnly(a)));
    expect(mutating.length).toBeGreaterThan(0);
    for (const statement of mutating) {
      expect(statement.Sid, 'every statement is named').toBeDefined();
      if (statement.Condition === undefined) expect(UNCONDITIONABLE, `${role} ${statement.Sid} has no condition and no stated reason`).toHaveProperty(statement.Sid as string);
      expect(JSON.stringify(statement.Resource)).not.toBe('"*"');
    }
  });

  it('lists no reason for a statement that does not exist or that has a condition after all', () => {
    const all = RUNBOOK_ROLES.flatMap((role) => statementsOf(role));
    for (const sid of Object.keys(UNCONDITIONABLE)) {
      const found = all.filter((statement) => statement.Sid === sid);
      expect(found.length, sid).toBeGreaterThan(0);
      for (const statement of found) expect(statement.Condition, sid).toBeUndefined();
    }
  });

  it('limits ModifyInstanceAttribute to enaSupport, on EBS-backed instances', () => {
    const statement = statementsOf('EnableEnaSupportAutomationRole').find((s) => actions(s).includes('ec2:ModifyInstanceAttribute'));
    expect(statement?.Condition).toEqual({ StringEqualsIgnoreCase: { 'ec2:Attribute/EnaSupport': ['true', 'false'] }, StringEquals: { 'ec2:RootDeviceType': 'ebs' } });
  });

  it.each(['EnableEnaSupportAutomationRole', 'UpdateEnaDriverAutomationRole'] as const)('%s creates images only tagged as its own, and tags only while creating them', (role) => {
    const statements = statementsOf(role);
    const runbook = role === 'EnableEnaSupportAutomationRole' ? 'EnaGuard-EnableEnaSupport' : 'EnaGuard-UpdateEnaDriver';
    const onImages = statements.filter((s) => actions(s).includes('ec2:CreateImage') && JSON.stringify(s.Resource).includes('::image/'));
    expect(onImages).toHaveLength(1);
    expect(onImages[0]?.Condition?.StringEquals).toEqual({ 'aws:RequestTag/ena-guard:created-by': runbook });
    for (const statement of statements.filter((s) => actions(s).includes('ec2:CreateTags'))) expect(statement.Condition).toEqual({ StringEquals: { 'ec2:CreateAction': 'CreateImage' } });
    for (const statement of statements.filter((s) => actions(s).includes('ec2:ModifyImageAttribute') || actions(s).includes('ec2:RegisterImage'))) expect(statement).toBeUndefined();
  });

  it('changes images only where the boot test AMI is its own, or the old AMI is the account\'s, and never shares one', () => {
    const statements = statementsOf('ReplaceImageWithEnaAutomationRole');
    const modify = statements.filter((s) => actions(s).includes('ec2:ModifyImageAttribute'));
    expect(modify).toHaveLength(1);
    expect(modify[0]?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/ena-guard:created-by': 'EnaGuard-ReplaceImageWithEna', 'ec2:Attribute/ImdsSupport': 'v2.0' } });
    const register = statements.filter((s) => actions(s).includes('ec2:RegisterImage') && JSON.stringify(s.Resource).includes('::image/'));
    expect(register.map((s) => s.Condition)).toEqual([{ StringEquals: { 'aws:RequestTag/ena-guard:created-by': 'EnaGuard-ReplaceImageWithEna' } }]);
    const launchImage = statements.filter((s) => actions(s).includes('ec2:RunInstances') && JSON.stringify(s.Resource).includes('::image/'));
    expect(launchImage.map((s) => s.Condition)).toEqual([{ StringEquals: { 'aws:ResourceTag/ena-guard:created-by': 'EnaGuard-ReplaceImageWithEna' } }]);
    const launchInstance = statements.filter((s) => actions(s).includes('ec2:RunInstances') && JSON.stringify(s.Resource).includes(':instance/'));
    expect(launchInstance.map((s) => s.Condition)).toEqual([
      {
        StringEquals: { 'aws:RequestTag/ena-guard:boot-test': 'true', 'ec2:MetadataHttpTokens': 'required', 'ec2:InstanceType': { Ref: 'BootTestInstanceTypes' } },
        Null: { 'ec2:InstanceProfile': 'true' },
      },
    ]);
    expect(template.Parameters?.BootTestInstanceTypes).toMatchObject({ Type: 'CommaDelimitedList' });
  });

  it.each(RUNBOOK_ROLES)('%s carries the exemption deny over every mutating action it is allowed on instances, images and templates', (role) => {
    const resource = template.Resources[role] as TemplateResource;
    expect(resource.Properties?.ManagedPolicyArns).toEqual([{ Ref: 'RemediationGuardrailsPolicy' }]);
    const [deny] = guardrails('ena-guard:exempt').Statement;
    expect(deny).toMatchObject({ Effect: 'Deny', Resource: '*', Condition: { Null: { 'aws:ResourceTag/ena-guard:exempt': 'false' }, StringNotLike: { 'aws:ResourceTag/ena-guard:exempt': '*until=*' } } });
    const denied = new Set(actions(deny as Statement));
    const guardedResource = /:(instance|image|launch-template)\//;
    const allowed = statementsOf(role).filter((s) => s.Effect === 'Allow' && guardedResource.test(JSON.stringify(s.Resource))).flatMap(actions).filter((action) => !isReadOnly(action) && !CREATES.has(action) && action.startsWith('ec2:'));
    for (const action of allowed) expect(denied, `${role} may ${action} on an exempt resource`).toContain(action);
    expect(denied).toContain('ssm:SendCommand');
  });

  it('names the exemption tag key from its template parameter, which can only hold a tag key', () => {
    const text = ((template.Resources.RemediationGuardrailsPolicy as TemplateResource).Properties?.PolicyDocument as { 'Fn::Sub': string })['Fn::Sub'];
    expect(text.match(/\$\{([^}]+)\}/g)).toEqual(['${ExemptionTagKey}', '${ExemptionTagKey}']);
    const pattern = new RegExp(String(template.Parameters?.ExemptionTagKey?.AllowedPattern));
    expect(pattern.test('ena-guard:exempt')).toBe(true);
    for (const hostile of ['a"b', 'a\\b', 'x\ny']) expect(pattern.test(hostile), hostile).toBe(false);
  });

  it('sets the permissions boundary, when given, on every role the stack creates', () => {
    const boundary = { 'Fn::If': ['PermissionsBoundaryGiven', { Ref: 'PermissionsBoundaryArn' }, { Ref: 'AWS::NoValue' }] };
    const roles = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::IAM::Role');
    expect(roles.map(([id]) => id).sort()).toEqual([...RUNBOOK_ROLES].sort());
    for (const [id, resource] of roles) expect(resource.Properties?.PermissionsBoundary, id).toEqual(boundary);
    // SAM creates each function's role and gives it the Globals' boundary.
    expect(template.Globals?.Function?.PermissionsBoundary).toEqual(boundary);
    expect(Object.values(template.Resources).some((resource) => resource.Type === 'AWS::Serverless::Function' && resource.Properties?.Role !== undefined)).toBe(false);
  });

  it.each(['EnableEnaSupportAutomationRole', 'UpdateEnaDriverAutomationRole'] as const)('%s may touch the lock table alone, writing only a lock item\'s attributes', (role) => {
    const statements = statementsOf(role).filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
    expect(statements.flatMap(actions).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem']);
    for (const statement of statements) expect(statement.Resource).toEqual({ 'Fn::GetAtt': ['RunbookLockTable', 'Arn'] });
    const put = statements.find((s) => actions(s).includes('dynamodb:PutItem'));
    expect(put?.Condition?.['ForAllValues:StringEquals']).toEqual({ 'dynamodb:Attributes': ['LockId', 'Holder', 'Runbook', 'AcquiredAt'] });
  });
});
