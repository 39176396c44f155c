/**
 * Writes template.yaml from its two hand-written sources: infra/base.yaml (everything that is not
 * a rule: roles, documents, associations, the alert plumbing) and the rule declarations (each
 * rule's function, log group, invoke permission, Config rule, remediation, parameters, outputs,
 * and the EventBridge lists that name them). Every `Fn::Transform: AWS::Include` of a local
 * automation-docs/ file in the base is replaced by that document, so the template deploys on its
 * own and cfn-lint sees every document's content.
 *
 * The output is generated text only; nobody edits it by hand (a drift test fails when it is stale).
 */
import type { Document} from 'yaml';
import { Pair, Scalar, YAMLMap, YAMLSeq, isMap, isNode, isSeq, parseDocument, visit, type Node } from 'yaml';
import type { RemediationDeclaration, RuleDeclaration, StaticRemediationValue } from '../../rules/declaration.js';
import { templateFormOf, type TemplateParameterForm } from '../../rules/parameters.js';
import type { PermissionStatement } from '../../src/aws/iam.js';
import { enginePermissions } from '../../src/engine/permissions.js';
import { FACT_SOURCE_ENVIRONMENT, FACT_SOURCE_PERMISSIONS } from '../../src/facts/permissions.js';
import { GENERATED_HEADER } from './handlers.js';
import { deployConditionName, deployParameterName, documentBase, logicalBase, ruleFolder, templateParameterName } from './names.js';

/** CloudFormation's limit on a Config rule's InputParameters, in characters of JSON. */
const INPUT_PARAMETERS_LIMIT = 1024;

const SHORT_FORMS: Readonly<Record<string, string>> = {
  Ref: '!Ref',
  'Fn::Sub': '!Sub',
  'Fn::GetAtt': '!GetAtt',
  'Fn::If': '!If',
  'Fn::Equals': '!Equals',
  'Fn::And': '!And',
  'Fn::Not': '!Not',
};

/** A JavaScript value as a YAML node, CloudFormation intrinsics in their short form (`!Ref X`). */
function toNode(value: unknown): Node {
  if (isNode(value)) return value;
  if (Array.isArray(value)) {
    const seq = new YAMLSeq();
    seq.items = value.map(toNode);
    seq.flow = value.every((item) => typeof item !== 'object' || isIntrinsic(item));
    return seq;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    const [key, inner] = entries[0] ?? [];
    if (entries.length === 1 && key !== undefined && SHORT_FORMS[key]) {
      const node = key === 'Fn::GetAtt' ? new Scalar((inner as string[]).join('.')) : toNode(inner);
      node.tag = SHORT_FORMS[key];
      if (isSeq(node)) node.flow = true;
      return node;
    }
    const map = new YAMLMap();
    for (const [entryKey, entryValue] of entries) if (entryValue !== undefined) map.items.push(new Pair(new Scalar(entryKey), toNode(entryValue)));
    return map;
  }
  return new Scalar(value);
}

function isIntrinsic(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && SHORT_FORMS[Object.keys(value)[0] ?? ''] !== undefined;
}

/** A map entry with an optional comment above it, wrapped to the template's width. */
function entry(key: string, value: unknown, comment?: string): Pair {
  const keyNode = new Scalar(key);
  if (comment) keyNode.commentBefore = wrap(comment);
  return new Pair(keyNode, toNode(value));
}

function wrap(text: string, width = 96): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line.length > 0 && line.length + word.length + 1 > width) {
      lines.push(` ${line}`);
      line = word;
    } else line = line.length > 0 ? `${line} ${word}` : word;
  }
  if (line) lines.push(` ${line}`);
  return lines.join('\n');
}

