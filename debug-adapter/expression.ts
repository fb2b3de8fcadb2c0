// The debugger's one expression language (watch, hover, REPL, breakpoint conditions, logpoints):
// the scenario language's expression grammar plus field access and kernel queries. Parsing never
// throws; evaluation reports errors as `EvaluationError`. Knows nothing of DAP or the kernel.

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>'
  | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or';

export type Expr =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'field'; readonly target: Expr; readonly field: string }
  | { readonly kind: 'index'; readonly target: Expr; readonly index: Expr }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[] }
  | { readonly kind: 'list'; readonly items: readonly Expr[] }
  | { readonly kind: 'unary'; readonly op: '-' | '~' | 'not'; readonly operand: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr };

/** A kernel object or a piece of plain-data kernel state, with where it lives in the state. */
export interface RecordValue {
  readonly kind: 'record';
  /** Kernel object id, or -1 for state that is not an object. */
  readonly id: number;
  readonly label: string;
  readonly data: unknown;
  /** Path from the kernel state root, for the Variables view and data breakpoints. */
  readonly path: readonly (string | number)[];
}

export type Value = number | string | boolean | RecordValue;

export class EvaluationError extends Error {}

export interface ParseResult {
  readonly expression?: Expr;
  readonly error?: string;
}

/** What names and calls mean; the debugger implements it over a stopped thread's frame. */
export interface EvaluationEnvironment {
  lookup(name: string): Value | undefined;
  /** `process.object`: an object of another process by its declared name. */
  qualified?(scope: string, name: string): Value | undefined;
  call(name: string, args: readonly Value[]): Value;
  field(target: Value, name: string): Value;
}

// ---------------------------------------------------------------------------------------------
// Lexer

type Token =
  | { kind: 'number'; value: number; start: number }
  | { kind: 'string'; value: string; start: number }
  | { kind: 'name'; value: string; start: number }
  | { kind: 'op'; value: string; start: number }
  | { kind: 'end'; value: ''; start: number };

const OPERATORS = ['<<', '>>', '==', '!=', '<=', '>=', '&&', '||', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '(', ')', '[', ']', ',', '.', ':'];
const SIZE_UNITS: Record<string, number> = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

function lex(text: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#' || (c === '/' && text[i + 1] === '/')) break;
    const start = i;
    if (/[0-9]/.test(c)) {
      let j = i;
      let radix = 10;
      if (c === '0' && /[xX]/.test(text[i + 1] ?? '')) {
        radix = 16;
        j = i + 2;
      } else if (c === '0' && /[bB]/.test(text[i + 1] ?? '')) {
        radix = 2;
        j = i + 2;
      }
      const digits = radix === 16 ? /[0-9a-fA-F_]/ : radix === 2 ? /[01_]/ : /[0-9_]/;
      const from = j;
      while (j < text.length && digits.test(text[j]!)) j++;
      const raw = text.slice(from, j).replace(/_/g, '');
      if (raw === '') return `malformed number at column ${start + 1}`;
      let value = radix === 10 ? Number(raw) : Number.parseInt(raw, radix);
      const unit = /^(KiB|MiB|GiB)/.exec(text.slice(j));
      if (unit) {
        value *= SIZE_UNITS[unit[1]!]!;
        j += unit[1]!.length;
      }
      if (/[A-Za-z_]/.test(text[j] ?? '')) return `malformed number at column ${start + 1}`;
      tokens.push({ kind: 'number', value, start });
      i = j;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_]/.test(text[j]!)) j++;
      tokens.push({ kind: 'name', value: text.slice(i, j), start });
      i = j;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) {
          const e = text[j + 1]!;
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e === '0' ? '\0' : e;
          j += 2;
          continue;
        }
        value += text[j];
        j++;
      }
      if (j >= text.length) return `unterminated string at column ${start + 1}`;
      tokens.push({ kind: 'string', value, start });
      i = j + 1;
      continue;
    }
    const op = OPERATORS.find((candidate) => text.startsWith(candidate, i));
    if (!op) return `unexpected character '${c}' at column ${start + 1}`;
    tokens.push({ kind: 'op', value: op, start });
    i += op.length;
  }
  tokens.push({ kind: 'end', value: '', start: text.length });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Parser (precedence climbing, as in docs/language.md)

