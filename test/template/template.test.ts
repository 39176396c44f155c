import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { functionNames } from '../../scripts/build.js';
import { generatedFiles } from '../../scripts/generate.js';
import { parse } from 'yaml';
import { actionsNeededBy } from '../support/automation-permissions.js';
import { grantedActions, readTemplate, type TemplateResource } from '../support/cloudformation.js';
import { toolAvailable } from '../support/tools.js';
import { RULES } from '../../rules/registry.js';
import { DELIVERED_RECORD_SECONDS } from '../../src/alerts/delivery-ledger.js';
import { ownerPolicy } from '../../src/alerts/owners.js';
import { logicalBase } from '../../scripts/generate/names.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const template = readTemplate(join(root, 'template.yaml'));
const functions = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::Serverless::Function');

/** IAM service prefix of each SDK client package the code uses. */
const IAM_PREFIX: Record<string, string> = {
  'client-ec2': 'ec2',
  'client-config-service': 'config',
  'client-ssm': 'ssm',
  'client-sns': 'sns',
  'client-dynamodb': 'dynamodb',
  'client-s3': 's3',
  'client-sts': 'sts',
  'client-organizations': 'organizations',
};

/** Operations IAM authorises under another action's name (Amazon S3 User Guide, "Policy actions for Amazon S3"). */
const AUTHORISED_AS: Record<string, string> = {
  's3:ListObjectsV2': 's3:ListBucket',
  's3:DeleteObjects': 's3:DeleteObject',
};

/**
 * Library files that make AWS calls on our behalf and so count as the function's code: Powertools'
 * idempotency persistence layer calls DynamoDB for the owner alerts.
 */
const CALLING_LIBRARY_FILES = /node_modules\/@aws-lambda-powertools\/idempotency\/lib\/esm\/persistence\/DynamoDBPersistenceLayer\.js$/;

/**
 * The AWS operations a function can call: every `XCommand` and `paginateX` imported from an SDK
 * client in the project files esbuild puts into its bundle.
 */
async function operationsCalledBy(functionName: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(root, 'functions', functionName, 'handler.ts')],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  });
  const projectFiles = Object.keys(result.metafile.inputs).filter((input) => !input.includes('node_modules') || CALLING_LIBRARY_FILES.test(input));
  const operations = new Set<string>();
  for (const file of projectFiles) {
    const source = readFileSync(join(root, file), 'utf8');
    for (const [, names, client] of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[\w-]+)'/g)) {
      const prefix = IAM_PREFIX[client ?? ''];
      if (!prefix) throw new Error(`${file} imports @aws-sdk/${client}, whose IAM prefix this test does not know`);
      for (const raw of (names ?? '').split(',')) {
        const name = raw.trim().replace(/^type\s+/, '');
        const operation = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
        const action = `${prefix}:${operation}`;
        if (operation && !raw.trim().startsWith('type ')) operations.add(AUTHORISED_AS[action] ?? action);
      }
    }
  }
  return [...operations].sort();
}

