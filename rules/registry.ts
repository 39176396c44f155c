/**
 * Every rule ena-guard ships, in the order reports list them. Adding a rule is one line here and
 * its own file (docs/adding-a-rule.md); everything else is derived from this list.
 */
import type { RuleDeclaration } from './declaration.js';
import { driverCurrentRule } from './driver-current.js';
import { expressEnabledRule } from './express-enabled.js';
import { imageEnabledRule } from './image-enabled.js';
import { instanceEnabledRule } from './instance-enabled.js';

export const RULES: readonly RuleDeclaration[] = [instanceEnabledRule, driverCurrentRule, imageEnabledRule, expressEnabledRule];
