/**
 * External tools some tests need (cfn-lint, moto_server). On a machine without them those tests
 * are skipped with a message saying which tool is missing; `.ci/run` sets
 * ENA_GUARD_REQUIRE_TOOLS=1, which turns a missing tool into a failure instead.
 */
import { spawnSync } from 'node:child_process';

export function toolAvailable(command: string, probeArgs: readonly string[] = ['--version']): boolean {
  const found = spawnSync(command, [...probeArgs], { encoding: 'utf8' }).status === 0;
  if (!found && process.env.ENA_GUARD_REQUIRE_TOOLS === '1') {
    throw new Error(`${command} is required (ENA_GUARD_REQUIRE_TOOLS=1) but was not found on PATH`);
  }
  if (!found) console.warn(`[ena-guard tests] ${command} not found on PATH: tests that need it are skipped.`);
  return found;
}
