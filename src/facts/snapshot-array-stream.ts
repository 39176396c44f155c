/**
 * Reads a snapshot file whose bulk is one array under a top-level key (describe-instances.json's
 * `Reservations`) without holding its text: stream-json parses the file as it is read, and each
 * element of the array is assembled, checked against its schema and handed to the caller on its
 * own, so memory holds one element at a time, whatever the size of the file (JSON.parse needs the
 * whole text as one string, which V8 caps at 512 MiB).
 *
 * Failures read as {@link readSnapshotFile}'s: the file and what is wrong with it, and for a shape
 * problem the path inside the file (`Reservations[3].Instances[0].State.Name: ...`). As with
 * JSON.parse, a file that is not JSON is reported as such even when an element before the syntax
 * error has the wrong shape. Several documents one after the other (pages of the AWS CLI appended
 * to one file) are read as one; a path in the second or a later one names its document.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Assembler from 'stream-json/assembler.js';
import parser from 'stream-json/parser.js';
import * as z from 'zod';
import { MissingSnapshotFileError, SnapshotError } from '../errors.js';

/** The array to stream: `key` at the top level, each element checked against `element`. */
export interface SnapshotArray<E extends z.ZodType> {
  readonly key: string;
  readonly element: E;
}

/**
 * Calls `visit` with each element of the array, in file order, once it has passed the schema.
 * Visits made before a failure are of a file that turned out broken: callers keep what they
 * collect only once the promise resolves.
 * @throws MissingSnapshotFileError when the file is not there; SnapshotError when it cannot be
 * read, is not JSON, or an element or the top level has the wrong shape.
 */
export async function streamSnapshotArray<E extends z.ZodType>(
  directory: string,
  name: string,
  array: SnapshotArray<E>,
  visit: (element: z.output<E>) => void,
): Promise<void> {
  const path = join(directory, name);
  const file = await openSnapshotFile(path);
  const reader = new ArrayReader(array, visit);
  const tokens = parser.asStream({ streamValues: false, jsonStreaming: true });
  // A listener, not `for await`: the file has tens of millions of tokens, and an await per token
  // costs twice the parse itself.
  tokens.on('data', (token: parser.Token) => {
    try {
      reader.consume(token);
    } catch (error) {
      tokens.destroy(new VisitFailure(error));
    }
  });
  try {
    // Read in the default 64 KiB blocks: a block's tokens are all in flight at once, and 1 MiB
    // blocks raised the peak of loading 100,000 instances from 274 to 396 MiB.
    await pipeline(file.createReadStream(), tokens);
  } catch (error) {
    if (error instanceof VisitFailure) throw error.cause;
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string') throw new SnapshotError(path, `cannot be read (${code})`, { cause: error });
    throw new SnapshotError(path, `is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  // JSON.parse's words for an empty file; a streaming parser accepts it as no documents at all.
  if (reader.documents === 0) throw new SnapshotError(path, 'is not valid JSON (Unexpected end of JSON input)');
  if (reader.problem) throw new SnapshotError(path, reader.problem.message, { cause: reader.problem.cause });
}

/** Opens a snapshot file; a missing one is {@link MissingSnapshotFileError}, as for readSnapshotFile. */
async function openSnapshotFile(path: string): Promise<FileHandle> {
  try {
    return await open(path);
  } catch (error) {
    throw snapshotReadError(path, error);
  }
}

/** The error for a snapshot file that cannot be opened or read. */
export function snapshotReadError(path: string, error: unknown): SnapshotError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new MissingSnapshotFileError(path, 'file not found', { cause: error });
  return new SnapshotError(path, `cannot be read (${code ?? String(error)})`, { cause: error });
}

/** `Reservations[0].Instances[0].InstanceType: Invalid input: ...`, for the first issue zod found. */
export function shapeProblem(error: z.ZodError, prefix: readonly PropertyKey[] = []): string {
  const issue = error.issues[0];
  const where = [...prefix, ...(issue?.path ?? [])].map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
  return `${where.replace(/^\./, '') || '(top level)'}: ${issue?.message ?? 'invalid'}`;
}

/** Carries an exception of the caller's `visit` through the stream, to be rethrown as it was. */
class VisitFailure extends Error {
  constructor(cause: unknown) {
    super('visit failed', { cause });
  }
}

/**
 * Assembles values whose strings own their characters. The parser's strings are slices of the
 * block it read (V8 shares the characters), so one string kept from an element (an instance id in
 * the facts) would keep its whole block alive: the file's text again, a block per instance.
 */
class DetachingAssembler extends Assembler {
  override stringValue(value: string): void {
    // Slicing the concatenation copies the characters; V8 copies strings under 13 characters anyway.
    super.stringValue(value.length < 13 ? value : (' ' + value).slice(1));
  }
}

/**
 * Turns the parser's tokens back into values: each element of the array on its own, and the rest
 * of each document (the "skeleton", its array left empty) to check the top level.
 */
class ArrayReader<E extends z.ZodType> {
  documents = 0;
  /** The first shape problem in file order, reported once the whole file has parsed. */
  problem: { message: string; cause: z.ZodError } | undefined;
  private readonly skeletonSchema: z.ZodType;
  private skeleton = new Assembler();
  private readonly element = new DetachingAssembler();
  /** Containers open in the current document. */
  private depth = 0;
  private inArray = false;
  private index = 0;

  constructor(
    private readonly array: SnapshotArray<E>,
    private readonly visit: (element: z.output<E>) => void,
  ) {
    this.skeletonSchema = z.looseObject({ [array.key]: z.array(z.unknown()) });
  }

  consume(token: parser.Token): void {
    if (this.depth === 0) this.startDocument();
    const opens = token.name === 'startObject' || token.name === 'startArray';
    const closes = token.name === 'endObject' || token.name === 'endArray';
    if (this.inArray && !(this.depth === 2 && token.name === 'endArray')) {
      this.element.consume(token);
      this.depth += opens ? 1 : closes ? -1 : 0;
      if (this.depth === 2) this.endElement(this.element.current);
      return;
    }
    if (token.name === 'startArray' && this.depth === 1 && this.skeleton.key === this.array.key) {
      this.inArray = true;
      this.index = 0;
    } else if (token.name === 'endArray' && this.inArray) {
      this.inArray = false;
    }
    this.skeleton.consume(token);
    this.depth += opens ? 1 : closes ? -1 : 0;
    if (this.depth === 0) this.endDocument(this.skeleton.current);
  }

  private startDocument(): void {
    this.documents += 1;
    this.skeleton = new Assembler();
  }

  private endElement(value: unknown): void {
    const index = this.index;
    this.index += 1;
    // After a problem the rest is only parsed, to report a syntax error first as JSON.parse would.
    if (this.problem) return;
    const result = this.array.element.safeParse(value);
    if (result.success) this.visit(result.data);
    else this.problem = { message: this.inDocument(shapeProblem(result.error, [this.array.key, index])), cause: result.error };
  }

  private endDocument(value: unknown): void {
    if (this.problem) return;
    const result = this.skeletonSchema.safeParse(value);
    if (!result.success) this.problem = { message: this.inDocument(shapeProblem(result.error)), cause: result.error };
  }

  /** Names the document when it is not the first: a path alone would point into the first. */
  private inDocument(problem: string): string {
    return this.documents > 1 ? `document ${this.documents}: ${problem}` : problem;
  }
}
