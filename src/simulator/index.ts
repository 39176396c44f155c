/**
 * The runbook simulator: runs SSM Automation documents step by step against an in-memory AWS
 * account that enforces EC2's rules, in simulated time. See docs/simulator.md.
 */
export { AccountModel, type AccountModelOptions, type AccountSnapshot } from './account-model.js';
export { SUPPORTED_ACTIONS } from './actions/index.js';
export type { AutoScalingGroupSettings, AutoScalingInstanceDetails, LifecycleState } from './autoscaling-model.js';
export { CallLog, type ApiCallRecord, type CallCaller, type FaultPoint } from './call-log.js';
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
  CHECK_DRIVER_EVIDENCE_DOCUMENT,
  REFRESH_INVENTORY_DOCUMENT,
  type CommandDocument,
  type CommandOutcome,
} from './command-documents.js';
export {
  AWS_PARAMETER_TYPES,
  COMMAND_SCHEMA_VERSIONS,
  isStringListType,
  loadDocument,
  parseDocument,
  validateDocument,
  type AutomationDocument,
  type DocumentContent,
  type ParameterType,
  type StepDefinition,
} from './document.js';
export { DYNAMODB_RESERVED_WORDS } from './dynamodb-reserved-words.js';
export { attributeEquals, compareNumbers, compareStrings, evaluateCondition, parseCondition, type Condition, type Item, type ParsedCondition } from './dynamodb-expressions.js';
export type { DynamoDbModel, DynamoDbTableDefinition } from './dynamodb-model.js';
export { DEFAULT_EC2_TIMINGS, type Ec2Timings, type InstanceExtras } from './ec2-model.js';
export {
  AutoScalingServiceException,
  ChildAutomationFailedError,
  CommandDocumentError,
  DocumentError,
  InvalidFaultError,
  InvalidInputError,
  ParameterError,
  ScriptError,
  SimulatorError,
  StepFailedError,
  StepTimedOutError,
  UnsupportedActionError,
  UnsupportedOperationError,
  UnsupportedScriptError,
  VariableError,
  createAwsError,
  isAwsServiceError,
  isThrottlingError,
  type AwsServiceError,
  type ServiceName,
} from './errors.js';
export { FAULT_FORMS, FAULT_SERVICES, FaultInjector, Faults, parseFault, serverErrorCode, type FaultRule, type FaultSpec, type FaultTargets } from './faults.js';
export { DRIVER_EVIDENCE_MARKER, Guest, defaultGuestSpec, type CustomInventoryFile, type GuestSpec, type ScriptBehaviour, type ScriptResult } from './guest.js';
export { simulateInterleaved, type InterleavedResult, type InterleavedRun, type ScheduleEntry, type Until } from './interleave.js';
export { assertActionsSupported, simulate, startExecution, type ApprovalOption, type Execution, type SimulateOptions, type SimulationResult } from './interpreter.js';
export { RUN_START, firstStep, indexSteps, nextStep, type NextStep, type RunFailure, type RunState, type StepIndex, type StepOutcome } from './next-step.js';
export { resolveParameters } from './parameters.js';
export {
  registerScriptModel,
  registeredScriptModels,
  scriptMarkers,
  scriptModel,
  unregisterScriptModel,
  type ScriptContext,
  type ScriptModel,
  type ScriptModels,
} from './scripts.js';
export { DYNAMODB_COMMANDS, EC2_COMMANDS, SSM_COMMANDS, wireDynamoDbClient, wireEc2Client, wireSsmClient } from './sdk-stub.js';
export { formatTrace, type ExecutionStatus, type StepStatus, type StepTrace } from './trace.js';
export {
  GATHER_INVENTORY_DOCUMENT,
  INVENTORY_GATHER_SECONDS,
  MAX_ASSOCIATIONS_ONCE,
  MAX_AUTOMATION_EXECUTIONS_PAGE,
  isModelledAssociationTarget,
  type AutomationExecutionRecord,
  type SsmModel,
} from './ssm-model.js';
export { select, substitute } from './variables.js';
export { RUNBOOK_LOCK_TABLE } from './stack-resources.js';
