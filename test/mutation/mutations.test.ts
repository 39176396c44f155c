/**
 * The mutation suite's own checks, cheap enough for every `npm test`: each declared mutation still
 * applies to the runbook as it is in automation-docs/ (a renamed or removed safety step fails here
 * at once, not only in the slower `npm run test:mutation`), changes only the steps, and names
 * test files that exist; and the transforms re-point references and refuse to do nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { DEPLOYED_DOCUMENTS_DIR } from '../support/runbook-documents.js';
import {
  ENABLE,
  MUTATIONS,
  MutationError,
  RUNBOOK_TESTS,
  addDesiredValues,
  applyMutation,
  deleteInput,
  flipBooleanEquals,
  neutralizeStep,
  removeChoice,
  removeCondition,
  removeStep,
  retargetChoice,
  setDefault,
  type Mutation,
  type Transform,
} from './mutations.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the declared mutations', () => {
  it('have unique ids prefixed by their runbook', () => {
    const ids = MUTATIONS.map((mutation) => mutation.id);
    expect(new Set(ids).size).toBe(ids.length);
    const prefixes = { 'EnaGuard-EnableEnaSupport': 'enable.', 'EnaGuard-UpdateEnaDriver': 'update.', 'EnaGuard-ReplaceImageWithEna': 'replace.' } as const;
    for (const mutation of MUTATIONS) expect(mutation.id.startsWith(prefixes[mutation.runbook]), mutation.id).toBe(true);
  });

  it('cover each runbook with at least ten mutations, each runbook with test files that exist', () => {
    for (const [runbook, files] of Object.entries(RUNBOOK_TESTS)) {
      expect(MUTATIONS.filter((mutation) => mutation.runbook === runbook).length, runbook).toBeGreaterThanOrEqual(10);
      expect(files.filter((file) => existsSync(join(ROOT, file))).length, runbook).toBeGreaterThan(0);
    }
  });

  it.each(MUTATIONS.map((mutation) => [mutation.id, mutation] as const))('%s applies to the deployed runbook and changes only its steps', (_id, mutation) => {
    const text = readFileSync(join(DEPLOYED_DOCUMENTS_DIR, `${mutation.runbook}.yaml`), 'utf8');
    const before = parse(text) as Record<string, unknown>;
    const after = parse(applyMutation(text, mutation)) as Record<string, unknown>;
    expect(after['mainSteps']).not.toEqual(before['mainSteps']);
    const rest = (content: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(content).filter(([key]) => key !== 'mainSteps' && key !== 'outputs'));
    expect(rest(after)).toEqual(rest(before));
  });
});

/** A small runbook for the transforms. */
const SAMPLE = `schemaVersion: '0.3'
mainSteps:
  # a comment that survives
  - name: read
    action: aws:executeAwsApi
    inputs: {Service: ec2, Api: DescribeInstances}
    outputs:
      - {Name: State, Selector: $.State, Type: String}
  - name: decide
    action: aws:branch
    inputs:
      Choices:
        - NextStep: refuse
          Or:
            - {Variable: '{{ read.State }}', StringEquals: pending}
            - {Variable: '{{ read.State }}', StringEquals: stopping}
        - NextStep: change
          Variable: '{{ read.Flag }}'
          BooleanEquals: true
      Default: pause
  - name: pause
    action: aws:sleep
    inputs: {Duration: PT1M}
  - name: change
    action: aws:executeAwsApi
    onFailure: step:check
    nextStep: check
    inputs:
      Service: ec2
      Api: RunInstances
      MetadataOptions: {HttpTokens: required}
  - name: refuse
    action: aws:assertAwsResourceProperty
    isEnd: true
    inputs: {Service: ec2, Api: DescribeInstances, PropertySelector: $.State, DesiredValues: [running]}
  - name: check
    action: aws:assertAwsResourceProperty
    onFailure: step:change
    inputs: {Service: ec2, Api: DescribeInstances, PropertySelector: $.State, DesiredValues: [ok]}
outputs:
  - change.Output
  - read.State
`;

function mutate(apply: Transform): { text: string; steps: Record<string, Record<string, unknown>> } {
  const mutation: Mutation = { id: 'sample.mutation', runbook: ENABLE, breaks: 'A sample property.', apply };
  const text = applyMutation(SAMPLE, mutation);
  const content = parse(text) as { mainSteps: Record<string, unknown>[] };
  return { text, steps: Object.fromEntries(content.mainSteps.map((step) => [step['name'] as string, step])) };
}

