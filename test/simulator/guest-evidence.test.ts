import { describe, expect, it } from 'vitest';
import { DRIVER_EVIDENCE_MARKER, Guest } from '../../src/simulator/index.js';
import { LINUX_WITHOUT_DRIVER, LINUX_WITH_DRIVER } from './fixtures.js';

describe('the guest\'s answer to ena-guard\'s driver-evidence script', () => {
  it('succeeds when the running kernel has an ENA driver', () => {
    const result = new Guest(LINUX_WITH_DRIVER).runScript('i-0aaaaaaaaaaaaaaa1', [`#!/bin/sh\n# ${DRIVER_EVIDENCE_MARKER}\nmodinfo ena`]);

    expect(result.exitCode ?? 0).toBe(0);
  });

  it('fails when it has none', () => {
    const result = new Guest(LINUX_WITHOUT_DRIVER).runScript('i-0aaaaaaaaaaaaaaa1', [`# ${DRIVER_EVIDENCE_MARKER}`]);

    expect(result.exitCode).toBe(1);
  });

  it('answers from the running kernel, not from a driver installed but not yet booted', () => {
    const guest = new Guest(LINUX_WITHOUT_DRIVER);
    guest.installDriver({ present: true, version: '2.13.0g', source: 'out-of-tree' });

    const before = guest.runScript('i-0aaaaaaaaaaaaaaa1', [`# ${DRIVER_EVIDENCE_MARKER}`]);
    guest.boot();
    const after = guest.runScript('i-0aaaaaaaaaaaaaaa1', [`# ${DRIVER_EVIDENCE_MARKER}`]);

    expect(before.exitCode).toBe(1);
    expect(after.exitCode ?? 0).toBe(0);
  });
});
