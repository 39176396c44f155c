import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { MissingSnapshotFileError, SnapshotError } from '../../src/errors.js';
import { streamSnapshotArray } from '../../src/facts/snapshot-array-stream.js';

const created: string[] = [];
afterAll(() => {
  for (const directory of created) rmSync(directory, { recursive: true, force: true });
});

const FILE = 'describe-instances.json';

function folderWith(text: string): string {
  const directory = mkdtempSync(join(tmpdir(), 'ena-guard-array-stream-'));
  created.push(directory);
  writeFileSync(join(directory, FILE), text);
  return directory;
}

const reservations = {
  key: 'Reservations',
  element: z.looseObject({ Instances: z.array(z.looseObject({ InstanceId: z.string().min(1), State: z.looseObject({ Name: z.string() }) })) }),
};

function reservation(...ids: string[]) {
  return { ReservationId: `r-${ids[0]}`, Instances: ids.map((InstanceId) => ({ InstanceId, State: { Code: 16, Name: 'running' } })) };
}

async function instanceIds(directory: string): Promise<string[]> {
  const ids: string[] = [];
  await streamSnapshotArray(directory, FILE, reservations, (element) => ids.push(...element.Instances.map((instance) => instance.InstanceId)));
  return ids;
}

describe('streamSnapshotArray', () => {
  it('hands over every element in file order, and keeps what is around the array', async () => {
    const directory = folderWith(JSON.stringify({ Reservations: [reservation('i-1', 'i-2'), reservation('i-3')], NextToken: null }, null, 4));

    const ids = await instanceIds(directory);

    expect(ids).toEqual(['i-1', 'i-2', 'i-3']);
  });

  it('reads pages of the AWS CLI appended to one file as one list', async () => {
    const pages = [{ Reservations: [reservation('i-1')], NextToken: 'page-2' }, { Reservations: [reservation('i-2'), reservation('i-3')] }];
    const directory = folderWith(pages.map((page) => JSON.stringify(page, null, 4)).join('\n'));

    const ids = await instanceIds(directory);

    expect(ids).toEqual(['i-1', 'i-2', 'i-3']);
  });

  it('names the document of a shape problem in the second of two appended pages', async () => {
    const broken = { Reservations: [reservation('i-2'), { Instances: [{ InstanceId: '', State: { Name: 'running' } }] }] };
    const directory = folderWith(`${JSON.stringify({ Reservations: [reservation('i-1')] })}\n${JSON.stringify(broken)}`);

    await expect(instanceIds(directory)).rejects.toThrow(`${join(directory, FILE)}: document 2: Reservations[1].Instances[0].InstanceId: `);
  });

  it('keeps characters that a read block boundary splits', async () => {
    // Two-byte and four-byte UTF-8 characters over more than one 64 KiB block.
    const name = 'é€😀'.repeat(20_000);
    const directory = folderWith(JSON.stringify({ Reservations: [reservation('i-1'), { Instances: [{ InstanceId: name, State: { Name: 'running' } }] }] }));

    const ids = await instanceIds(directory);

    expect(ids).toEqual(['i-1', name]);
  });

  it('reports a syntax error after a shape problem as not JSON, as JSON.parse does', async () => {
    const text = JSON.stringify({ Reservations: [{ Instances: [{ InstanceId: 42 }] }, reservation('i-2')] });
    const directory = folderWith(text.slice(0, -2));

    await expect(instanceIds(directory)).rejects.toThrow(/describe-instances\.json: is not valid JSON \(/);
  });

  it.each([
    ['an empty file', '', 'is not valid JSON (Unexpected end of JSON input)'],
    ['a file of blanks', ' \n', 'is not valid JSON (Unexpected end of JSON input)'],
    ['a top level that is not an object', '[]', '(top level): Invalid input: expected object, received array'],
    ['an array key holding an object', '{"Reservations": {"0": {}}}', 'Reservations: Invalid input: expected array, received object'],
    ['an element that is not an object', '{"Reservations": [{"Instances": []}, 7]}', 'Reservations[1]: Invalid input: expected object, received number'],
  ])('names %s as readSnapshotFile does', async (_situation, text, problem) => {
    const directory = folderWith(text);

    const failure = instanceIds(directory);

    await expect(failure).rejects.toBeInstanceOf(SnapshotError);
    await expect(failure).rejects.toThrow(`${join(directory, FILE)}: ${problem}`);
  });

  it('reports a missing file as MissingSnapshotFileError', async () => {
    const directory = folderWith('{}');

    await expect(streamSnapshotArray(directory, 'describe-nothing.json', reservations, () => {})).rejects.toBeInstanceOf(MissingSnapshotFileError);
  });

  it("rethrows what the caller's visit throws, unchanged", async () => {
    const directory = folderWith(JSON.stringify({ Reservations: [reservation('i-1'), reservation('i-2')] }));
    const thrown = new RangeError('no room');

    const failure = streamSnapshotArray(directory, FILE, reservations, () => {
      throw thrown;
    });

    await expect(failure).rejects.toBe(thrown);
  });
});