/** The template parameter of a rule parameter, from its declared form. */
export function templateParameter(form: TemplateParameterForm): Record<string, unknown> {
  return {
    Type: form.type,
    Default: form.type === 'Number' ? Number(form.default) : form.default,
    ...(form.allowedPattern === undefined ? {} : { AllowedPattern: form.allowedPattern }),
    ...(form.allowedValues === undefined ? {} : { AllowedValues: [...form.allowedValues] }),
    ...(form.minLength === undefined ? {} : { MinLength: form.minLength }),
    ...(form.maxLength === undefined ? {} : { MaxLength: form.maxLength }),
    ...(form.minValue === undefined ? {} : { MinValue: form.minValue }),
    ...(form.maxValue === undefined ? {} : { MaxValue: form.maxValue }),
    Description: form.summary,
  };
}

/** Every rule parameter once, by template name; rules that share a key must share its form. */
export function ruleTemplateParameters(rules: readonly RuleDeclaration[]): Map<string, { readonly key: string; readonly form: TemplateParameterForm; readonly rules: string[] }> {
  const parameters = new Map<string, { key: string; form: TemplateParameterForm; rules: string[] }>();
  for (const rule of rules) {
    for (const [key, schema] of Object.entries(rule.parameters.shape)) {
      const form = templateFormOf(schema as never, `${rule.id}.${key}`);
      const name = templateParameterName(key);
      const known = parameters.get(name);
      if (known && JSON.stringify(known.form) !== JSON.stringify(form)) {
        throw new Error(`${rule.id}.${key} and ${known.rules.join(', ')} share the template parameter ${name} but declare different forms.`);
      }
      if (known) known.rules.push(rule.id);
      else parameters.set(name, { key, form, rules: [rule.id] });
    }
  }
  return parameters;
}

function staticValue(value: StaticRemediationValue): unknown {
  if ('ruleParameter' in value) {
    const name = templateParameterName(value.ruleParameter);
    // Config refuses an empty StaticValue (each value 1 to 256 characters): a parameter that may be
    // empty reaches the runbook with one space after it, which its pattern and script ignore.
    return value.mayBeEmpty === true ? { 'Fn::Sub': `\${${name}} ` } : { Ref: name };
  }
  if ('templateParameter' in value) return { Ref: value.templateParameter };
  if ('literal' in value) return value.literal;
  return value.templateValue;
}

/** The RemediationConfiguration's `Parameters`: the role, the resource id and the declared static values. */
export function remediationParameters(remediation: RemediationDeclaration): Record<string, unknown> {
  return {
    AutomationAssumeRole: { StaticValue: { Values: [{ 'Fn::GetAtt': [`${documentBase(remediation.document)}AutomationRole`, 'Arn'] }] } },
    [remediation.resourceIdParameter]: { ResourceValue: { Value: 'RESOURCE_ID' } },
    ...Object.fromEntries(Object.entries(remediation.staticParameters).map(([name, value]) => [name, { StaticValue: { Values: [staticValue(value)] } }])),
  };
}

function statements(rule: RuleDeclaration): PermissionStatement[] {
  return [...rule.factSources.flatMap((source) => FACT_SOURCE_PERMISSIONS[source]), ...enginePermissions(rule.id)];
}

/** `!If [condition, statement, !Ref AWS::NoValue]`, the statement in block style. */
function onlyIf(condition: string, statement: YAMLMap): YAMLSeq {
  const node = new YAMLSeq();
  node.tag = '!If';
  node.items = [new Scalar(condition), statement, toNode({ Ref: 'AWS::NoValue' })];
  return node;
}

function policyNode(rule: RuleDeclaration): Node {
  const statementSeq = new YAMLSeq();
  for (const statement of statements(rule)) {
    const map = toNode({ Sid: statement.Sid, Effect: 'Allow', Action: [...statement.Action], Resource: statement.Resource, ...(statement.Condition === undefined ? {} : { Condition: statement.Condition }) }) as YAMLMap;
    const actions = map.get('Action', true) as unknown as YAMLSeq;
    actions.flow = false;
    const node = statement.onlyIf ? onlyIf(statement.onlyIf, map) : map;
    if (statement.comment) node.commentBefore = wrap(statement.comment);
    statementSeq.items.push(node);
  }
  const policy = new YAMLMap();
  policy.items.push(new Pair(new Scalar('Version'), new Scalar('2012-10-17')), new Pair(new Scalar('Statement'), statementSeq));
  const policies = new YAMLSeq();
  policies.items.push(policy);
  return policies;
}