function fails(apply: Transform): string {
  try {
    mutate(apply);
  } catch (error) {
    expect(error).toBeInstanceOf(MutationError);
    return (error as Error).message;
  }
  throw new Error('the transform did not throw');
}

describe('the transforms', () => {
  it('removeStep re-points every reference to what followed the step, the step before it included', () => {
    const { text, steps } = mutate(removeStep('change'));
    expect(Object.keys(steps)).toEqual(['read', 'decide', 'pause', 'refuse', 'check']);
    expect(steps['decide']).toMatchObject({ inputs: { Choices: [{ NextStep: 'refuse' }, { NextStep: 'check' }] } });
    expect(steps['check']).toMatchObject({ onFailure: 'step:check' });
    // pause fell through to change, which went on to check: pause now names check.
    expect(steps['pause']).toMatchObject({ nextStep: 'check' });
    expect(parse(text)).toMatchObject({ outputs: ['read.State'] });
    expect(text).toContain('# a comment that survives');
  });

  it('removeStep refuses a branch, an end step, a step whose outputs are read, and a step that does not exist', () => {
    expect(fails(removeStep('decide'))).toMatch(/is a branch/);
    expect(fails(removeStep('refuse'))).toMatch(/ends the automation/);
    expect(fails(removeStep('read'))).toMatch(/outputs that decide read/);
    expect(fails(removeStep('renamed'))).toMatch(/no step named renamed/);
  });

  it('neutralizeStep keeps the step and its flow, and makes it a short sleep', () => {
    const { steps } = mutate(neutralizeStep('change'));
    expect(steps['change']).toEqual({ name: 'change', action: 'aws:sleep', onFailure: 'step:check', nextStep: 'check', inputs: { Duration: 'PT1S' } });
    expect(fails(neutralizeStep('pause'))).toMatch(/already does nothing/);
  });

  it('change branches: retarget, remove a choice or a condition, set the default, flip a boolean', () => {
    expect(mutate(retargetChoice('decide', 'refuse', 'pause')).steps['decide']).toMatchObject({ inputs: { Choices: [{ NextStep: 'pause' }, { NextStep: 'change' }] } });
    expect((mutate(removeChoice('decide', 'refuse')).steps['decide']?.['inputs'] as { Choices: unknown[] }).Choices).toHaveLength(1);
    expect(mutate(removeCondition('decide', 'stopping')).steps['decide']).toMatchObject({ inputs: { Choices: [{ Or: [{ StringEquals: 'pending' }] }, {}] } });
    expect(mutate(setDefault('decide', 'change')).steps['decide']).toMatchObject({ inputs: { Default: 'change' } });
    expect(mutate(flipBooleanEquals('decide')).steps['decide']).toMatchObject({ inputs: { Choices: [{}, { BooleanEquals: false }] } });
  });

  it('refuse to do nothing or to break the document', () => {
    expect(fails(retargetChoice('decide', 'nowhere', 'pause'))).toMatch(/no choice going to nowhere/);
    expect(fails(retargetChoice('decide', 'refuse', 'missing'))).toMatch(/refers to missing, which no longer exists/);
    expect(fails(setDefault('decide', 'pause'))).toMatch(/already defaults to pause/);
    expect(fails(setDefault('pause', 'check'))).toMatch(/not aws:branch/);
    expect(fails(flipBooleanEquals('decide', 'refuse'))).toMatch(/no BooleanEquals/);
    expect(fails(removeChoice('decide', () => true))).toMatch(/leaves an invalid branch/);
    expect(fails(addDesiredValues('check', 'ok'))).toMatch(/already accepts ok/);
    expect(fails(deleteInput('change', ['MetadataOptions', 'HttpPutResponseHopLimit']))).toMatch(/no input MetadataOptions.HttpPutResponseHopLimit/);
  });

  it('deleteInput drops a map it leaves empty; addDesiredValues adds to a flow list', () => {
    expect(mutate(deleteInput('change', ['MetadataOptions', 'HttpTokens'])).steps['change']?.['inputs']).toEqual({ Service: 'ec2', Api: 'RunInstances' });
    expect(mutate(addDesiredValues('check', 'impaired')).steps['check']).toMatchObject({ inputs: { DesiredValues: ['ok', 'impaired'] } });
  });

  it('leave the rest of the file as it was', () => {
    const { text } = mutate(setDefault('decide', 'change'));
    const before = SAMPLE.split('\n');
    const after = text.split('\n');
    expect(after.length).toBe(before.length);
    expect(after.filter((line, index) => line !== before[index])).toEqual(['      Default: change']);
    expect(parseDocument(text).errors).toEqual([]);
  });
});