describe('template.yaml', () => {
  it.skipIf(!toolAvailable('cfn-lint'))('passes cfn-lint with the SAM translator, informational checks included (requires cfn-lint)', () => {
    const lint = spawnSync('cfn-lint', ['--include-checks', 'I', '--format', 'parseable', join(root, 'template.yaml')], { encoding: 'utf8' });

    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });

  it('deploys every function folder, and every function has an entry point that exports a handler', () => {
    const deployed = functions.map(([, resource]) => String(resource.Properties?.CodeUri));

    expect(deployed.sort()).toEqual(functionNames().map((name) => `dist/functions/${name}/`).sort());
    for (const name of functionNames()) {
      expect(readFileSync(join(root, 'functions', name, 'handler.ts'), 'utf8')).toMatch(/export const handler\b/);
    }
    expect(template.Globals?.Function?.Handler).toBe('index.handler');
  });

  it.each(functions.map(([logicalId, resource]) => [logicalId, resource] as const))(
    '%s is granted exactly the AWS calls its code makes',
    async (_logicalId, resource) => {
      const folder = /^dist\/functions\/([\w-]+)\/$/.exec(String(resource.Properties?.CodeUri))?.[1];
      expect(folder).toBeDefined();
      expect(existsSync(join(root, 'functions', folder!, 'handler.ts'))).toBe(true);

      const called = await operationsCalledBy(folder!);

      expect(called.length).toBeGreaterThan(0);
      // KMS is called by SNS on the publisher's behalf when the topic has a customer-managed key:
      // no SDK call of ours names it, so it is checked apart (only under that condition, on that key).
      const granted = [...new Set(grantedActions(resource))].filter((action) => !action.startsWith('kms:')).sort();
      expect(granted).toEqual(called);
    },
  );

  it.each([...generatedFiles()].map(([path, content]) => [path, content] as const))('%s is exactly what `npm run generate` writes', (path, content) => {
    expect(readFileSync(join(root, path), 'utf8'), `${path} is stale or edited by hand: run npm run generate`).toBe(content);
  });

  it('inlines every SSM document exactly as automation-docs/ holds it', () => {
    const documents = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::SSM::Document');

    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) {
      const name = String((document.Properties?.Name as { 'Fn::Sub': string })['Fn::Sub']).replace('${NamePrefix}', '');
      const source = parse(readFileSync(join(root, 'automation-docs', `${name}.yaml`), 'utf8')) as unknown;
      expect(document.Properties?.Content, name).toEqual(source);
    }
  });

  it.each(
    Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::Config::RemediationConfiguration')
      .map(([logicalId, resource]) => [logicalId, resource] as const),
  )('%s runs its runbook under a role granted exactly the calls the runbook makes', (_logicalId, remediation) => {
    const documentId = (remediation.Properties?.TargetId as { Ref: string }).Ref;
    const document = template.Resources[documentId];
    const roleAttribute = (remediation.Properties?.Parameters as Record<string, { StaticValue?: { Values: { 'Fn::GetAtt': string[] }[] } }>).AutomationAssumeRole?.StaticValue?.Values[0]?.['Fn::GetAtt'];
    const role = template.Resources[roleAttribute?.[0] ?? ''] as TemplateResource;
    const content = document?.Properties?.Content as { mainSteps: { action: string; inputs?: Record<string, unknown> }[] };
    const inline = (role.Properties?.Policies ?? []) as { PolicyDocument: { Statement: { Action: string | string[] }[] } }[];
    // Policies the role cannot hold inline (one naming the role's own ARN) are AWS::IAM::RolePolicy resources on it.
    const attached = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::IAM::RolePolicy' && JSON.stringify(resource.Properties?.RoleName) === JSON.stringify({ Ref: roleAttribute?.[0] }));
    const policies = [...inline, ...attached.map((resource) => resource.Properties as { PolicyDocument: { Statement: { Action: string | string[] }[] } })];
    const granted = policies.flatMap((policy) => policy.PolicyDocument.Statement.flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action])));

    expect(roleAttribute?.[1]).toBe('Arn');
    expect([...new Set(granted)].sort()).toEqual(actionsNeededBy(content.mainSteps));
    const resourceParameters = Object.values(remediation.Properties?.Parameters as Record<string, { ResourceValue?: { Value: string } }>).filter((parameter) => parameter.ResourceValue);
    expect(resourceParameters).toEqual([{ ResourceValue: { Value: 'RESOURCE_ID' } }]);
  });

  it('lets Config invoke each rule function only from this account', () => {
    const permissions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Permission');
    const ruleFunctions = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::Config::ConfigRule')
      .map((rule) => (rule.Properties?.Source as { SourceIdentifier: { 'Fn::GetAtt': string[] } }).SourceIdentifier['Fn::GetAtt'][0]);

    expect(permissions.map((permission) => (permission.Properties?.FunctionName as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]).sort()).toEqual([...ruleFunctions].sort());
    for (const permission of permissions) {
      expect(permission.Properties).toMatchObject({ Principal: 'config.amazonaws.com', Action: 'lambda:InvokeFunction', SourceAccount: { Ref: 'AWS::AccountId' } });
    }
  });

  it('subscribes change-triggered rules to both change message types', () => {
    const rules = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Config::ConfigRule');
    for (const rule of rules) {
      const details = ((rule.Properties?.Source as { SourceDetails: { MessageType: string }[] }).SourceDetails ?? []).map((detail) => detail.MessageType);
      if (details.includes('ConfigurationItemChangeNotification')) expect(details).toContain('OversizedConfigurationItemChangeNotification');
    }
    expect(rules.length).toBeGreaterThan(0);
  });

  it('grants KMS to the alerts function only on the customer-managed topic key, and only when one is given', () => {
    const statements = ((template.Resources.OwnerAlertsFunction?.Properties?.Policies ?? []) as { Statement: unknown[] }[]).flatMap((policy) => policy.Statement);
    const kms = statements.filter((statement) => JSON.stringify(statement).includes('kms:'));

    expect(kms).toEqual([
      { 'Fn::If': ['AlertTopicCustomerKey', { Sid: 'UseTheTopicKey', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { Ref: 'AlertTopicKmsKeyArn' } }, { Ref: 'AWS::NoValue' }] },
    ]);
    expect(template.Resources.OwnerAlertTopic?.Properties?.KmsMasterKeyId).toEqual({ 'Fn::If': ['AlertTopicCustomerKey', { Ref: 'AlertTopicKmsKeyArn' }, 'alias/aws/sns'] });
  });

  it('refuses plain-HTTP access to the alert topic and both alert queues', () => {
    const policies = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::SNS::TopicPolicy' || resource.Type === 'AWS::SQS::QueuePolicy');
    const denied = policies.flatMap((policy) => {
      const statements = (policy.Properties?.PolicyDocument as { Statement: { Effect: string; Principal: unknown; Resource: unknown; Condition?: unknown }[] }).Statement;
      return statements
        .filter((statement) => statement.Effect === 'Deny' && statement.Principal === '*' && JSON.stringify(statement.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }))
        .flatMap((statement) => (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]));
    });

    expect(denied).toEqual(
      expect.arrayContaining([{ Ref: 'OwnerAlertTopic' }, { 'Fn::GetAtt': ['OwnerAlertQueue', 'Arn'] }, { 'Fn::GetAtt': ['OwnerAlertDeadLetterQueue', 'Arn'] }]),
    );
  });

  it('has an alarm for every failure that loses or never computes results, each notifying the alarm topic', () => {
    const alarms = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm');
    const watched = alarms.map(([, resource]) => {
      const properties = resource.Properties as { MetricName: string; Dimensions: { Name: string; Value: unknown }[] };
      return `${properties.MetricName}:${JSON.stringify(properties.Dimensions.map((dimension) => dimension.Value))}`;
    });
    const expected = [
      ...RULES.flatMap((rule) => [
        `Errors:${JSON.stringify([{ Ref: `${logicalBase(rule)}Function` }])}`,
        `UndeliveredEvaluations:${JSON.stringify(['ena-guard', { 'Fn::Sub': `\${NamePrefix}${rule.id}` }])}`,
        `StaleLedgerFailures:${JSON.stringify(['ena-guard', { 'Fn::Sub': `\${NamePrefix}${rule.id}` }])}`,
        ...(rule.triggers.periodic ? [`IncompleteSweeps:${JSON.stringify(['ena-guard', { 'Fn::Sub': `\${NamePrefix}${rule.id}` }])}`] : []),
      ]),
      `Errors:${JSON.stringify([{ Ref: 'OwnerAlertsFunction' }])}`,
      `ApproximateNumberOfMessagesVisible:${JSON.stringify([{ 'Fn::GetAtt': ['OwnerAlertDeadLetterQueue', 'QueueName'] }])}`,
      `TriggeredRules:${JSON.stringify([{ Ref: 'RemediationFailureRule' }])}`,
    ];

    expect(watched.sort()).toEqual(expected.sort());
    for (const [logicalId, resource] of alarms) {
      expect(resource.Properties?.AlarmActions, logicalId).toEqual({ 'Fn::If': ['AlarmTopicGiven', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }] });
      expect(resource.Properties, logicalId).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    }
    const failures = template.Resources.RemediationFailureRule?.Properties as { EventPattern: { detail: { Status: string[] } } };
    expect(failures.EventPattern.detail.Status.sort()).toEqual(['Cancelled', 'Failed', 'TimedOut']);
  });

  /** The property that names a resource of each type the template uses; null: the type has no name. */
  const NAME_PROPERTY: Record<string, string | null> = {
    'AWS::Config::ConfigRule': 'ConfigRuleName',
    'AWS::SSM::Document': 'Name',
    'AWS::SSM::Association': 'AssociationName',
    'AWS::SNS::Topic': 'TopicName',
    'AWS::SQS::Queue': 'QueueName',
    'AWS::DynamoDB::Table': 'TableName',
    'AWS::Serverless::Function': 'FunctionName',
    'AWS::IAM::Role': 'RoleName',
    'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
    'AWS::IAM::RolePolicy': null,
    'AWS::Logs::LogGroup': 'LogGroupName',
    'AWS::CloudWatch::Alarm': 'AlarmName',
    'AWS::Events::Rule': 'Name',
    'AWS::Lambda::Permission': null,
    'AWS::SQS::QueuePolicy': null,
    'AWS::SNS::TopicPolicy': null,
    'AWS::Config::RemediationConfiguration': null,
    // Bucket names are global: CloudFormation generates one, so stacks never collide.
    'AWS::S3::Bucket': null,
    'AWS::S3::BucketPolicy': null,
    'AWS::SSM::ResourceDataSync': 'SyncName',
  };

  it('puts NamePrefix before every name it gives a resource, so several stacks fit in one account', () => {
    const unprefixed: string[] = [];
    let named = 0;
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      expect(NAME_PROPERTY, `${resource.Type} is known to this test`).toHaveProperty([resource.Type]);
      const property = NAME_PROPERTY[resource.Type];
      const name = property ? resource.Properties?.[property] : undefined;
      if (name === undefined) continue;
      named += 1;
      const sub = (name as { 'Fn::Sub'?: unknown })['Fn::Sub'];
      if (typeof sub !== 'string' || !sub.startsWith('${NamePrefix}')) unprefixed.push(`${logicalId}.${property}`);
    }

    expect(unprefixed).toEqual([]);
    expect(named).toBeGreaterThanOrEqual(RULES.length + 7);
    expect(template.Parameters?.NamePrefix).toMatchObject({ Default: '', AllowedPattern: '^$|^[a-z][a-z0-9-]{0,18}-$' });
  });

  it('passes each runbook the prefixed names of the documents it runs', () => {
    const documents = parse(readFileSync(join(root, 'automation-docs', 'EnaGuard-UpdateEnaDriver.yaml'), 'utf8')) as { parameters: Record<string, { allowedPattern: string; default: string }> };
    const replace = parse(readFileSync(join(root, 'automation-docs', 'EnaGuard-ReplaceImageWithEna.yaml'), 'utf8')) as { parameters: Record<string, { allowedPattern: string }> };
    const enable = parse(readFileSync(join(root, 'automation-docs', 'EnaGuard-EnableEnaSupport.yaml'), 'utf8')) as { parameters: Record<string, { allowedPattern: string; default: string }> };
    const prefix = new RegExp((template.Parameters?.NamePrefix as { AllowedPattern: string }).AllowedPattern);

    for (const sample of ['', 'team-a-', 'x-']) {
      expect(prefix.test(sample)).toBe(true);
      for (const name of ['CollectorDocumentName', 'AssessLinuxDocumentName', 'AssessWindowsDocumentName', 'KernelUpdateDocumentName']) {
        expect(`${sample}${documents.parameters[name]!.default}`).toMatch(new RegExp(documents.parameters[name]!.allowedPattern));
      }
      expect(`${sample}EnaGuard-ReplaceImageWithEna`).toMatch(new RegExp(replace.parameters.RunbookName!.allowedPattern));
      expect(`${sample}${documents.parameters.InventoryRefreshDocumentName!.default}`).toMatch(new RegExp(documents.parameters.InventoryRefreshDocumentName!.allowedPattern));
      for (const runbook of [documents, enable]) expect(`${sample}${runbook.parameters.LockTableName!.default}`).toMatch(new RegExp(runbook.parameters.LockTableName!.allowedPattern));
      expect(`${sample}${enable.parameters.DriverEvidenceDocumentName!.default}`).toMatch(new RegExp(enable.parameters.DriverEvidenceDocumentName!.allowedPattern));
    }
    const instance = template.Resources.InstanceEnabledRemediation?.Properties?.Parameters as Record<string, { StaticValue: { Values: unknown[] } }>;
    expect(instance.DriverEvidenceDocumentName?.StaticValue.Values).toEqual([{ Ref: 'CheckEnaDriverEvidenceDocument' }]);
    expect(instance.LockTableName?.StaticValue.Values).toEqual([{ Ref: 'RunbookLockTable' }]);
    expect(template.Resources.RunbookLockTable?.Properties?.TableName).toEqual({ 'Fn::Sub': '${NamePrefix}EnaGuard-Locks' });
    const driver = template.Resources.DriverCurrentRemediation?.Properties?.Parameters as Record<string, { StaticValue: { Values: unknown[] } }>;
    const image = template.Resources.ImageEnabledRemediation?.Properties?.Parameters as Record<string, { StaticValue: { Values: unknown[] } }>;
    expect(driver.CollectorDocumentName?.StaticValue.Values).toEqual([{ Ref: 'EnaDriverCollectorDocument' }]);
    expect(driver.AssessLinuxDocumentName?.StaticValue.Values).toEqual([{ Ref: 'AssessEnaDriverLinuxDocument' }]);
    expect(driver.AssessWindowsDocumentName?.StaticValue.Values).toEqual([{ Ref: 'AssessEnaDriverWindowsDocument' }]);
    expect(driver.KernelUpdateDocumentName?.StaticValue.Values).toEqual([{ Ref: 'UpdateLinuxKernelDocument' }]);
    expect(driver.InventoryRefreshDocumentName?.StaticValue.Values).toEqual([{ Ref: 'RefreshEnaDriverInventoryDocument' }]);
    expect(driver.LockTableName?.StaticValue.Values).toEqual([{ Ref: 'RunbookLockTable' }]);
    for (const [resource, name] of [['AssessEnaDriverLinuxDocument', 'EnaGuard-AssessEnaDriverLinux'], ['AssessEnaDriverWindowsDocument', 'EnaGuard-AssessEnaDriverWindows'], ['UpdateLinuxKernelDocument', 'EnaGuard-UpdateLinuxKernel'], ['RefreshEnaDriverInventoryDocument', 'EnaGuard-RefreshEnaDriverInventory'], ['CheckEnaDriverEvidenceDocument', 'EnaGuard-CheckEnaDriverEvidence']] as const) {
      expect(template.Resources[resource]?.Properties?.Name).toEqual({ 'Fn::Sub': `\${NamePrefix}${name}` });
    }
    expect(image.RunbookName?.StaticValue.Values).toEqual([{ Ref: 'ReplaceImageWithEnaDocument' }]);
  });

  it('gives ena-driver-current and its remediation the same thresholds: each policy parameter the rule reads reaches the runbook from the same template parameter', () => {
    const rule = (template.Resources.DriverCurrentRule?.Properties as { InputParameters: Record<string, unknown> }).InputParameters;
    const remediation = template.Resources.DriverCurrentRemediation?.Properties?.Parameters as Record<string, { StaticValue: { Values: unknown[] } }>;
    const runbook = parse(readFileSync(join(root, 'automation-docs', 'EnaGuard-UpdateEnaDriver.yaml'), 'utf8')) as { parameters: Record<string, unknown> };
    const shared = { linuxMinimumDriverVersion: 'LinuxMinimumDriverVersion', windowsMinimumDriverVersion: 'WindowsMinimumDriverVersion', requireSecurityFixes: 'RequireSecurityFixes', kernelMinimums: 'KernelMinimums' } as const;

    for (const [ruleParameter, runbookParameter] of Object.entries(shared)) {
      const templateParameter = (rule[ruleParameter] as { Ref: string }).Ref;
      expect(template.Parameters?.[templateParameter]).toBeDefined();
      expect(runbook.parameters[runbookParameter]).toBeDefined();
      const passed = remediation[runbookParameter]?.StaticValue.Values;
      // An optional table reaches Config with a space after it (Config refuses an empty value).
      expect(passed).toEqual(ruleParameter === 'kernelMinimums' ? [{ 'Fn::Sub': `\${${templateParameter}} ` }] : [{ Ref: templateParameter }]);
    }
  });

  it('lets the driver runbook run only the stack\'s own Command documents and AWS-ConfigureAWSPackage, never a generic shell document', () => {
    const role = template.Resources.UpdateEnaDriverAutomationRole?.Properties as { Policies: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } }[] };
    const sendCommand = role.Policies.flatMap((policy) => policy.PolicyDocument.Statement).filter((statement) => [statement.Action].flat().includes('ssm:SendCommand'));
    const resources = JSON.stringify(sendCommand.map((statement) => statement.Resource));

    expect(resources).not.toMatch(/AWS-RunShellScript|AWS-RunPowerShellScript/);
    for (const name of ['AWS-ConfigureAWSPackage', 'EnaGuard-CollectEnaDriverInventory', 'EnaGuard-AssessEnaDriverLinux', 'EnaGuard-AssessEnaDriverWindows', 'EnaGuard-UpdateLinuxKernel']) expect(resources).toContain(name);
    const runbookText = readFileSync(join(root, 'automation-docs', 'EnaGuard-UpdateEnaDriver.yaml'), 'utf8');
    expect(runbookText).not.toMatch(/AWS-Run(Shell|PowerShell)Script/);
  });

  it.each(['EnaGuard-EnableEnaSupport', 'EnaGuard-UpdateEnaDriver', 'EnaGuard-ReplaceImageWithEna'])('keeps %s under 56 KB, with room within Systems Manager\'s 64 KB', (name) => {
    expect(readFileSync(join(root, 'automation-docs', `${name}.yaml`)).length).toBeLessThan(56 * 1024);
  });

  it('keeps delivered-alert records exactly as long as the alert queue keeps a message', () => {
    const queue = template.Resources.OwnerAlertQueue?.Properties as { MessageRetentionPeriod: number };

    expect(queue.MessageRetentionPeriod).toBe(DELIVERED_RECORD_SECONDS);
  });

  it.each(RULES.map((rule) => [rule.id, rule] as const))('%s names its metrics after the deployed rule, as its alarms expect', (_id, rule) => {
    const environment = template.Resources[`${logicalBase(rule)}Function`]?.Properties?.Environment as { Variables: Record<string, unknown> };
    const rule_ = template.Resources[`${logicalBase(rule)}Rule`]?.Properties as { ConfigRuleName: unknown };

    expect(environment.Variables.CONFIG_RULE_NAME).toEqual(rule_.ConfigRuleName);
  });

  it('passes the owner policy to the alerts function, and whatever the template accepts the function accepts', () => {
    const variables = (template.Resources.OwnerAlertsFunction?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    const domain = new RegExp((template.Parameters?.OwnerEmailDomain as { AllowedPattern: string }).AllowedPattern);
    const topics = new RegExp((template.Parameters?.OwnerTopicAllowList as { AllowedPattern: string }).AllowedPattern);

    expect(variables).toMatchObject({ OWNER_EMAIL_DOMAIN: { Ref: 'OwnerEmailDomain' }, OWNER_TOPIC_ALLOW_LIST: { Ref: 'OwnerTopicAllowList' } });
    for (const sample of ['', 'example.com', 'corp.example.co.uk']) {
      expect(domain.test(sample), sample).toBe(true);
      expect(() => ownerPolicy({ emailDomain: sample }), sample).not.toThrow();
    }
    for (const sample of ['', 'arn:aws:sns:eu-west-1:123456789012:team-a', 'arn:aws:sns:eu-west-1:123456789012:a,arn:aws-us-gov:sns:us-gov-west-1:123456789012:b']) {
      expect(topics.test(sample), sample).toBe(true);
      expect(() => ownerPolicy({ topicAllowList: sample }), sample).not.toThrow();
    }
    for (const sample of ['localhost', 'example..com', 'x@example.com']) expect(domain.test(sample), sample).toBe(false);
  });
});