function ruleResources(rule: RuleDeclaration, condition: string | undefined): Pair[] {
  const base = logicalBase(rule);
  const withCondition = (resource: Record<string, unknown>) => (condition ? { Type: resource.Type, Condition: condition, ...resource } : resource);
  const functionResource = toNode(
    withCondition({
      Type: 'AWS::Serverless::Function',
      Properties: {
        Description: `AWS Config rule ${rule.id}.`,
        CodeUri: `dist/functions/${ruleFolder(rule)}/`,
        ...(rule.timeout ? { Timeout: rule.timeout.seconds } : {}),
        LoggingConfig: { LogGroup: { Ref: `${base}LogGroup` } },
        // The deployed rule name (NamePrefix included) names the metrics' `rule` dimension.
        // STATE_BUCKET holds the rule's stale-result ledger (src/engine/s3-result-ledger.ts).
        Environment: {
          Variables: {
            CONFIG_RULE_NAME: { 'Fn::Sub': `\${NamePrefix}${rule.id}` },
            STATE_BUCKET: { Ref: 'StateBucket' },
            ...Object.assign({}, ...rule.factSources.map((source) => FACT_SOURCE_ENVIRONMENT[source] ?? {})),
          },
        },
      },
    }),
  ) as YAMLMap;
  (functionResource.get('Properties') as YAMLMap).items.push(new Pair(new Scalar('Policies'), policyNode(rule)));
  if (rule.timeout) ((functionResource.get('Properties') as YAMLMap).items.find((pair) => (pair.key as Scalar).value === 'Timeout')!.key as Scalar).commentBefore = wrap(rule.timeout.reason);

  const sourceDetails = [
    ...(rule.triggers.changeResourceTypes.length > 0
      ? ['ConfigurationItemChangeNotification', 'OversizedConfigurationItemChangeNotification'].map((MessageType) => ({ EventSource: 'aws.config', MessageType }))
      : []),
    ...(rule.triggers.periodic ? [{ EventSource: 'aws.config', MessageType: 'ScheduledNotification', MaximumExecutionFrequency: { Ref: 'MaximumExecutionFrequency' } }] : []),
  ];
  const inputParameters = Object.fromEntries(Object.keys(rule.parameters.shape).map((key) => [key, { Ref: templateParameterName(key) }]));
  const pairs = [
    entry(`${base}Function`, functionResource, rule.description),
    entry(
      `${base}LogGroup`,
      withCondition({ Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { RetentionInDays: { Ref: 'LogRetentionInDays' } } }),
      'Logs are the record of what was judged and delivered: they outlive the stack.',
    ),
    entry(
      `${base}InvokePermission`,
      withCondition({
        Type: 'AWS::Lambda::Permission',
        Properties: { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [`${base}Function`, 'Arn'] }, Principal: 'config.amazonaws.com', SourceAccount: { Ref: 'AWS::AccountId' } },
      }),
      'Config invokes the function; SourceAccount prevents the confused deputy. SourceArn cannot name the rule: its ARN ends in a generated id, and the rule must exist after this permission.',
    ),
    entry(
      `${base}Rule`,
      withCondition({
        Type: 'AWS::Config::ConfigRule',
        DependsOn: `${base}InvokePermission`,
        Properties: {
          ConfigRuleName: { 'Fn::Sub': `\${NamePrefix}${rule.id}` },
          Description: rule.description,
          ...(rule.triggers.changeResourceTypes.length > 0 ? { Scope: { ComplianceResourceTypes: [...rule.triggers.changeResourceTypes] } } : {}),
          InputParameters: inputParameters,
          Source: { Owner: 'CUSTOM_LAMBDA', SourceIdentifier: { 'Fn::GetAtt': [`${base}Function`, 'Arn'] }, SourceDetails: sourceDetails },
        },
      }),
      rule.triggers.changeResourceTypes.length === 0
        ? `Periodic only: no change notification triggers it, so no Scope (Scope names the resources whose changes trigger a rule). It reports ${rule.reportedResourceTypes.join(' and ')}.`
        : undefined,
    ),
  ];
  pairs.push(...ruleAlarms(rule, withCondition));
  const remediation = rule.remediation;
  if (remediation) {
    const remediationCondition = condition ? `${base}RemediationConfigured` : 'RemediationConfigured';
    pairs.push(
      entry(
        `${base}Remediation`,
        {
          Type: 'AWS::Config::RemediationConfiguration',
          Condition: remediationCondition,
          Properties: {
            ConfigRuleName: { Ref: `${base}Rule` },
            TargetType: 'SSM_DOCUMENT',
            TargetId: { Ref: `${documentBase(remediation.document)}Document` },
            Automatic: remediation.automatic === 'never' ? false : { 'Fn::If': ['RemediationAutomatic', true, false] },
            ...(remediation.maximumAutomaticAttempts === undefined ? {} : { MaximumAutomaticAttempts: remediation.maximumAutomaticAttempts }),
            ...(remediation.retryAttemptSeconds === undefined ? {} : { RetryAttemptSeconds: remediation.retryAttemptSeconds }),
            ...(remediation.concurrentExecutionRatePercentage === undefined
              ? {}
              : { ExecutionControls: { SsmControls: { ConcurrentExecutionRatePercentage: remediation.concurrentExecutionRatePercentage, ErrorPercentage: remediation.errorPercentage } } }),
            Parameters: remediationParameters(remediation),
          },
        },
        remediation.comment ?? `${remediation.document} fixes ${rule.id}.`,
      ),
    );
  }
  if (JSON.stringify(Object.fromEntries(Object.keys(inputParameters).map((key) => [key, 'x'.repeat(16)]))).length > INPUT_PARAMETERS_LIMIT) {
    throw new Error(`${rule.id}: InputParameters would exceed Config's ${INPUT_PARAMETERS_LIMIT} characters.`);
  }
  return pairs;
}

