/**
 * DynamoDB condition expressions, the subset the runbooks need: `attribute_exists(path)`,
 * `attribute_not_exists(path)`, the comparators `= <> < <= > >=`, `AND`, `OR`, `NOT`, parentheses,
 * `#name` and `:value` placeholders, and document paths (`a.b[0]`). The other parts of the
 * language (`BETWEEN`, `IN`, `begins_with`, `contains`, `size`, `attribute_type`) are refused with a
 * {@link SimulatorError} naming them: never evaluated as true. What DynamoDB itself refuses
 * (syntax errors, undefined placeholders, reserved words as attribute names, a function it does
 * not know) is a `ValidationException` with DynamoDB's message.
 *
 * Comparisons follow DynamoDB: strings by UTF-8 bytes, numbers as decimals (not floating point),
 * binaries by bytes; operands of different types are not equal and not ordered; a path the item
 * does not have makes `=` and the orderings false and `<>` true.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DYNAMODB_RESERVED_WORDS } from './dynamodb-reserved-words.js';
import { SimulatorError } from './errors.js';
import { fail } from './model-support.js';

/** An item, or a key, in DynamoDB's low-level shape (`{ LockId: { S: 'i-0…' } }`). */
export type Item = Record<string, AttributeValue>;

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

type PathSegment = { readonly kind: 'name'; readonly name: string } | { readonly kind: 'index'; readonly index: number };

/** A document path, its placeholders resolved. */
interface Path {
  readonly kind: 'path';
  readonly segments: readonly PathSegment[];
}

type Operand = Path | { readonly kind: 'value'; readonly value: AttributeValue };

/** A parsed condition. */
export type Condition =
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition }
  | { readonly kind: 'not'; readonly operand: Condition }
  | { readonly kind: 'exists' | 'notExists'; readonly path: Path }
  | { readonly kind: 'compare'; readonly comparator: Comparator; readonly left: Operand; readonly right: Operand };

/** A parsed condition and the placeholders it used (DynamoDB refuses unused ones). */
export interface ParsedCondition {
  readonly condition: Condition;
  readonly namesUsed: ReadonlySet<string>;
  readonly valuesUsed: ReadonlySet<string>;
}

/** The parts of the expression language the simulator knows of but does not model. */
const UNMODELLED_FUNCTIONS = new Set(['attribute_type', 'begins_with', 'contains', 'size']);
const UNMODELLED_KEYWORDS = new Set(['BETWEEN', 'IN']);
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN']);
const COMPARATORS: ReadonlySet<string> = new Set(['=', '<>', '<', '<=', '>', '>=']);
const TYPES = ['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL'] as const;
type TypeName = (typeof TYPES)[number];

interface Token {
  readonly kind: 'name' | 'placeholder' | 'value' | 'number' | 'symbol' | 'eof';
  readonly text: string;
}

const TOKEN = /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z_][A-Za-z0-9_]*)|(\d+)|(<>|<=|>=|[=<>()[\].,]))/y;

function syntaxError(token: string, near: string): never {
  // Unconfirmed: the exact extent of DynamoDB's "near" excerpt.
  return fail('dynamodb', 'ValidationException', `Invalid ConditionExpression: Syntax error; token: "${token}", near: "${near}"`);
}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  for (;;) {
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(expression);
    if (match === null) {
      const rest = expression.slice(position).trim();
      if (rest === '') break;
      syntaxError(rest.charAt(0), `${tokens.at(-1)?.text ?? ''}${rest.slice(0, 2)}`.trim());
    }
    const [, placeholder, value, name, number, symbol] = match;
    if (placeholder !== undefined) tokens.push({ kind: 'placeholder', text: placeholder });
    else if (value !== undefined) tokens.push({ kind: 'value', text: value });
    else if (name !== undefined) tokens.push({ kind: 'name', text: name });
    else if (number !== undefined) tokens.push({ kind: 'number', text: number });
    else tokens.push({ kind: 'symbol', text: symbol as string });
    position = TOKEN.lastIndex;
  }
  tokens.push({ kind: 'eof', text: '<EOF>' });
  return tokens;
}

function isKeyword(token: Token, keyword?: string): boolean {
  return token.kind === 'name' && (keyword === undefined ? KEYWORDS.has(token.text.toUpperCase()) : token.text.toUpperCase() === keyword);
}

