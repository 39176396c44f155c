/**
 * Every check ena-guard runs on demand (CLI, demo, benchmark), built from one set of fact
 * sources. The Lambda functions each build their own single check.
 */
import type { ConfigRuleSpec } from '../engine/rule-spec.js';
import type { FactSources } from '../facts/sources.js';
import { driverCurrentCheck } from './driver-current.js';
import { imageEnabledCheck } from './image-enabled.js';
import { instanceEnabledCheck } from './instance-enabled.js';

export function allChecks(sources: FactSources): ConfigRuleSpec[] {
  return [instanceEnabledCheck(sources.fleet), driverCurrentCheck(sources.fleet, sources.inventory), imageEnabledCheck(sources.images)];
}
