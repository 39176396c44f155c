import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { render } from '../../../src/cli/formats/index.js';
import { documentOf, finding } from './documents.js';

const findings = [
  finding(),
  finding({ resourceId: 'i-0b', subject: 't3.micro', verdict: 'COMPLIANT', annotation: 'ENA is enabled.' }),
  finding({ resourceId: 'i-0c', subject: 't2.micro', verdict: 'NOT_APPLICABLE', annotation: 'The type cannot use ENA.' }),
  finding({ rule: 'ena-driver-current', resourceId: 'i-0d', subject: 'c5.large', verdict: 'NOT_JUDGED', annotation: 'No inventory.' }),
];

const PLAIN = [
  'REGION     RULE                  RESOURCE             TYPE      VERDICT         ANNOTATION',
  'eu-west-1  ena-instance-enabled  i-0123456789abcdef0  m5.large  NON_COMPLIANT   enaSupport is false on an instance type that supports ENA.',
  'eu-west-1  ena-instance-enabled  i-0b                 t3.micro  COMPLIANT       ENA is enabled.',
  'eu-west-1  ena-instance-enabled  i-0c                 t2.micro  NOT_APPLICABLE  The type cannot use ENA.',
  'eu-west-1  ena-driver-current    i-0d                 c5.large  NOT_JUDGED      No inventory.',
  '',
  '4 evaluations: 1 COMPLIANT, 1 NON_COMPLIANT, 1 NOT_APPLICABLE, 1 NOT_JUDGED',
].join('\n');

describe('the table format', () => {
  it('prints aligned columns and the summary, byte for byte as before, without colour', () => {
    expect(render(documentOf(findings), 'table', { colour: false })).toBe(PLAIN);
  });

  it('leaves out the Region column when no finding has one', () => {
    const table = render(documentOf([finding({ region: '' })]), 'table', { colour: false });

    expect(table.split('\n')[0]).toBe('RULE                  RESOURCE             TYPE      VERDICT        ANNOTATION');
  });

  it('colours each verdict word with its ANSI colour and keeps the columns aligned', () => {
    const table = render(documentOf(findings), 'table', { colour: true });

    const lines = table.split('\n');
    expect(lines[1]).toContain('\u001b[31mNON_COMPLIANT\u001b[39m   enaSupport');
    expect(lines[2]).toContain('\u001b[32mCOMPLIANT\u001b[39m       ENA is');
    expect(lines[3]).toContain('\u001b[2mNOT_APPLICABLE\u001b[22m  The type');
    expect(lines[4]).toContain('\u001b[33mNOT_JUDGED\u001b[39m      No inventory');
    // Without the escape codes it is the plain table: nothing else is coloured or moved.
    expect(stripVTControlCharacters(table)).toBe(PLAIN);
    expect(lines[0]).not.toContain('\u001b');
  });

  it('does not colour a verdict-like word in another column', () => {
    const table = render(documentOf([finding({ annotation: 'COMPLIANT' })]), 'table', { colour: true });

    expect(table.split('\n')[1]).toMatch(/ {2}COMPLIANT$/);
  });
});