const BINARY_PRECEDENCE: Record<string, number> = {
  or: 1, '||': 1,
  and: 2, '&&': 2,
  '==': 4, '!=': 4, '<': 4, '<=': 4, '>': 4, '>=': 4,
  '|': 5, '^': 6, '&': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private next(): Token {
    return this.tokens[this.position++]!;
  }

  private expectOp(value: string): void {
    const token = this.next();
    if (token.kind !== 'op' || token.value !== value) throw new EvaluationError(`expected '${value}' at column ${token.start + 1}`);
  }

  parseAll(): Expr {
    const expr = this.expression(0);
    const token = this.peek();
    if (token.kind !== 'end') throw new EvaluationError(`unexpected '${token.value}' at column ${token.start + 1}`);
    return expr;
  }

  expression(minPrecedence: number): Expr {
    let left = this.unary();
    for (;;) {
      const token = this.peek();
      const op = token.kind === 'op' || (token.kind === 'name' && (token.value === 'and' || token.value === 'or')) ? token.value : '';
      const precedence = BINARY_PRECEDENCE[op];
      if (precedence === undefined || precedence <= minPrecedence) return left;
      this.next();
      // Comparisons do not chain (as in the scenario language).
      const right = this.expression(precedence === 4 ? 4 : precedence);
      const normalized = (op === '&&' ? 'and' : op === '||' ? 'or' : op) as BinaryOp;
      left = { kind: 'binary', op: normalized, left, right };
    }
  }

  private unary(): Expr {
    const token = this.peek();
    if (token.kind === 'op' && (token.value === '-' || token.value === '~' || token.value === '!')) {
      this.next();
      return { kind: 'unary', op: token.value === '!' ? 'not' : token.value, operand: this.unary() };
    }
    if (token.kind === 'name' && token.value === 'not') {
      this.next();
      return { kind: 'unary', op: 'not', operand: this.unary() };
    }
    return this.postfix(this.primary());
  }

  private postfix(expr: Expr): Expr {
    for (;;) {
      const token = this.peek();
      if (token.kind === 'op' && token.value === '.') {
        this.next();
        const name = this.next();
        if (name.kind !== 'name' && name.kind !== 'number') throw new EvaluationError(`expected a field name at column ${name.start + 1}`);
        expr = { kind: 'field', target: expr, field: String(name.value) };
        continue;
      }
      if (token.kind === 'op' && token.value === '[') {
        this.next();
        const index = this.expression(0);
        this.expectOp(']');
        expr = { kind: 'index', target: expr, index };
        continue;
      }
      return expr;
    }
  }

  private primary(): Expr {
    const token = this.next();
    switch (token.kind) {
      case 'number':
        return { kind: 'number', value: token.value };
      case 'string':
        return { kind: 'string', value: token.value };
      case 'name': {
        if (token.value === 'true' || token.value === 'false') return { kind: 'boolean', value: token.value === 'true' };
        const after = this.peek();
        if (after.kind === 'op' && after.value === '(') {
          this.next();
          const args: Expr[] = [];
          if (!(this.peek().kind === 'op' && this.peek().value === ')')) {
            for (;;) {
              // Named arguments (`slot: 3`) are accepted and passed by position.
              const maybeName = this.peek();
              const colon = this.tokens[this.position + 1];
              if (maybeName.kind === 'name' && colon && colon.kind === 'op' && colon.value === ':') this.position += 2;
              args.push(this.expression(0));
              const separator = this.peek();
              if (separator.kind === 'op' && separator.value === ',') {
                this.next();
                continue;
              }
              break;
            }
          }
          this.expectOp(')');
          return { kind: 'call', name: token.value, args };
        }
        return { kind: 'name', name: token.value };
      }
      case 'op':
        if (token.value === '(') {
          const inner = this.expression(0);
          this.expectOp(')');
          return inner;
        }
        if (token.value === '[') {
          const items: Expr[] = [];
          if (!(this.peek().kind === 'op' && this.peek().value === ']')) {
            for (;;) {
              items.push(this.expression(0));
              const separator = this.peek();
              if (separator.kind === 'op' && separator.value === ',') {
                this.next();
                continue;
              }
              break;
            }
          }
          this.expectOp(']');
          return { kind: 'list', items };
        }
        throw new EvaluationError(`unexpected '${token.value}' at column ${token.start + 1}`);
      case 'end':
        throw new EvaluationError('the expression is empty or incomplete');
    }
  }
}