/** A CloudWatch alarm that notifies AlarmTopicArn (when given) as soon as one datapoint crosses the threshold. */
function alarm(description: string, metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[]; Statistic: string }): Record<string, unknown> {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: description,
      ...metric,
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: { 'Fn::If': ['AlarmTopicGiven', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }] },
    },
  };
}

/** The metrics' dimensions as the engine's Powertools Metrics writes them (service and rule). */
function ruleDimensions(rule: RuleDeclaration) {
  return [
    { Name: 'service', Value: 'ena-guard' },
    { Name: 'rule', Value: { 'Fn::Sub': `\${NamePrefix}${rule.id}` } },
  ];
}

/**
 * Every alarm fires on the first occurrence: each of these means results were lost or never
 * computed, and a periodic rule runs at most hourly, so waiting for a second datapoint would
 * leave Config showing stale verdicts for another cycle.
 */
function ruleAlarms(rule: RuleDeclaration, withCondition: (resource: Record<string, unknown>) => Record<string, unknown>): Pair[] {
  const base = logicalBase(rule);
  const pairs = [
    entry(
      `${base}ErrorsAlarm`,
      withCondition(
        alarm(`The ${rule.id} function failed: a malformed event, bad rule parameters, lost evaluations or an incomplete sweep (see its log).`, {
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: `${base}Function` } }],
          Statistic: 'Sum',
        }),
      ),
      `Alarms of ${rule.id}: function errors, evaluations Config never received${rule.triggers.periodic ? ', and periodic sweeps that did not cover the fleet' : ''}.`,
    ),
    entry(
      `${base}UndeliveredEvaluationsAlarm`,
      withCondition(
        alarm(`${rule.id} computed evaluations that PutEvaluations did not accept: Config shows old verdicts for those resources.`, {
          Namespace: 'EnaGuard',
          MetricName: 'UndeliveredEvaluations',
          Dimensions: ruleDimensions(rule),
          Statistic: 'Sum',
        }),
      ),
    ),
  ];
  pairs.push(
    entry(
      `${base}StaleLedgerFailuresAlarm`,
      withCondition(
        alarm(`${rule.id} could not keep its stale-result ledger true (see its log): a result may outlive its resource until the ledger is rewritten.`, {
          Namespace: 'EnaGuard',
          MetricName: 'StaleLedgerFailures',
          Dimensions: ruleDimensions(rule),
          Statistic: 'Sum',
        }),
      ),
    ),
  );
  if (rule.triggers.periodic) {
    pairs.push(
      entry(
        `${base}IncompleteSweepsAlarm`,
        withCondition(
          alarm(`A periodic sweep of ${rule.id} did not cover every resource (a fact source failed, or it stopped at the deadline).`, {
            Namespace: 'EnaGuard',
            MetricName: 'IncompleteSweeps',
            Dimensions: ruleDimensions(rule),
            Statistic: 'Sum',
          }),
        ),
      ),
    );
  }
  return pairs;
}

