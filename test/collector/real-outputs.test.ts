import { describe, expect, it } from 'vitest';
import { driverCurrentParameters, evaluateDriverCurrent } from '../../rules/driver-current.js';
import { parseEnaDriverInventoryEntry } from '../../rules/inventory.js';
import { instanceFacts } from '../support/instances.js';
import { loadCollectorDocument, runLinuxCollector, stepScript } from './collector-harness.js';
import { REAL_GUESTS } from './real-outputs.js';

const script = stepScript(loadCollectorDocument(), 'aws:runShellScript');

const parameters = driverCurrentParameters.parse({ linuxMinimumDriverVersion: '2.2.10', windowsMinimumDriverVersion: '2.4.0' });

describe('the Linux collector on outputs copied from real guests', () => {
  it.each(REAL_GUESTS.map((real) => [real.name, real] as const))('%s', (_name, real) => {
    // Act
    const run = runLinuxCollector(script, real.guest);

    // Assess: what the collector wrote
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.written?.Content).toMatchObject(real.expected.content);

    // Assess: how ena-driver-current judges it
    const parsed = parseEnaDriverInventoryEntry(run.written?.Content);
    if (!parsed.ok) throw new Error(parsed.message);
    const verdict = evaluateDriverCurrent(
      { instance: instanceFacts(), enaCapability: 'supported', managed: true, inventory: parsed.value },
      parameters,
    );
    expect(verdict.outcome, real.expected.because).toBe('judged');
    if (verdict.outcome !== 'judged') return;
    expect(verdict.compliance, real.expected.because).toBe(real.expected.compliance);
    expect(verdict.reasons[0], real.expected.because).toBe(real.expected.firstReason);
  });

  it('judges every in-kernel K driver by its kernel, never by its own version', () => {
    for (const real of REAL_GUESTS.filter((candidate) => candidate.expected.content.DriverVersion.endsWith('K'))) {
      // Act
      const run = runLinuxCollector(script, real.guest);
      const parsed = parseEnaDriverInventoryEntry(run.written?.Content);
      if (!parsed.ok) throw new Error(parsed.message);
      const verdict = evaluateDriverCurrent(
        { instance: instanceFacts(), enaCapability: 'supported', managed: true, inventory: parsed.value },
        parameters,
      );

      // Assess
      expect(verdict.reasons[0], real.name).toMatch(/^(KERNEL_|NO_PUBLISHED_MINIMUM$)/);
    }
  });
});
