/**
 * The runbook mutation suite's declared list: mutations of the safety steps of each remediation
 * runbook, each of which must make that runbook's tests fail (test/mutation/run.ts applies them
 * one at a time to the real YAML; docs/mutation-testing.md explains how to read the results).
 *
 * A mutation is a pure transform of the parsed document (the `yaml` package's Document API, so
 * comments, key order and quoting of the rest of the file survive). Every helper throws a
 * MutationError when it finds nothing to mutate (a renamed step, a value already there), so a
 * runbook edit that moves a safety step makes the suite fail loudly instead of passing quietly.
 * Adding a mutation is one entry: e.g. for the lock steps
 *   { id: 'enable.lock-not-taken', runbook: ENABLE, breaks: '…', apply: removeStep('acquireLock') },
 *   { id: 'enable.lock-kept-after-failure', runbook: ENABLE, breaks: '…', apply: onFailure('releaseLock', 'Abort') },
 *   { id: 'enable.exemption-ignored', runbook: ENABLE, breaks: '…', apply: setDefault('checkExemption', 'readInstance') },
 */
import { isMap, isScalar, isSeq, parse, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';

export const ENABLE = 'EnaGuard-EnableEnaSupport';
export const UPDATE = 'EnaGuard-UpdateEnaDriver';
export const REPLACE = 'EnaGuard-ReplaceImageWithEna';
export type RunbookName = typeof ENABLE | typeof UPDATE | typeof REPLACE;

/**
 * The test files that run each runbook in the simulator (the behavioural tests), in the order a
 * mutation runs them: one after the other, up to the first that fails, so the quick files go first
 * (the slow fault matrices last). The static checks of the files (conformance.test.ts,
 * assess-documents.test.ts) are left out on purpose: a mutation must be caught by what the
 * runbook does, not by how its text looks. A listed file that does not exist is skipped.
 */
export const RUNBOOK_TESTS: Readonly<Record<RunbookName, readonly string[]>> = {
  [ENABLE]: ['test/runbooks/runbook-lock.test.ts', 'test/runbooks/safety-enable-ena-support.test.ts', 'test/runbooks/enable-ena-support.test.ts'],
  [UPDATE]: [
    'test/runbooks/runbook-lock.test.ts',
    'test/runbooks/safety-update-ena-driver.test.ts',
    'test/runbooks/update-ena-driver-autoscaling.test.ts',
    'test/runbooks/update-ena-driver.test.ts',
    'test/runbooks/closed-loop.test.ts',
  ],
  [REPLACE]: ['test/runbooks/safety-replace-image-with-ena.test.ts', 'test/runbooks/replace-image-resource-id.test.ts', 'test/runbooks/replace-image-with-ena.test.ts'],
};

/** Changes a parsed runbook in place; throws a MutationError when there is nothing to change. */
export type Transform = (document: Document) => void;

export interface Mutation {
  /** `<runbook>.<what-changes>`, unique. */
  readonly id: string;
  readonly runbook: RunbookName;
  /** The safety property the mutation breaks, in one sentence. */
  readonly breaks: string;
  readonly apply: Transform;
}

/** A transform found nothing to mutate, or would leave a broken document. */
export class MutationError extends Error {
  override readonly name = 'MutationError';
}

// ---------------------------------------------------------------------------------------------
// Reading the document
// ---------------------------------------------------------------------------------------------

type Step = YAMLMap<unknown, unknown>;

function stepList(document: Document): YAMLSeq<Step> {
  const steps = document.get('mainSteps', true);
  if (!isSeq(steps)) throw new MutationError('the document has no mainSteps list');
  return steps as YAMLSeq<Step>;
}

function nameOf(step: Step): string {
  return String(step.get('name'));
}

function findStep(document: Document, name: string): Step {
  const step = stepList(document).items.find((candidate) => nameOf(candidate) === name);
  if (step === undefined) throw new MutationError(`no step named ${name}`);
  return step;
}

/** The top-level choices of a branch step. */
function choicesOf(document: Document, branch: string): YAMLSeq<YAMLMap> {
  const step = findStep(document, branch);
  if (step.get('action') !== 'aws:branch') throw new MutationError(`${branch} is ${String(step.get('action'))}, not aws:branch`);
  const choices = step.getIn(['inputs', 'Choices'], true);
  if (!isSeq(choices)) throw new MutationError(`${branch} has no Choices`);
  return choices as YAMLSeq<YAMLMap>;
}

/** Selects a branch's choices: by the step it goes to, or by a test of the choice's plain value. */
export type ChoiceSelector = string | ((choice: Record<string, unknown>) => boolean);

function selected(choices: YAMLSeq<YAMLMap>, selector: ChoiceSelector): YAMLMap[] {
  return choices.items.filter((choice) =>
    typeof selector === 'string' ? choice.get('NextStep') === selector : selector(choice.toJSON() as Record<string, unknown>),
  );
}

function describeSelector(selector: ChoiceSelector): string {
  return typeof selector === 'string' ? `going to ${selector}` : 'matching the selector';
}

/** Every step reference of a step: nextStep, onFailure/onCancel `step:X`, a branch's NextStep and Default. */
function references(step: Step): { get: () => string | undefined; set: (to: string) => void }[] {
  const found: { get: () => string | undefined; set: (to: string) => void }[] = [];
  const plain = (map: YAMLMap, key: string, prefix = ''): void => {
    const value = map.get(key);
    if (typeof value === 'string' && value.startsWith(prefix)) {
      found.push({ get: () => (map.get(key) as string).slice(prefix.length), set: (to) => map.set(key, `${prefix}${to}`) });
    }
  };
  plain(step, 'nextStep');
  plain(step, 'onFailure', 'step:');
  plain(step, 'onCancel', 'step:');
  if (step.get('action') === 'aws:branch') {
    const inputs = step.get('inputs', true);
    if (isMap(inputs)) {
      plain(inputs, 'Default');
      const choices = inputs.get('Choices', true);
      if (isSeq(choices)) for (const choice of choices.items) if (isMap(choice)) plain(choice, 'NextStep');
    }
  }
  return found;
}

/** Throws unless every step reference names a step of the document. */
export function assertReferencesResolve(document: Document): void {
  const steps = stepList(document).items;
  const names = new Set(steps.map(nameOf));
  for (const step of steps) {
    for (const reference of references(step)) {
      const target = reference.get();
      if (target !== undefined && !names.has(target)) throw new MutationError(`step ${nameOf(step)} refers to ${target}, which no longer exists`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Transforms
// ---------------------------------------------------------------------------------------------

/** Throws when other steps read outputs of the step (`{{ name.Output }}`). */
function assertOutputsUnread(document: Document, step: Step): void {
  const name = nameOf(step);
  const reference = new RegExp(`\\{\\{\\s*${name}\\.`);
  const readers = stepList(document).items.filter((other) => other !== step && reference.test(JSON.stringify(other.toJSON())));
  if (readers.length > 0) throw new MutationError(`${name} has outputs that ${readers.map(nameOf).join(', ')} read`);
}

/** Drops the document outputs that name the step. */
function dropDocumentOutputs(document: Document, name: string): void {
  const outputs = document.get('outputs', true);
  if (isSeq(outputs)) outputs.items = outputs.items.filter((output) => !String(isScalar(output) ? output.value : output).startsWith(`${name}.`));
}

/**
 * Removes a step from the control flow and the document: every reference to it (nextStep,
 * onFailure/onCancel `step:`, a branch's NextStep or Default, and the step before it falling
 * through) goes to what followed it (its nextStep, else the step after it). Refuses a branch
 * (use the choice transforms), an end step, and a step whose outputs other steps read; drops the
 * document outputs that name the step.
 */
export function removeStep(name: string): Transform {
  return (document) => {
    const steps = stepList(document);
    const index = steps.items.findIndex((step) => nameOf(step) === name);
    const step = steps.items[index];
    if (step === undefined) throw new MutationError(`no step named ${name}`);
    if (step.get('action') === 'aws:branch') throw new MutationError(`${name} is a branch: change its choices instead of removing it`);
    if (step.get('isEnd') === true) throw new MutationError(`${name} ends the automation: nothing follows it`);
    const explicit = step.get('nextStep') as string | undefined;
    const following = steps.items[index + 1];
    const successor = explicit ?? (following === undefined ? undefined : nameOf(following));
    if (successor === undefined) throw new MutationError(`${name} is the last step: nothing follows it`);
    assertOutputsUnread(document, step);
    for (const other of steps.items.filter((candidate) => candidate !== step)) for (const reference of references(other)) if (reference.get() === name) reference.set(successor);
    const previous = steps.items[index - 1];
    if (previous !== undefined && explicit !== undefined && following !== undefined && nameOf(following) !== explicit && fallsThrough(previous)) {
      previous.set('nextStep', successor);
    }
    steps.items.splice(index, 1);
    dropDocumentOutputs(document, name);
  };
}

/** True when a step goes on to the step after it in the list (after a success, or after a failure with Continue). */
function fallsThrough(step: Step): boolean {
  if (step.get('isEnd') === true || step.get('nextStep') !== undefined) return false;
  if (step.get('action') === 'aws:branch' && step.getIn(['inputs', 'Default']) !== undefined && step.get('onFailure') !== 'Continue') return false;
  return true;
}

/**
 * Keeps a step in its place but makes it do nothing: its action becomes a one-second aws:sleep,
 * its flow properties (nextStep, isEnd, onFailure, …) stay. For steps that cannot be removed (an
 * end step such as a lock release) or whose removal would re-route the flow. Refuses a branch and
 * a step whose outputs other steps read.
 */
export function neutralizeStep(name: string): Transform {
  return (document) => {
    const step = findStep(document, name);
    if (step.get('action') === 'aws:branch') throw new MutationError(`${name} is a branch: change its choices instead`);
    if (step.get('action') === 'aws:sleep') throw new MutationError(`${name} already does nothing`);
    assertOutputsUnread(document, step);
    step.set('action', 'aws:sleep');
    step.set('inputs', document.createNode({ Duration: 'PT1S' }));
    step.delete('outputs');
    dropDocumentOutputs(document, name);
  };
}

/** Removes the branch choices that the selector picks (at least one must remain). */
export function removeChoice(branch: string, selector: ChoiceSelector): Transform {
  return (document) => {
    const choices = choicesOf(document, branch);
    const doomed = selected(choices, selector);
    if (doomed.length === 0) throw new MutationError(`${branch} has no choice ${describeSelector(selector)}`);
    if (doomed.length === choices.items.length) throw new MutationError(`removing every choice of ${branch} leaves an invalid branch: retarget instead`);
    choices.items = choices.items.filter((choice) => !doomed.includes(choice));
  };
}

/** Sends the branch choices that the selector picks to another step. */
export function retargetChoice(branch: string, selector: ChoiceSelector, to: string): Transform {
  return (document) => {
    const chosen = selected(choicesOf(document, branch), selector);
    if (chosen.length === 0) throw new MutationError(`${branch} has no choice ${describeSelector(selector)}`);
    for (const choice of chosen) {
      if (choice.get('NextStep') === to) throw new MutationError(`${branch} already goes to ${to}`);
      choice.set('NextStep', to);
    }
  };
}

/** Changes where a branch goes when no choice matches. */
export function setDefault(branch: string, to: string): Transform {
  return (document) => {
    const step = findStep(document, branch);
    choicesOf(document, branch);
    const current = step.getIn(['inputs', 'Default']);
    if (current === undefined) throw new MutationError(`${branch} has no Default`);
    if (current === to) throw new MutationError(`${branch} already defaults to ${to}`);
    step.setIn(['inputs', 'Default'], to);
  };
}

/** Every condition map of a branch, nested ones (And, Or, Not) included. */
function conditions(choices: readonly YAMLMap[]): { map: YAMLMap; parent: YAMLSeq | undefined }[] {
  const found: { map: YAMLMap; parent: YAMLSeq | undefined }[] = [];
  const visit = (map: YAMLMap, parent: YAMLSeq | undefined): void => {
    found.push({ map, parent });
    for (const key of ['And', 'Or']) {
      const list = map.get(key, true);
      if (isSeq(list)) for (const item of list.items) if (isMap(item)) visit(item, list);
    }
    const not = map.get('Not', true);
    if (isMap(not)) visit(not, undefined);
  };
  for (const choice of choices) visit(choice, undefined);
  return found;
}

/** Negates every BooleanEquals of a branch's choices (of the choices the selector picks, if given). */
export function flipBooleanEquals(branch: string, selector?: ChoiceSelector): Transform {
  return (document) => {
    const choices = choicesOf(document, branch);
    const scope = selector === undefined ? choices.items : selected(choices, selector);
    let flipped = 0;
    for (const { map } of conditions(scope)) {
      const value = map.get('BooleanEquals');
      if (typeof value === 'boolean') {
        map.set('BooleanEquals', !value);
        flipped += 1;
      }
    }
    if (flipped === 0) throw new MutationError(`${branch} has no BooleanEquals to flip`);
  };
}

/** Removes the conditions of an And/Or list whose operand (StringEquals, Contains, …) is `operand`. */
export function removeCondition(branch: string, operand: string): Transform {
  return (document) => {
    const operators = ['StringEquals', 'Contains', 'StartsWith', 'EndsWith', 'EqualsIgnoreCase'];
    const doomed = conditions(choicesOf(document, branch).items).filter(
      ({ map, parent }) => parent !== undefined && operators.some((operator) => map.get(operator) === operand),
    );
    if (doomed.length === 0) throw new MutationError(`${branch} has no And/Or condition on ${operand}`);
    for (const { map, parent } of doomed) {
      if (parent === undefined) continue;
      parent.items = parent.items.filter((item) => item !== map);
      if (parent.items.length === 0) throw new MutationError(`removing ${operand} empties a condition list of ${branch}`);
    }
  };
}

/** Adds values a step's DesiredValues accept (an assertion or a wait that accepts more). */
export function addDesiredValues(step: string, ...values: string[]): Transform {
  return (document) => {
    const desired = findStep(document, step).getIn(['inputs', 'DesiredValues'], true);
    if (!isSeq(desired)) throw new MutationError(`${step} has no DesiredValues`);
    const present = desired.toJSON() as unknown[];
    for (const value of values) {
      if (present.includes(value)) throw new MutationError(`${step} already accepts ${value}`);
      desired.add(document.createNode(value));
    }
  };
}

/** Sets an existing input of a step (a path under `inputs`) to another value. */
export function setInput(step: string, path: readonly (string | number)[], value: unknown): Transform {
  return (document) => {
    const map = findStep(document, step);
    const full = ['inputs', ...path];
    if (!map.hasIn(full)) throw new MutationError(`${step} has no input ${path.join('.')}`);
    if (JSON.stringify(map.getIn(full)) === JSON.stringify(value)) throw new MutationError(`${step}'s ${path.join('.')} is already ${JSON.stringify(value)}`);
    map.setIn(full, value);
  };
}

/** Deletes an input of a step (a path under `inputs`); a map it leaves empty goes too. */
export function deleteInput(step: string, path: readonly (string | number)[]): Transform {
  return (document) => {
    const map = findStep(document, step);
    const full = ['inputs', ...path];
    if (!map.hasIn(full)) throw new MutationError(`${step} has no input ${path.join('.')}`);
    map.deleteIn(full);
    for (let depth = full.length - 1; depth > 1; depth--) {
      const parent = map.getIn(full.slice(0, depth), true);
      if (isMap(parent) && parent.items.length === 0) map.deleteIn(full.slice(0, depth));
    }
  };
}

/** Sets a property shared by all actions (onFailure, nextStep, isEnd, isCritical, …). */
export function setProperty(step: string, key: string, value: string | boolean | number): Transform {
  return (document) => {
    const map = findStep(document, step);
    if (map.get(key) === value) throw new MutationError(`${step}'s ${key} is already ${String(value)}`);
    map.set(key, value);
  };
}

/** What a step does when it fails: `Abort`, `Continue` or `step:X`. */
export function onFailure(step: string, value: 'Abort' | 'Continue' | `step:${string}`): Transform {
  return setProperty(step, 'onFailure', value);
}

/** Applies transforms in order, as one mutation. */
export function all(...transforms: Transform[]): Transform {
  return (document) => {
    for (const transform of transforms) transform(document);
  };
}

// ---------------------------------------------------------------------------------------------
// Applying a mutation to the text of a runbook
// ---------------------------------------------------------------------------------------------

/** The mutated text of a runbook; throws a MutationError when the mutation does not apply or changes nothing. */
export function applyMutation(text: string, mutation: Mutation): string {
  const document = parseDocument(text);
  if (document.errors.length > 0) throw new MutationError(`${mutation.runbook} does not parse: ${document.errors[0]?.message ?? ''}`);
  const before = JSON.stringify(document.toJS());
  try {
    mutation.apply(document);
    assertReferencesResolve(document);
  } catch (error) {
    if (error instanceof MutationError) throw new MutationError(`${mutation.id}: ${error.message}`, { cause: error });
    throw error;
  }
  // Only what the transform touched changes: the file's sequence indentation and unpadded flow
  // collections, no re-folding of long plain lines (folded block scalars are re-flowed, their
  // values unchanged).
  const mutated = document.toString({ lineWidth: 0, flowCollectionPadding: false, indentSeq: !/^mainSteps:\r?\n- /m.test(text) });
  const after = JSON.stringify(parse(mutated));
  if (after !== JSON.stringify(document.toJS())) throw new MutationError(`${mutation.id}: the mutated document does not read back as it was built`);
  if (after === before) throw new MutationError(`${mutation.id}: changes nothing`);
  return mutated;
}

// ---------------------------------------------------------------------------------------------
// The mutations
// ---------------------------------------------------------------------------------------------

const enableEnaSupport: Mutation[] = [
  // Refusals (nothing may change before them)
  { id: 'enable.instance-type-unchecked', runbook: ENABLE, breaks: 'An instance type that cannot use ENA is changed instead of refused.', apply: removeStep('assertInstanceTypeCanUseEna') },
  { id: 'enable.instance-store-accepted', runbook: ENABLE, breaks: 'An instance-store-backed instance, which cannot be stopped, is changed instead of refused.', apply: removeStep('assertEbsRootDevice') },
  { id: 'enable.paravirtual-accepted', runbook: ENABLE, breaks: 'A paravirtual instance, which cannot use ENA, is changed instead of refused.', apply: removeStep('assertHvmVirtualization') },
  { id: 'enable.spot-accepted', runbook: ENABLE, breaks: 'A Spot instance is stopped (losing its capacity) instead of refused.', apply: retargetChoice('checkSpot', 'refuseSpotInstance', 'readAutoScalingMembership') },
  { id: 'enable.asg-member-accepted', runbook: ENABLE, breaks: 'An Auto Scaling group member not in Standby is stopped, and replaced by its group, instead of refused.', apply: retargetChoice('checkAutoScalingStandby', 'refuseAutoScalingMember', 'checkOriginalState') },
  { id: 'enable.asg-entering-standby-accepted', runbook: ENABLE, breaks: 'A group member still entering Standby (not yet detached from load balancing) is stopped instead of refused.', apply: removeCondition('checkAutoScalingStandby', 'EnteringStandby') },
  { id: 'enable.stop-protection-ignored', runbook: ENABLE, breaks: 'A running instance with stop protection is stopped instead of refused.', apply: removeStep('assertNotStopProtected') },
  { id: 'enable.unsettled-state-accepted', runbook: ENABLE, breaks: 'An instance that is neither running nor stopped is changed instead of refused.', apply: setDefault('checkOriginalState', 'readManagedStatus') },
  { id: 'enable.driver-evidence-ignored', runbook: ENABLE, breaks: 'ENA is enabled without evidence of a driver in the guest although the caller did not accept the risk.', apply: setDefault('checkRiskAccepted', 'decideStop') },
  { id: 'enable.inventory-without-driver-accepted', runbook: ENABLE, breaks: 'An inventory item saying the guest has no ENA driver (or no item at all) counts as evidence of one.', apply: setDefault('checkInventoryEvidence', 'decideStop') },
  { id: 'enable.already-enabled-changed', runbook: ENABLE, breaks: 'An instance whose ENA is already on is stopped and changed, and one whose ENA is off is not.', apply: flipBooleanEquals('checkAlreadyEnabled') },
  // Stop and backup
  { id: 'enable.changed-while-running', runbook: ENABLE, breaks: 'enaSupport is changed without stopping the running instance first.', apply: removeStep('stopInstance') },
  { id: 'enable.no-backup', runbook: ENABLE, breaks: 'No backup AMI is made before the change although CreateBackupImage is true.', apply: retargetChoice('decideBackup', 'createBackupImage', 'enableEnaSupport') },
  { id: 'enable.failed-backup-proceeds', runbook: ENABLE, breaks: 'The change goes ahead after the backup AMI failed.', apply: onFailure('createBackupImage', 'step:enableEnaSupport') },
  { id: 'enable.failed-stop-not-restarted', runbook: ENABLE, breaks: 'A running instance whose stop failed is left stopped (or stopping) instead of started again.', apply: onFailure('stopInstance', 'Abort') },
  { id: 'enable.failed-backup-not-restarted', runbook: ENABLE, breaks: 'A running instance whose backup failed is left stopped instead of started again.', apply: retargetChoice('restoreStateAfterFailedBackup', 'restartAfterFailedBackup', 'confirmUnchangedAfterFailedBackup') },
  // Status checks after the change
  { id: 'enable.status-check-accepts-impaired', runbook: ENABLE, breaks: 'A started instance whose status check is impaired or still initializing counts as healthy, so a guest that cannot drive ENA keeps it.', apply: addDesiredValues('assertStatusChecksPass', 'impaired', 'initializing') },
  { id: 'enable.status-check-skipped', runbook: ENABLE, breaks: 'The started instance is never checked, so a guest that cannot drive ENA keeps it.', apply: removeStep('assertStatusChecksPass') },
  { id: 'enable.failed-status-check-not-rolled-back', runbook: ENABLE, breaks: 'A failed status check ends the run without rolling back enaSupport.', apply: onFailure('assertStatusChecksPass', 'Continue') },
  // Rollback
  { id: 'enable.rollback-without-stop', runbook: ENABLE, breaks: 'The rollback tries to restore enaSupport on a running instance, which EC2 refuses.', apply: removeStep('rollbackStop') },
  { id: 'enable.rollback-without-restore', runbook: ENABLE, breaks: 'The rollback starts the instance again without setting enaSupport back to its original value.', apply: removeStep('rollbackEnaSupport') },
  { id: 'enable.rollback-not-restarted', runbook: ENABLE, breaks: 'An instance that was running is left stopped after the rollback.', apply: retargetChoice('decideRollbackStart', 'rollbackStart', 'confirmRolledBack') },
  { id: 'enable.failed-restore-continues', runbook: ENABLE, breaks: 'A failed restore of enaSupport goes straight on to starting the instance with ENA still on.', apply: onFailure('rollbackEnaSupport', 'Continue') },
  { id: 'enable.started-with-ena-on-after-failed-restore', runbook: ENABLE, breaks: 'After a failed restore the instance is started although enaSupport is still on (the ENA-on guard inverted).', apply: flipBooleanEquals('checkEnaAfterFailedRestore') },
  { id: 'enable.ena-on-guard-skipped', runbook: ENABLE, breaks: 'After a failed restore the instance is started whatever enaSupport reads (the ENA-on guard removed).', apply: setDefault('checkEnaAfterFailedRestore', 'decideRollbackStart') },
  // The lock and the live exemption check
  { id: 'enable.lock-always-taken', runbook: ENABLE, breaks: 'Two executions both take the lock, and the interleaving race leaves the instance stopped.', apply: setInput('acquireLock', ['ConditionExpression'], 'attribute_not_exists(LockId) OR attribute_exists(LockId) OR AcquiredAt < :staleBefore') },
  { id: 'enable.live-holder-taken-over', runbook: ENABLE, breaks: 'A lock held by an execution that still runs is taken over.', apply: setDefault('checkLockHolderEnded', 'takeOverStaleLock') },
  { id: 'enable.ended-holder-blocks', runbook: ENABLE, breaks: 'A lock left by an ended execution is never taken over, so one crash blocks the instance for a day.', apply: retargetChoice('checkLockHolderEnded', 'takeOverStaleLock', 'refuseLocked') },
  { id: 'enable.lock-not-released', runbook: ENABLE, breaks: 'The lock is never released, so the instance stays locked after every run.', apply: neutralizeStep('releaseLock') },
  { id: 'enable.lock-kept-on-cancel', runbook: ENABLE, breaks: 'A run cancelled while it stops the instance keeps the lock.', apply: setProperty('stopInstance', 'onCancel', 'Abort') },
  { id: 'enable.lock-kept-after-refusal', runbook: ENABLE, breaks: 'A refused run (a Spot instance) keeps the lock.', apply: onFailure('refuseSpotInstance', 'Abort') },
  { id: 'enable.exemption-ignored', runbook: ENABLE, breaks: 'An exempt instance is stopped and changed: the refusal of the exemption check is passed over.', apply: onFailure('checkExemption', 'Continue') },
  { id: 'enable.exemption-tag-not-read', runbook: ENABLE, breaks: 'The live exemption check reads another tag, so an exempt instance is changed.', apply: setInput('readExemptionTag', ['Filters', 1, 'Values', 0], 'ena-guard:not-the-exemption-tag') },
  { id: 'enable.generic-shell-evidence', runbook: ENABLE, breaks: 'The driver evidence is looked for with a generic shell document instead of the stack\'s fixed-content one.', apply: setInput('checkDriverInGuest', ['DocumentName'], 'AWS-RunShellScript') },
];

const updateEnaDriver: Mutation[] = [
  // Refusals before any change
  { id: 'update.no-association-accepted', runbook: UPDATE, breaks: 'A run without InventoryAssociationId goes on, so the rule can judge only inventory published before the update.', apply: retargetChoice('checkInventoryAssociationGiven', 'refuseNoInventoryAssociation', 'describeInstance') },
  { id: 'update.wrong-association-started', runbook: UPDATE, breaks: 'An association of another document is accepted, and starting it runs that document on every instance it targets.', apply: setDefault('checkInventoryAssociation', 'collectInventoryBefore') },
  { id: 'update.not-running-accepted', runbook: UPDATE, breaks: 'An instance that is not running is updated instead of refused.', apply: setDefault('checkInstanceRunning', 'readAutoScalingMembership') },
  { id: 'update.asg-member-accepted', runbook: UPDATE, breaks: 'An Auto Scaling group member not in Standby is rebooted, and may be replaced by its group, instead of refused.', apply: retargetChoice('checkAutoScalingStandby', 'refuseAutoScalingMember', 'assertManagedAndOnline') },
  { id: 'update.asg-entering-standby-accepted', runbook: UPDATE, breaks: 'A member entering Standby passes as Standby when Contains matches substrings.', apply: removeChoice('checkAutoScalingStandby', (choice) => choice['Contains'] === 'EnteringStandby') },
  { id: 'update.unmanaged-accepted', runbook: UPDATE, breaks: 'An instance that is not online in Systems Manager is not refused before the run relies on Run Command.', apply: removeStep('assertManagedAndOnline') },
  { id: 'update.instance-store-backup-accepted', runbook: UPDATE, breaks: 'A backup of an instance-store root device is attempted instead of refused.', apply: retargetChoice('checkBackupPossible', 'refuseBackupOfInstanceStore', 'describeInventoryAssociation') },
  // The plan
  { id: 'update.compliant-linux-updated', runbook: UPDATE, breaks: 'A Linux guest that already meets the policy is backed up, updated and rebooted.', apply: retargetChoice('decideLinux', 'reportNothingToDo', 'decideBackup') },
  { id: 'update.compliant-windows-updated', runbook: UPDATE, breaks: 'A Windows guest that already meets the policy is backed up, updated and rebooted.', apply: retargetChoice('decideWindows', 'reportNothingToDo', 'decideBackup') },
  { id: 'update.no-minimum-updated', runbook: UPDATE, breaks: 'A guest with no published minimum is updated to nothing in particular instead of refused.', apply: retargetChoice('decideLinux', 'refuseNoPublishedMinimum', 'decideBackup') },
  { id: 'update.no-newer-kernel-rebooted', runbook: UPDATE, breaks: 'A guest whose distribution offers no newer kernel is backed up and rebooted for nothing instead of refused.', apply: retargetChoice('decideLinux', 'refuseNoNewerKernel', 'decideBackup') },
  { id: 'update.windows-refusal-ignored', runbook: UPDATE, breaks: 'A refused Windows request (rolled back, out of range or below policy) is installed anyway.', apply: retargetChoice('decideWindows', 'refuseWindowsRequest', 'decideBackup') },
  { id: 'update.windows-2012-gets-latest', runbook: UPDATE, breaks: 'Windows Server 2012 R2 gets the newest driver, which it cannot run, instead of 2.6.0.', apply: retargetChoice('chooseWindowsInstall', 'installWindowsDriver260', 'installWindowsDriverLatest') },
  // Backup
  { id: 'update.backup-without-reboot', runbook: UPDATE, breaks: 'The backup AMI is taken from the running instance without the reboot that makes its file systems consistent.', apply: setInput('createBackupImage', ['NoReboot'], true) },
  { id: 'update.no-backup', runbook: UPDATE, breaks: 'No backup AMI is made before the update although CreateBackupImage is true.', apply: retargetChoice('decideBackup', 'createBackupImage', 'chooseUpdate') },
  { id: 'update.failed-backup-proceeds', runbook: UPDATE, breaks: 'The update goes ahead after the backup AMI failed.', apply: onFailure('createBackupImage', 'step:chooseUpdate') },
  // Update, reboot, status checks
  { id: 'update.failed-update-rebooted', runbook: UPDATE, breaks: 'A failed kernel update is followed by a reboot into whatever it left installed.', apply: onFailure('updateLinuxKernel', 'step:rebootInstance') },
  { id: 'update.no-reboot', runbook: UPDATE, breaks: 'The new kernel or driver is never loaded because the instance is not rebooted.', apply: removeStep('rebootInstance') },
  { id: 'update.instance-status-accepts-impaired', runbook: UPDATE, breaks: 'An instance whose instance status check is impaired after the reboot counts as healthy.', apply: addDesiredValues('waitForInstanceStatusOk', 'impaired') },
  { id: 'update.system-status-accepts-impaired', runbook: UPDATE, breaks: 'An instance whose system status check is impaired after the reboot counts as healthy.', apply: addDesiredValues('waitForSystemStatusOk', 'impaired') },
  { id: 'update.agent-not-awaited', runbook: UPDATE, breaks: 'The verification is sent before the SSM Agent is back online after the reboot.', apply: removeStep('waitForAgentAfterReboot') },
  // Verification and publication
  { id: 'update.outdated-linux-reported-updated', runbook: UPDATE, breaks: 'A Linux driver still below the policy after the update is published as a success.', apply: setDefault('verifyLinux', 'publishInventory') },
  { id: 'update.unbound-driver-reported-updated', runbook: UPDATE, breaks: 'An interface not driven by ENA after the update (ENA on) is published as a success.', apply: removeChoice('verifyLinux', 'failDriverNotBound') },
  { id: 'update.outdated-windows-reported-updated', runbook: UPDATE, breaks: 'A Windows driver still below the policy after the update is published as a success.', apply: setDefault('verifyWindows', 'publishInventory') },
  { id: 'update.inventory-not-published', runbook: UPDATE, breaks: 'The verified result is not published, so the rule keeps the stale verdict for up to a day.', apply: removeStep('publishInventory') },
  // The lock, the live exemption check, and the inventory of this instance alone
  { id: 'update.live-holder-taken-over', runbook: UPDATE, breaks: 'A lock held by an execution that still runs is taken over.', apply: setDefault('checkLockHolderEnded', 'takeOverStaleLock') },
  { id: 'update.lock-not-released', runbook: UPDATE, breaks: 'The lock is never released, so the instance stays locked after every run.', apply: neutralizeStep('releaseLock') },
  { id: 'update.lock-kept-after-failure', runbook: UPDATE, breaks: 'A run that fails its update keeps the lock.', apply: onFailure('failUpdate', 'Abort') },
  { id: 'update.exemption-ignored', runbook: UPDATE, breaks: 'An exempt instance is rebooted and updated: the refusal of the exemption check is passed over.', apply: onFailure('checkExemption', 'Continue') },
  { id: 'update.backup-untagged', runbook: UPDATE, breaks: 'The backup image is created without the tags that mark it as the run\'s own.', apply: deleteInput('createBackupImage', ['TagSpecifications']) },
];

const replaceImageWithEna: Mutation[] = [
  // Refusals before any change
  { id: 'replace.several-resources-accepted', runbook: REPLACE, breaks: 'A run given more than one of ResourceId, ImageId and LaunchTemplateId picks one instead of refusing.', apply: retargetChoice('checkInputs', 'refuseMoreThanOneResourceGiven', 'readImage') },
  { id: 'replace.unavailable-image-registered', runbook: REPLACE, breaks: 'An AMI that EC2 lists but that is not available (failed, pending, error) is re-registered from its snapshots instead of refused.', apply: setDefault('checkImageState', 'checkImageEna') },
  { id: 'replace.other-account-image-accepted', runbook: REPLACE, breaks: 'An AMI of another account, which only its owner can deprecate, is re-registered instead of refused.', apply: setDefault('checkImageOwner', 'checkVirtualization') },
  { id: 'replace.paravirtual-accepted', runbook: REPLACE, breaks: 'A paravirtual AMI, which cannot use ENA, is re-registered instead of refused.', apply: setDefault('checkVirtualization', 'checkRootDevice') },
  { id: 'replace.instance-store-accepted', runbook: REPLACE, breaks: 'An instance-store AMI, which has no snapshots, is re-registered instead of refused.', apply: setDefault('checkRootDevice', 'checkBillingPlatform') },
  { id: 'replace.billing-product-dropped', runbook: REPLACE, breaks: 'An AMI with a billing product (Windows, RHEL, SUSE) is re-registered, losing its licence, instead of refused.', apply: setDefault('checkBillingPlatform', 'checkNitroTpm') },
  { id: 'replace.nitro-tpm-dropped', runbook: REPLACE, breaks: 'An AMI with NitroTPM is re-registered, losing its TPM and UEFI data, instead of refused.', apply: retargetChoice('checkNitroTpm', 'refuseNitroTpmImage', 'checkBootTestRequested') },
  { id: 'replace.boot-test-type-unchecked', runbook: REPLACE, breaks: 'A boot-test instance type that does not require ENA, on which the test proves nothing, is accepted.', apply: setDefault('checkBootTestInstanceType', 'readBlockDeviceMappings') },
  { id: 'replace.ssm-parameter-template-changed', runbook: REPLACE, breaks: 'A launch template whose AMI comes from an SSM parameter is changed instead of refused.', apply: retargetChoice('checkTemplateImageSource', 'refuseTemplateImageFromSsmParameter', 'readTemplateImage') },
  // The new AMI
  { id: 'replace.imdsv2-not-carried-over', runbook: REPLACE, breaks: 'The new AMI no longer requires IMDSv2 although the old one did.', apply: retargetChoice('checkImdsSupport', 'requireImdsV2OnNewImage', 'decideBootTest') },
  // Boot test
  { id: 'replace.boot-test-skipped', runbook: REPLACE, breaks: 'The new AMI replaces the old one without the boot test that was asked for.', apply: setDefault('decideBootTest', 'tagOldImageWithReplacement') },
  { id: 'replace.boot-test-without-imdsv2', runbook: REPLACE, breaks: 'The boot-test instance is launched with IMDSv1 open instead of requiring IMDSv2.', apply: deleteInput('launchBootTestInstance', ['MetadataOptions', 'HttpTokens']) },
  { id: 'replace.boot-test-volume-kept', runbook: REPLACE, breaks: 'The boot-test instance\'s root volume outlives its termination.', apply: setInput('launchBootTestInstance', ['BlockDeviceMappings', 0, 'Ebs', 'DeleteOnTermination'], false) },
  { id: 'replace.boot-test-accepts-impaired', runbook: REPLACE, breaks: 'A new AMI whose boot-test instance status check is impaired (no working ENA driver) passes the boot test.', apply: addDesiredValues('assertNewImageBootsWithEna', 'impaired') },
  { id: 'replace.boot-test-system-accepts-impaired', runbook: REPLACE, breaks: 'A boot test whose system status check is impaired passes.', apply: addDesiredValues('assertBootTestSystemStatusOk', 'impaired') },
  { id: 'replace.boot-test-instance-left-running', runbook: REPLACE, breaks: 'The boot-test instance of a passed test keeps running.', apply: removeStep('terminateBootTestInstance') },
  { id: 'replace.failed-boot-test-instance-left-running', runbook: REPLACE, breaks: 'The boot-test instance of a failed test keeps running.', apply: removeStep('terminateBootTestInstanceAfterFailure') },
  { id: 'replace.failed-boot-test-replaces-old', runbook: REPLACE, breaks: 'After a failed boot test the old AMI is still tagged with the new one and deprecated.', apply: setProperty('terminateBootTestInstanceAfterFailure', 'nextStep', 'tagOldImageWithReplacement') },
  { id: 'replace.unterminated-boot-test-left-running', runbook: REPLACE, breaks: 'A boot-test instance that cannot be terminated is left running instead of stopped.', apply: all(onFailure('terminateBootTestInstance', 'Abort'), onFailure('terminateBootTestInstanceAfterFailure', 'Abort')) },
  // The old AMI and the template
  { id: 'replace.old-image-deregistered', runbook: REPLACE, breaks: 'The old AMI is deregistered instead of deprecated, breaking every launch that names it.', apply: all(setInput('deprecateOldImage', ['Api'], 'DeregisterImage'), deleteInput('deprecateOldImage', ['DeprecateAt'])) },
  { id: 'replace.default-version-overridden', runbook: REPLACE, breaks: 'A default version someone else set during the run is overridden.', apply: removeStep('assertDefaultVersionUnchanged') },
  { id: 'replace.default-made-unasked', runbook: REPLACE, breaks: 'The new template version becomes the default although MakeNewVersionDefault is false.', apply: setDefault('checkMakeDefault', 'assertDefaultVersionUnchanged') },
  // The live exemption check and the new AMI's own tag
  { id: 'replace.exemption-ignored', runbook: REPLACE, breaks: 'An exempt AMI or template is replaced: the refusal of the exemption check is passed over.', apply: onFailure('checkExemption', 'Continue') },
  { id: 'replace.new-image-not-marked', runbook: REPLACE, breaks: 'The new AMI is registered without the created-by tag its role requires to change it.', apply: all(deleteInput('registerImageWithBootMode', ['TagSpecifications', 0, 'Tags', 3]), deleteInput('registerImageWithoutBootMode', ['TagSpecifications', 0, 'Tags', 3])) },
];

export const MUTATIONS: readonly Mutation[] = [...enableEnaSupport, ...updateEnaDriver, ...replaceImageWithEna];