function eventRules(rules: readonly RuleDeclaration[]): Pair[] {
  const documents = [...new Set(rules.flatMap((rule) => (rule.remediation ? [rule.remediation.document] : [])))];
  return [
    entry(
      'ComplianceChangeRule',
      {
        Type: 'AWS::Events::Rule',
        Properties: {
          Description: 'Compliance changes of the ena-guard Config rules, for owner alerts.',
          EventPattern: {
            source: ['aws.config'],
            'detail-type': ['Config Rules Compliance Change'],
            detail: { configRuleName: rules.map((rule) => ({ 'Fn::Sub': `\${NamePrefix}${rule.id}` })) },
          },
          Targets: [{ Id: 'OwnerAlertQueue', Arn: { 'Fn::GetAtt': ['OwnerAlertQueue', 'Arn'] } }],
        },
      },
      'Rule names are fixed (NamePrefix and the rule id), so the list names every declared rule, deployed or not.',
    ),
    entry('RemediationOutcomeRule', outcomeRule('Successful runs of the ena-guard runbooks, for owner alerts.', documents, ['Success'])),
    entry(
      'RemediationFailureRule',
      outcomeRule('Failed, timed-out or cancelled runs of the ena-guard runbooks (a rolled-back run ends Failed), for owner alerts and the alarm.', documents, [
        'Failed',
        'TimedOut',
        'Cancelled',
      ]),
      'Failures have a rule of their own so that one alarm counts them (AWS/Events TriggeredRules by RuleName).',
    ),
    entry(
      'RemediationFailuresAlarm',
      alarm('An ena-guard runbook failed, timed out, was cancelled or rolled back: the resource may need a person (see the execution in Systems Manager).', {
        Namespace: 'AWS/Events',
        MetricName: 'TriggeredRules',
        Dimensions: [{ Name: 'RuleName', Value: { Ref: 'RemediationFailureRule' } }],
        Statistic: 'Sum',
      }),
    ),
  ];
}

function outcomeRule(description: string, documents: readonly string[], statuses: readonly string[]): Record<string, unknown> {
  return {
    Type: 'AWS::Events::Rule',
    Properties: {
      Description: description,
      EventPattern: {
        source: ['aws.ssm'],
        'detail-type': ['EC2 Automation Execution Status-change Notification'],
        detail: { Definition: documents.map((document) => ({ Ref: `${documentBase(document)}Document` })), Status: [...statuses] },
      },
      Targets: [{ Id: 'OwnerAlertQueue', Arn: { 'Fn::GetAtt': ['OwnerAlertQueue', 'Arn'] } }],
    },
  };
}

function requireMap(document: Document, key: string): YAMLMap {
  const node = document.get(key, true);
  if (!isMap(node)) throw new Error(`infra/base.yaml: no ${key} map`);
  return node;
}

