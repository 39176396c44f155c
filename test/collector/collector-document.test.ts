import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENA_DRIVER_INVENTORY_FIELDS, ENA_DRIVER_INVENTORY_TYPE } from '../../rules/inventory.js';
import { DOCUMENT_PATH, loadCollectorDocument, stepScript } from './collector-harness.js';

const document = loadCollectorDocument();
const linuxScript = stepScript(document, 'aws:runShellScript');
const windowsScript = stepScript(document, 'aws:runPowerShellScript');

describe('the EnaGuard-CollectEnaDriverInventory document', () => {
  it('is a schema 2.2 command document with a description', () => {
    // Assess
    expect(document.schemaVersion).toBe('2.2');
    expect(document.description).toContain('## What does this document do?');
  });

  it('runs a shell script on Linux and a PowerShell script on Windows, each behind its precondition', () => {
    // Act
    const steps = document.mainSteps.map((step) => [step.action, step.precondition?.StringEquals]);

    // Assess
    expect(steps).toEqual([
      ['aws:runShellScript', ['platformType', 'Linux']],
      ['aws:runPowerShellScript', ['platformType', 'Windows']],
    ]);
  });

  it('has unique step names and a timeout on every step', () => {
    // Act
    const names = document.mainSteps.map((step) => step.name);

    // Assess
    expect(new Set(names).size).toBe(names.length);
    for (const step of document.mainSteps) expect(step.inputs.timeoutSeconds, step.name).toMatch(/^\d+$/);
  });

  it('constrains every parameter it declares with a pattern or a list of values', () => {
    // Act
    const parameters = Object.entries(document.parameters ?? {});

    // Assess
    for (const [name, parameter] of parameters) {
      expect(parameter.allowedPattern ?? parameter.allowedValues, name).toBeDefined();
    }
  });

  it('contains no {{ }} reference, since it declares no parameter for one to resolve to', () => {
    // Act
    const text = readFileSync(DOCUMENT_PATH, 'utf8');

    // Assess
    expect(text).not.toMatch(/\{\{/);
  });
});

describe('the Linux step', () => {
  it('writes to the SSM Agent custom inventory folder, with an empty root in production', () => {
    // Assess
    expect(linuxScript).toContain('root="${ENA_GUARD_ROOT:-}"');
    expect(linuxScript).toContain('folder="$root/var/lib/amazon/ssm/$instance_id/inventory/custom"');
    expect(linuxScript).toContain('os_release="$root/etc/os-release"');
    expect(linuxScript).toContain('instance_id="${AWS_SSM_INSTANCE_ID:-}"');
  });

  it('uses POSIX sh only: no bash-isms, no jq, no python', () => {
    // Prepare
    const forbidden = [/\[\[\s/, /^\s*function\s/m, /\blocal\s/, /<<</, /\$\(</, /\bsource\s/, /\bjq\b/, /\bpython/, /#!\/bin\/bash/, /\$\{[A-Za-z_]+\[/, /\breadlink\b/, /\bdeclare\b/, /==/];

    // Assess
    for (const pattern of forbidden) expect(linuxScript, String(pattern)).not.toMatch(pattern);
    expect(linuxScript.startsWith('#!/bin/sh\n')).toBe(true);
  });

  it('writes the custom inventory JSON shape with every field', () => {
    // Assess
    expect(linuxScript).toContain(`\\"SchemaVersion\\":\\"1.0\\",\\"TypeName\\":\\"${ENA_DRIVER_INVENTORY_TYPE}\\",\\"Content\\":{`);
    for (const field of ENA_DRIVER_INVENTORY_FIELDS) expect(linuxScript, field).toContain(`\\"${field}\\":`);
  });
});

describe('the Windows step', () => {
  it('writes every field of the inventory item', () => {
    // Assess
    for (const field of ENA_DRIVER_INVENTORY_FIELDS) expect(windowsScript, field).toContain(`$content['${field}'] =`);
  });

  it('writes the custom inventory JSON shape', () => {
    // Assess
    expect(windowsScript).toContain(`'{"SchemaVersion":"1.0","TypeName":"${ENA_DRIVER_INVENTORY_TYPE}","Content":{'`);
  });

  it('writes into the SSM Agent custom inventory folder under %SystemDrive%\\ProgramData', () => {
    // Assess
    expect(windowsScript).toContain('Join-Path $env:SystemDrive "ProgramData\\Amazon\\SSM\\InstanceData\\$instanceId\\inventory\\custom"');
    expect(windowsScript).toContain("(Join-Path $folder 'EnaGuard-EnaDriver.json')");
  });

  it('takes the instance ID from AWS_SSM_INSTANCE_ID, with an IMDSv2 fallback', () => {
    // Assess
    expect(windowsScript).toContain('$instanceId = $env:AWS_SSM_INSTANCE_ID');
    expect(windowsScript).toContain("'X-aws-ec2-metadata-token-ttl-seconds'");
    expect(windowsScript).toContain('latest/meta-data/instance-id');
  });

  it('reads the ENA adapter driver version and the OS caption and version', () => {
    // Assess
    expect(windowsScript).toContain('Get-NetAdapter');
    expect(windowsScript).toContain("'Amazon Elastic Network Adapter*'");
    expect(windowsScript).toContain('$_.InterfaceDescription -like $adapterDescription');
    expect(windowsScript).toContain('$ena.DriverVersion');
    expect(windowsScript).toContain('Win32_PnPSignedDriver');
    expect(windowsScript).toContain('Win32_OperatingSystem');
    expect(windowsScript).toContain('$os.Caption');
    expect(windowsScript).toContain('$os.Version');
  });

  it('marks its values with the Windows build, version source and OS family', () => {
    // Assess
    expect(windowsScript).toContain("$content['DriverBuild'] = 'windows'");
    expect(windowsScript).toContain("$versionSource = 'windows-adapter'");
    expect(windowsScript).toContain("$content['OsFamily'] = 'windows'");
    expect(windowsScript).toContain("$content['KernelRelease'] = ''");
  });

  it('writes UTF-8 without a byte-order mark and never relies on ConvertTo-Json (absent from PowerShell 2.0)', () => {
    // Assess
    expect(windowsScript).toContain('New-Object System.Text.UTF8Encoding($false)');
    expect(windowsScript).not.toContain('ConvertTo-Json ');
    expect(windowsScript).not.toMatch(/Set-Content|Out-File/);
  });
});