describe('the state bucket', () => {
  const bucket = template.Resources.StateBucket!;
  const policy = template.Resources.StateBucketPolicy!.Properties as { PolicyDocument: { Statement: unknown[] } };

  it('is private, encrypted (with the given customer key, else SSE-S3), and refuses plain HTTP', () => {
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: { 'Fn::If': ['StateBucketCustomerKey', 'aws:kms', 'AES256'] }, KMSMasterKeyID: { 'Fn::If': ['StateBucketCustomerKey', { Ref: 'StateBucketKmsKeyArn' }, { Ref: 'AWS::NoValue' }] } } },
        ],
      },
    });
    expect(policy.PolicyDocument.Statement[0]).toEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [{ 'Fn::GetAtt': ['StateBucket', 'Arn'] }, { 'Fn::Sub': '${StateBucket.Arn}/*' }],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  it('lets Systems Manager write inventory only when the data sync is enabled, only for this account, under inventory-sync/', () => {
    const syncStatements = policy.PolicyDocument.Statement.slice(1) as { 'Fn::If': [string, Record<string, unknown>, unknown] }[];
    expect(syncStatements.map((statement) => statement['Fn::If'][0])).toEqual(['InventoryDataSyncEnabled', 'InventoryDataSyncEnabled']);
    expect(syncStatements[1]!['Fn::If'][1]).toMatchObject({
      Principal: { Service: 'ssm.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: { 'Fn::Sub': '${StateBucket.Arn}/inventory-sync/*/accountid=${AWS::AccountId}/*' },
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    expect(template.Resources.InventoryResourceDataSync).toMatchObject({ Condition: 'InventoryDataSyncEnabled', Properties: { S3Destination: { BucketPrefix: 'inventory-sync', SyncFormat: 'JsonSerDe' } } });
  });

  it.each(RULES.map((rule) => [rule.id, rule] as const))('lets %s touch only its own stale-result ledger', (_id, rule) => {
    const resource = template.Resources[`${logicalBase(rule)}Function`]!;
    const statements = (resource.Properties as { Policies: { Statement: { Sid?: string; Resource?: unknown; Condition?: unknown }[] }[] }).Policies.flatMap((p) => p.Statement);
    const ledger = statements.find((statement) => statement.Sid === 'KeepOwnStaleResultLedger');
    const listing = statements.find((statement) => statement.Sid === 'ListOwnStaleResultMarks');
    expect(ledger?.Resource).toEqual({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::\${StateBucket}/stale-ledger/\${NamePrefix}${rule.id}/*` });
    expect(listing?.Condition).toEqual({ StringLike: { 's3:prefix': { 'Fn::Sub': `stale-ledger/\${NamePrefix}${rule.id}/*` } } });
    expect((resource.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables.STATE_BUCKET).toEqual({ Ref: 'StateBucket' });
  });
});