/** Replaces every `Fn::Transform: AWS::Include` of a local file with that file's YAML. */
function inlineIncludes(document: Document, readFile: (path: string) => string): void {
  visit(document, {
    Pair(_key, pair) {
      if (!isMap(pair.value)) return undefined;
      const transform = pair.value.get('Fn::Transform', true);
      if (!isMap(transform) || transform.get('Name') !== 'AWS::Include') return undefined;
      const location = (transform.get('Parameters', true) as YAMLMap | undefined)?.get('Location');
      if (typeof location !== 'string' || location.startsWith('s3://')) return undefined;
      const included = parseDocument(readFile(location));
      if (included.errors.length > 0) throw new Error(`${location}: ${included.errors[0]?.message}`);
      pair.value = included.contents;
      return visit.SKIP;
    },
  });
}

/** The whole template.yaml text. */
export function generateTemplate(rules: readonly RuleDeclaration[], baseText: string, readFile: (path: string) => string): string {
  const document = parseDocument(baseText);
  if (document.errors.length > 0) throw new Error(`infra/base.yaml: ${document.errors[0]?.message}`);
  inlineIncludes(document, readFile);

  const parameters = requireMap(document, 'Parameters');
  const conditions = requireMap(document, 'Conditions');
  const resources = requireMap(document, 'Resources');
  const outputs = requireMap(document, 'Outputs');
  const owned = ruleTemplateParameters(rules);
  for (const [name] of owned) {
    if (parameters.has(name)) throw new Error(`infra/base.yaml declares ${name}, which a rule declaration owns.`);
  }

  const ruleParameters = [...owned].map(([name, { key, form, rules: users }]) =>
    entry(name, templateParameter(form), `${users.join(', ')}: ${key}.`),
  );
  const optIn = rules.filter((rule) => rule.deployment === 'opt-in');
  const deployParameters = optIn.map((rule) =>
    entry(deployParameterName(rule), { Type: 'String', Default: 'false', AllowedValues: ['true', 'false'], Description: `Deploy the opt-in rule ${rule.id}: ${rule.description}` }),
  );
  parameters.items.unshift(...ruleParameters, ...deployParameters);

  for (const rule of optIn) {
    conditions.items.push(entry(deployConditionName(rule), { 'Fn::Equals': [{ Ref: deployParameterName(rule) }, 'true'] }));
    if (rule.remediation) conditions.items.push(entry(`${logicalBase(rule)}RemediationConfigured`, { 'Fn::And': [{ Condition: 'RemediationConfigured' }, { Condition: deployConditionName(rule) }] }));
  }

  const generated = rules.flatMap((rule) => ruleResources(rule, rule.deployment === 'opt-in' ? deployConditionName(rule) : undefined));
  const events = eventRules(rules);
  const existing = new Set(resources.items.map((pair) => String((pair.key as Scalar).value)));
  for (const pair of [...generated, ...events]) {
    const name = String((pair.key as Scalar).value);
    if (existing.has(name)) throw new Error(`infra/base.yaml declares ${name}, which the generator writes.`);
  }
  resources.items = [...generated, ...resources.items, ...events];

  outputs.items.push(
    ...rules.map((rule) =>
      entry(`${logicalBase(rule)}RuleName`, {
        ...(rule.deployment === 'opt-in' ? { Condition: deployConditionName(rule) } : {}),
        Description: `Name of the ${rule.id} Config rule.`,
        Value: { Ref: `${logicalBase(rule)}Rule` },
      }),
    ),
  );

  // The base's own header speaks of the base; the output says where it came from instead.
  if (document.contents) document.contents.commentBefore = null;
  document.commentBefore = ` ${GENERATED_HEADER}\n Hand-written sources: infra/base.yaml, the rule declarations in rules/, the documents in automation-docs/.\n Deploy this file as it is (sam deploy); change its sources and run \`npm run generate\`.`;
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}

