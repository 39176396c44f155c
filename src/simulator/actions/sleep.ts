/** `aws:sleep`: lets simulated time pass, by `Duration` (ISO 8601, e.g. PT10M) or until `Timestamp`. */
import { InvalidInputError } from '../errors.js';
import type { AutomationAction } from './types.js';

/** AWS caps aws:sleep at 7 days. */
export const MAX_SLEEP_SECONDS = 7 * 24 * 3600;

/** Seconds in an ISO 8601 duration such as `PT1H30M`, `P1D`, `PT45S`. */
export function parseIsoDuration(text: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (match === null || text === 'P' || text.endsWith('T')) throw new InvalidInputError(`Duration ${text} is not an ISO 8601 duration such as PT10M`);
  const [, days, hours, minutes, seconds] = match;
  return Number(days ?? 0) * 86400 + Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
}

export const sleep: AutomationAction = {
  name: 'aws:sleep',
  run(inputs, context) {
    const duration = inputs['Duration'];
    const timestamp = inputs['Timestamp'];
    let seconds: number;
    if (typeof duration === 'string') seconds = parseIsoDuration(duration);
    else if (typeof timestamp === 'string') {
      const until = Date.parse(timestamp);
      if (Number.isNaN(until)) throw new InvalidInputError(`Timestamp ${timestamp} is not an ISO 8601 time`);
      seconds = Math.max(0, (until - context.account.clock.nowMs()) / 1000);
    } else throw new InvalidInputError('aws:sleep needs Duration or Timestamp');
    if (seconds > MAX_SLEEP_SECONDS) throw new InvalidInputError(`aws:sleep cannot wait more than 7 days (asked ${seconds} s)`);
    context.wait(seconds, 'sleeping');
    return { outputs: {} };
  },
};