/** A recursive-descent parser over the tokens; precedence as DynamoDB's: NOT, then AND, then OR. */
class Parser {
  private position = 0;
  readonly namesUsed = new Set<string>();
  readonly valuesUsed = new Set<string>();

  constructor(
    private readonly expression: string,
    private readonly tokens: readonly Token[],
    private readonly names: Readonly<Record<string, string>>,
    private readonly values: Readonly<Record<string, AttributeValue>>,
  ) {}

  parse(): Condition {
    const condition = this.or();
    if (this.peek().kind !== 'eof') this.unexpected();
    return condition;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.position + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    this.position = Math.min(this.position + 1, this.tokens.length - 1);
    return token;
  }

  private unexpected(): never {
    const token = this.peek();
    const near = [this.tokens[this.position - 1]?.text, token.kind === 'eof' ? undefined : token.text, this.tokens[this.position + 1]?.kind === 'eof' ? undefined : this.tokens[this.position + 1]?.text];
    return syntaxError(token.text, near.filter((t) => t !== undefined).join(' '));
  }

  private expect(symbol: string): void {
    const token = this.peek();
    if (token.kind !== 'symbol' || token.text !== symbol) this.unexpected();
    this.next();
  }

  private unmodelled(part: string): never {
    throw new SimulatorError(
      `ConditionExpression "${this.expression}": ${part} is not modelled by the simulator (it models attribute_exists, attribute_not_exists, = <> < <= > >=, AND, OR, NOT, parentheses, #name and :value)`,
    );
  }

