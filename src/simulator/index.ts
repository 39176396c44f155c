/**
 * The runbook simulator: runs SSM Automation documents step by step against an in-memory AWS
 * account that enforces EC2's rules, in simulated time. See docs/simulator.md.
 */
export { AccountModel, type AccountModelOptions, type AccountSnapshot } from './account-model.js';
export { SUPPORTED_ACTIONS } from './actions/index.js';
export type { AutoScalingGroupSettings, AutoScalingInstanceDetails, LifecycleState } from './autoscaling-model.js';
export { CallLog, type ApiCallRecord, type FaultPoint } from './call-log.js';
export { VirtualClock } from './clock.js';
export {
  ASSESS_LINUX_DOCUMENT,
  ASSESS_WINDOWS_DOCUMENT,
  COLLECT_INVENTORY_DOCUMENT,
  ENA_INVENTORY_TYPE,
  KERNEL_CHECK_MARKER,
  kernelUpdateCommand,
  KNOWN_COMMAND_DOCUMENTS,
  UPDATE_LINUX_KERNEL_DOCUMENT,
  type CommandDocument,
  type CommandOutcome,
} from './command-documents.js';
export { loadDocument, parseDocument, validateDocument, type AutomationDocument, type DocumentContent, type StepDefinition } from './document.js';
export { DEFAULT_EC2_TIMINGS, type Ec2Timings, type InstanceExtras } from './ec2-model.js';
export {
  AutoScalingServiceException,
  ChildAutomationFailedError,
  DocumentError,
  InvalidInputError,
  ParameterError,
  SimulatorError,
  StepFailedError,
  StepTimedOutError,
  UnsupportedActionError,
  UnsupportedOperationError,
  VariableError,
  createAwsError,
  isAwsServiceError,
  isThrottlingError,
  type AwsServiceError,
  type ServiceName,
} from './errors.js';
export { FaultInjector, Faults, type FaultRule } from './faults.js';
export { DRIVER_EVIDENCE_MARKER, Guest, defaultGuestSpec, type CustomInventoryFile, type GuestSpec, type ScriptBehaviour, type ScriptResult } from './guest.js';
export { assertActionsSupported, simulate, type ApprovalOption, type SimulateOptions, type SimulationResult } from './interpreter.js';
export { RUN_START, firstStep, indexSteps, nextStep, type NextStep, type RunFailure, type RunState, type StepIndex, type StepOutcome } from './next-step.js';
export { resolveParameters } from './parameters.js';
export { EC2_COMMANDS, SSM_COMMANDS, wireEc2Client, wireSsmClient } from './sdk-stub.js';
export { formatTrace, type ExecutionStatus, type StepStatus, type StepTrace } from './trace.js';
export { GATHER_INVENTORY_DOCUMENT, INVENTORY_GATHER_SECONDS, MAX_ASSOCIATIONS_ONCE } from './ssm-model.js';
export { select, substitute } from './variables.js';
