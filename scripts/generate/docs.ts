/** docs/rules.md: every rule, its triggers, remediation and parameter table, from the declarations. */
import type { RuleDeclaration } from '../../rules/declaration.js';
import { templateFormOf } from '../../rules/parameters.js';
import { GENERATED_HEADER } from './handlers.js';
import { deployParameterName, templateParameterName } from './names.js';

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function triggers(rule: RuleDeclaration): string {
  const parts = [
    ...(rule.triggers.changeResourceTypes.length > 0 ? [`changes of ${rule.triggers.changeResourceTypes.map((type) => `\`${type}\``).join(', ')} (both change message types)`] : []),
    ...(rule.triggers.periodic ? ['periodic (`MaximumExecutionFrequency`)'] : []),
  ];
  return parts.join('; ');
}

export function rulesDocument(rules: readonly RuleDeclaration[]): string {
  const lines = [
    `<!-- ${GENERATED_HEADER} -->`,
    '# Rules',
    '',
    'Each rule is declared once in `rules/` (see `docs/adding-a-rule.md`); this page, the template\'s rule resources and parameters, the Lambda entry points and the CLI\'s checks are derived from the declarations.',
    '',
    '| rule | reports | triggers | remediation | deployed |',
    '| --- | --- | --- | --- | --- |',
    ...rules.map(
      (rule) =>
        `| \`${rule.id}\` | ${rule.reportedResourceTypes.map((type) => `\`${type}\``).join(', ')} | ${triggers(rule)} | ${rule.remediation ? `\`${rule.remediation.document}\` (${rule.remediation.automatic === 'never' ? 'manual only' : 'manual or automatic, by `RemediationMode`'})` : 'none'} | ${rule.deployment === 'always' ? 'always' : `when \`${deployParameterName(rule)}\` is \`true\``} |`,
    ),
  ];
  for (const rule of rules) {
    lines.push('', `## \`${rule.id}\``, '', rule.description, '', '| parameter | template parameter | default | accepted | what it does |', '| --- | --- | --- | --- | --- |');
    for (const [key, schema] of Object.entries(rule.parameters.shape)) {
      const form = templateFormOf(schema as never, `${rule.id}.${key}`);
      const accepted = (schema as { description?: string }).description ?? '';
      lines.push(`| \`${key}\` | \`${templateParameterName(key)}\` | ${form.default === '' ? '(empty)' : `\`${cell(form.default)}\``} | ${cell(accepted)} | ${cell(form.summary)} |`);
    }
    if (rule.remediation) {
      const passed = Object.keys(rule.remediation.staticParameters).map((name) => `\`${name}\``);
      lines.push('', `Remediation \`${rule.remediation.document}\` receives the resource id as \`${rule.remediation.resourceIdParameter}\`, its role as \`AutomationAssumeRole\`${passed.length > 0 ? `, and ${passed.join(', ')}` : ''}.`);
    }
  }
  return `${lines.join('\n')}\n`;
}