  private or(): Condition {
    let left = this.and();
    while (isKeyword(this.peek(), 'OR')) {
      this.next();
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Condition {
    let left = this.not();
    while (isKeyword(this.peek(), 'AND')) {
      this.next();
      left = { kind: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): Condition {
    if (isKeyword(this.peek(), 'NOT')) {
      this.next();
      return { kind: 'not', operand: this.not() };
    }
    return this.primary();
  }

  private primary(): Condition {
    const token = this.peek();
    if (token.kind === 'symbol' && token.text === '(') {
      this.next();
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    if (token.kind === 'name' && this.peek(1).text === '(' && (token.text === 'attribute_exists' || token.text === 'attribute_not_exists')) {
      this.next();
      this.next();
      if (this.peek().kind === 'value') fail('dynamodb', 'ValidationException', `Invalid ConditionExpression: Operator or function requires a document path; operator or function: ${token.text}`);
      const path = this.path();
      this.expect(')');
      return { kind: token.text === 'attribute_exists' ? 'exists' : 'notExists', path };
    }
    const left = this.operand();
    const operator = this.peek();
    if (operator.kind === 'name' && UNMODELLED_KEYWORDS.has(operator.text.toUpperCase())) this.unmodelled(`the ${operator.text.toUpperCase()} operator`);
    if (operator.kind !== 'symbol' || !COMPARATORS.has(operator.text)) this.unexpected();
    this.next();
    const right = this.operand();
    if (left.kind === 'value' && right.kind === 'value') this.unmodelled(`a comparison of two values without a document path (${operator.text})`);
    return { kind: 'compare', comparator: operator.text as Comparator, left, right };
  }

  private operand(): Operand {
    const token = this.peek();
    if (token.kind === 'value') {
      this.next();
      const value = this.values[token.text];
      if (value === undefined) fail('dynamodb', 'ValidationException', `Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: ${token.text}`);
      this.valuesUsed.add(token.text);
      return { kind: 'value', value };
    }
    return this.path();
  }

  private path(): Path {
    const segments: PathSegment[] = [this.pathName()];
    for (;;) {
      const token = this.peek();
      if (token.kind !== 'symbol' || (token.text !== '.' && token.text !== '[')) break;
      this.next();
      if (token.text === '.') segments.push(this.pathName());
      else {
        const index = this.peek();
        if (index.kind !== 'number') this.unexpected();
        this.next();
        this.expect(']');
        segments.push({ kind: 'index', index: Number.parseInt(index.text, 10) });
      }
    }
    return { kind: 'path', segments };
  }

  private pathName(): PathSegment {
    const token = this.peek();
    if (token.kind === 'placeholder') {
      this.next();
      const name = this.names[token.text];
      if (name === undefined) fail('dynamodb', 'ValidationException', `Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: ${token.text}`);
      this.namesUsed.add(token.text);
      return { kind: 'name', name };
    }
    if (token.kind !== 'name' || (isKeyword(token) && !UNMODELLED_KEYWORDS.has(token.text.toUpperCase()))) this.unexpected();
    if (this.peek(1).text === '(') {
      if (UNMODELLED_FUNCTIONS.has(token.text)) this.unmodelled(`the function ${token.text}`);
      fail('dynamodb', 'ValidationException', `Invalid ConditionExpression: Invalid function name; function: ${token.text}`);
    }
    if (DYNAMODB_RESERVED_WORDS.has(token.text.toUpperCase())) {
      fail('dynamodb', 'ValidationException', `Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: ${token.text}`);
    }
    this.next();
    return { kind: 'name', name: token.text };
  }
}

/**
 * Parses a condition expression, resolving its `#name` and `:value` placeholders; throws
 * DynamoDB's `ValidationException` for what DynamoDB refuses and a {@link SimulatorError} for
 * what the simulator does not model.
 */
export function parseCondition(expression: string, names: Readonly<Record<string, string>> = {}, values: Readonly<Record<string, AttributeValue>> = {}): ParsedCondition {
  if (expression.trim() === '') fail('dynamodb', 'ValidationException', 'Invalid ConditionExpression: The expression can not be empty;');
  const parser = new Parser(expression, tokenize(expression), names, values);
  const condition = parser.parse();
  return { condition, namesUsed: parser.namesUsed, valuesUsed: parser.valuesUsed };
}

/** One member of an attribute value, whatever its type (the SDK's union type has no index). */
function fieldOf(value: AttributeValue, type: TypeName): unknown {
  return (value as unknown as Record<string, unknown>)[type];
}

/** The type of an attribute value (`S`, `N`…), or undefined when it names none. */
export function typeOf(value: AttributeValue): TypeName | undefined {
  const present = TYPES.filter((type) => fieldOf(value, type) !== undefined);
  return present.length === 1 ? present[0] : undefined;
}

interface Decimal {
  readonly sign: -1 | 0 | 1;
  /** Significant digits, no leading or trailing zeros. */
  readonly digits: string;
  /** The value is 0.digits × 10^exponent. */
  readonly exponent: number;
}

/** DynamoDB's number syntax. */
export const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function decimal(text: string): Decimal {
  const match = /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (match === null) throw new SimulatorError(`Not a DynamoDB number: ${text}`);
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const all = `${whole}${fraction}`;
  const leading = all.length - all.replace(/^0+/, '').length;
  const digits = all.replace(/^0+/, '').replace(/0+$/, '');
  if (digits === '') return { sign: 0, digits: '', exponent: 0 };
  return { sign: sign === '-' ? -1 : 1, digits, exponent: whole.length - leading + Number.parseInt(exponent, 10) };
}

/** Compares two DynamoDB numbers exactly: negative, zero or positive. */
export function compareNumbers(a: string, b: string): number {
  const x = decimal(a);
  const y = decimal(b);
  if (x.sign !== y.sign) return x.sign - y.sign;
  if (x.sign === 0) return 0;
  let magnitude = x.exponent - y.exponent;
  if (magnitude === 0) {
    const width = Math.max(x.digits.length, y.digits.length);
    const [p, q] = [x.digits.padEnd(width, '0'), y.digits.padEnd(width, '0')];
    magnitude = p < q ? -1 : p > q ? 1 : 0;
  }
  return Math.sign(magnitude) * x.sign;
}

function bytesOf(value: unknown): Buffer {
  return value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(String(value), 'base64');
}

/** Compares two strings as DynamoDB does: by their UTF-8 bytes (not JavaScript's UTF-16 units). */
export function compareStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function sameMembers(a: readonly unknown[], b: readonly unknown[], equal: (x: unknown, y: unknown) => boolean): boolean {
  return a.length === b.length && a.every((x) => b.some((y) => equal(x, y)));
}

/** DynamoDB equality: same type and same value (numbers by value, sets in any order). */
export function attributeEquals(a: AttributeValue, b: AttributeValue): boolean {
  const type = typeOf(a);
  if (type === undefined || type !== typeOf(b)) return false;
  const x = fieldOf(a, type);
  const y = fieldOf(b, type);
  switch (type) {
    case 'N':
      return compareNumbers(x as string, y as string) === 0;
    case 'B':
      return bytesOf(x).equals(bytesOf(y));
    case 'SS':
      return sameMembers(x as string[], y as string[], (p, q) => p === q);
    case 'NS':
      return sameMembers(x as string[], y as string[], (p, q) => compareNumbers(p as string, q as string) === 0);
    case 'BS':
      return sameMembers(x as unknown[], y as unknown[], (p, q) => bytesOf(p).equals(bytesOf(q)));
    case 'L': {
      const [p, q] = [x as AttributeValue[], y as AttributeValue[]];
      return p.length === q.length && p.every((item, i) => attributeEquals(item, q[i] as AttributeValue));
    }
    case 'M': {
      const [p, q] = [x as Item, y as Item];
      const keys = Object.keys(p);
      return keys.length === Object.keys(q).length && keys.every((key) => q[key] !== undefined && attributeEquals(p[key] as AttributeValue, q[key]));
    }
    default:
      return x === y;
  }
}

/** Orders two values of the same scalar type (S, N or B); undefined when they cannot be ordered. */
function order(a: AttributeValue, b: AttributeValue): number | undefined {
  const type = typeOf(a);
  if (type !== typeOf(b)) return undefined;
  if (type === 'S') return compareStrings(a.S as string, b.S as string);
  if (type === 'N') return compareNumbers(a.N as string, b.N as string);
  if (type === 'B') return Buffer.compare(bytesOf(a.B), bytesOf(b.B));
  return undefined;
}

function resolvePath(item: Item | undefined, path: Path): AttributeValue | undefined {
  let current: AttributeValue | undefined;
  for (const [index, segment] of path.segments.entries()) {
    if (index === 0) {
      current = segment.kind === 'name' ? item?.[segment.name] : undefined;
    } else if (segment.kind === 'name') {
      current = current?.M?.[segment.name];
    } else {
      current = current?.L?.[segment.index];
    }
    if (current === undefined) return undefined;
  }
  return current;
}

function resolve(item: Item | undefined, operand: Operand): AttributeValue | undefined {
  return operand.kind === 'value' ? operand.value : resolvePath(item, operand);
}

/** Refuses, as DynamoDB does, an ordering against a `:value` of a type that has no order. */
export function checkOperandTypes(condition: Condition): void {
  if (condition.kind === 'and' || condition.kind === 'or') {
    checkOperandTypes(condition.left);
    checkOperandTypes(condition.right);
  } else if (condition.kind === 'not') {
    checkOperandTypes(condition.operand);
  } else if (condition.kind === 'compare' && condition.comparator !== '=' && condition.comparator !== '<>') {
    for (const operand of [condition.left, condition.right]) {
      const type = operand.kind === 'value' ? typeOf(operand.value) : undefined;
      if (type !== undefined && type !== 'S' && type !== 'N' && type !== 'B') {
        fail('dynamodb', 'ValidationException', `Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: ${condition.comparator}, operand type: ${type}`);
      }
    }
  }
}

/** Evaluates a parsed condition against the item as it is now (undefined: no such item). */
export function evaluateCondition(condition: Condition, item: Item | undefined): boolean {
  switch (condition.kind) {
    case 'and':
      return evaluateCondition(condition.left, item) && evaluateCondition(condition.right, item);
    case 'or':
      return evaluateCondition(condition.left, item) || evaluateCondition(condition.right, item);
    case 'not':
      return !evaluateCondition(condition.operand, item);
    case 'exists':
      return resolvePath(item, condition.path) !== undefined;
    case 'notExists':
      return resolvePath(item, condition.path) === undefined;
    case 'compare': {
      const left = resolve(item, condition.left);
      const right = resolve(item, condition.right);
      // Unconfirmed: `<>` with a missing operand is true (the attribute is "not equal" to the value).
      if (left === undefined || right === undefined) return condition.comparator === '<>';
      if (condition.comparator === '=') return attributeEquals(left, right);
      if (condition.comparator === '<>') return !attributeEquals(left, right);
      const sign = order(left, right);
      if (sign === undefined) return false;
      return condition.comparator === '<' ? sign < 0 : condition.comparator === '<=' ? sign <= 0 : condition.comparator === '>' ? sign > 0 : sign >= 0;
    }
  }
}