/** Parses an expression. Never throws. */
export function parseExpression(text: string): ParseResult {
  const tokens = lex(text);
  if (typeof tokens === 'string') return { error: tokens };
  try {
    return { expression: new Parser(tokens).parseAll() };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export function isRecord(value: Value): value is RecordValue {
  return typeof value === 'object';
}

function toNumber(value: Value, what: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (isRecord(value) && value.id >= 0) return value.id;
  throw new EvaluationError(`${what} is not a number`);
}

export function truthy(value: Value): boolean {
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.length > 0;
  return true;
}

function equal(left: Value, right: Value): boolean {
  if (typeof left === 'string' || typeof right === 'string') return String(displayPlain(left)) === String(displayPlain(right));
  if (isRecord(left) && isRecord(right)) return left.id >= 0 ? left.id === right.id : left.data === right.data;
  return toNumber(left, 'left side') === toNumber(right, 'right side');
}

function displayPlain(value: Value): string | number | boolean {
  return isRecord(value) ? value.label : value;
}

function bitwise(op: '&' | '|' | '^' | '<<' | '>>', a: number, b: number): number {
  const x = BigInt(Math.trunc(a));
  const y = BigInt(Math.trunc(b));
  const r = op === '&' ? x & y : op === '|' ? x | y : op === '^' ? x ^ y : op === '<<' ? x << y : x >> y;
  return Number(r);
}

export function evaluate(expr: Expr, env: EvaluationEnvironment): Value {
  switch (expr.kind) {
    case 'number':
    case 'string':
    case 'boolean':
      return expr.value;
    case 'list':
      return expr.items.length;
    case 'name': {
      const value = env.lookup(expr.name);
      if (value === undefined) throw new EvaluationError(`unknown name '${expr.name}'`);
      return value;
    }
    case 'field': {
      if (expr.target.kind === 'name' && env.qualified) {
        const value = env.qualified(expr.target.name, expr.field);
        if (value !== undefined) return value;
      }
      return env.field(evaluate(expr.target, env), expr.field);
    }
    case 'index': {
      const target = evaluate(expr.target, env);
      const index = toNumber(evaluate(expr.index, env), 'the index');
      return env.field(target, String(index));
    }
    case 'call':
      return env.call(expr.name, expr.args.map((arg) => evaluate(arg, env)));
    case 'unary': {
      const operand = evaluate(expr.operand, env);
      if (expr.op === 'not') return !truthy(operand);
      const n = toNumber(operand, 'the operand');
      return expr.op === '-' ? -n : bitwise('^', n, -1);
    }
    case 'binary': {
      if (expr.op === 'and') return truthy(evaluate(expr.left, env)) && truthy(evaluate(expr.right, env));
      if (expr.op === 'or') return truthy(evaluate(expr.left, env)) || truthy(evaluate(expr.right, env));
      const left = evaluate(expr.left, env);
      const right = evaluate(expr.right, env);
      switch (expr.op) {
        case '==':
          return equal(left, right);
        case '!=':
          return !equal(left, right);
        default:
          break;
      }
      if (expr.op === '+' && (typeof left === 'string' || typeof right === 'string')) return String(displayPlain(left)) + String(displayPlain(right));
      const a = toNumber(left, 'the left side');
      const b = toNumber(right, 'the right side');
      switch (expr.op) {
        case '<': return a < b;
        case '<=': return a <= b;
        case '>': return a > b;
        case '>=': return a >= b;
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '/':
          if (b === 0) throw new EvaluationError('division by zero');
          return Math.trunc(a / b);
        case '%':
          if (b === 0) throw new EvaluationError('division by zero');
          return a % b;
        case '&': case '|': case '^': case '<<': case '>>':
          return bitwise(expr.op, a, b);
      }
    }
  }
  throw new EvaluationError('cannot evaluate this expression');
}

/** Parses and evaluates; returns the value or an error message. */
export function evaluateText(text: string, env: EvaluationEnvironment): { value: Value } | { error: string } {
  const parsed = parseExpression(text);
  if (!parsed.expression) return { error: parsed.error ?? 'malformed expression' };
  try {
    return { value: evaluate(parsed.expression, env) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Names an expression uses at top level, for completions and condition checks. */
export function referencedNames(expr: Expr, out: Set<string> = new Set()): Set<string> {
  switch (expr.kind) {
    case 'name': out.add(expr.name); break;
    case 'field': referencedNames(expr.target, out); break;
    case 'index': referencedNames(expr.target, out); referencedNames(expr.index, out); break;
    case 'call': expr.args.forEach((a) => referencedNames(a, out)); break;
    case 'list': expr.items.forEach((a) => referencedNames(a, out)); break;
    case 'unary': referencedNames(expr.operand, out); break;
    case 'binary': referencedNames(expr.left, out); referencedNames(expr.right, out); break;
    default: break;
  }
  return out;
}
