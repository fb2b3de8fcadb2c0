// Compiles a ScenarioProgram for execution: each routine's statement tree is flattened into an
// instruction array (jumps for if/repeat/break/continue) and each expression into a closure, once,
// at kernel construction. Nothing here holds kernel state; closures read it through the context.

import type { BinaryOperator, Expression, ScenarioProgram, SourceLocation, Statement, SyscallInvocation } from './program';
import { BUILTINS, SYSCALLS } from './syscalls';
import type { KernelState, Thread } from './state';
import { compileXnuBuiltin } from './xnu/builtins';
import { MACH_BUILTIN_COMPILERS } from './mach/builtins';

/** What compiled code needs from the kernel while it runs (the Kernel implements it). */
export interface ExecContext {
  readonly state: KernelState;
  /** The thread whose code is being evaluated. */
  thread: Thread;
  /** Set when user code faulted during the current statement (-1: none). */
  faultAddress: number;
  faultReason: string;
  /** Reads through the current thread's mappings (charges memory cycles); NaN + fault on failure. */
  loadInt(address: number, size: 1 | 2 | 4 | 8, signed: boolean): number;
  storeInt(address: number, size: 1 | 2 | 4 | 8, value: number): void;
  storeBytes(address: number, bytes: Uint8Array): void;
  /** Virtual time of the CPU running the current thread. */
  now(): number;
  userFault(reason: string, address: number): void;
}

export type Evaluator = (cx: ExecContext) => number;

export const Op = {
  EVAL: 0,
  SYSCALL: 1,
  BUILTIN: 2,
  EXPECT: 3,
  PRINT: 4,
  JUMP: 5,
  JUMP_IF_FALSE: 6,
  REPEAT_INIT: 7,
  REPEAT_NEXT: 8,
  END: 9,
} as const;

/** One compiled syscall argument: a value, or a data list, or a capability list. */
export class CompiledArgument {
  constructor(
    readonly value: Evaluator | null,
    /** `data` lists: numbers (8-byte words) and byte strings. */
    readonly items: readonly (Evaluator | Uint8Array)[] | null,
  ) {}
}

export interface PrintPart {
  readonly text: string | null;
  readonly value: Evaluator | null;
}

/** One flattened instruction. Every instruction has the same shape (monomorphic dispatch). */
export class Instruction {
  op: number;
  loc: SourceLocation;
  /** Destination local slot (EVAL, SYSCALL with a result), or the counter slot (REPEAT_*). */
  slot = -1;
  /** Named iteration slot of a repeat, or -1. */
  iterationSlot = -1;
  /** Hidden slot holding a repeat's limit. */
  limitSlot = -1;
  expression: Evaluator | null = null;
  /** EXPECT: the two sides of a comparison, for failure values. */
  left: Evaluator | null = null;
  right: Evaluator | null = null;
  leftText = '';
  rightText = '';
  target = -1;
  /** SYSCALL: index into SYSCALLS; BUILTIN: index into BUILTINS. */
  callee = -1;
  /** SYSCALL: arguments in the spec's parameter order (null = not given). */
  arguments: (CompiledArgument | null)[] = [];
  /** BUILTIN procedure arguments; `bytes` for store_bytes. */
  builtinArguments: Evaluator[] = [];
  bytes: Uint8Array | null = null;
  text = '';
  parts: PrintPart[] = [];
  constructor(op: number, loc: SourceLocation) {
    this.op = op;
    this.loc = loc;
  }
}

export interface CompiledRoutine {
  readonly index: number;
  readonly name: string;
  readonly owner: number;
  readonly params: readonly string[];
  readonly instructions: readonly Instruction[];
  readonly frameSize: number;
  readonly slotNames: readonly string[];
}

export interface CompiledProgram {
  readonly routines: readonly CompiledRoutine[];
  /** The largest frame of any routine (every thread's locals array has this length). */
  readonly maxFrameSize: number;
  /** Per process: object index -> capability slot of its boot capability, or -1. */
  readonly capabilitySlots: readonly (readonly number[])[];
}

const SYSCALL_INDEX = new Map(SYSCALLS.map((spec, index) => [spec.name, index]));
const BUILTIN_INDEX = new Map(BUILTINS.map((spec, index) => [spec.name, index]));

// ---------------------------------------------------------------------------------------------
// Integer helpers: JavaScript bitwise operators are 32-bit, so wide values go through BigInt.

function isInt32(value: number): boolean {
  return (value | 0) === value;
}
function big(value: number): bigint {
  return Number.isFinite(value) ? BigInt(Math.trunc(value)) : 0n;
}
function bitwise(op: '&' | '|' | '^' | '<<' | '>>', a: number, b: number): number {
  if (isInt32(a) && isInt32(b) && op !== '<<' && op !== '>>') {
    return op === '&' ? a & b : op === '|' ? a | b : a ^ b;
  }
  if (op === '<<' && isInt32(a) && a >= 0 && b >= 0 && b < 53) {
    const r = a * 2 ** b;
    if (Number.isSafeInteger(r)) return r;
  }
  if (op === '>>' && b >= 0 && b < 64 && a >= 0 && Number.isSafeInteger(a)) return Math.floor(a / 2 ** b);
  const x = big(a);
  // Shift counts wrap like a 64-bit shifter's (and keep BigInt shifts bounded).
  const y = op === '<<' || op === '>>' ? BigInt.asUintN(6, big(b)) : big(b);
  let r: bigint;
  switch (op) {
    case '&':
      r = x & y;
      break;
    case '|':
      r = x | y;
      break;
    case '^':
      r = x ^ y;
      break;
    case '<<':
      r = x << y;
      break;
    default:
      r = x >> y;
  }
  return Number(BigInt.asIntN(64, r));
}

/**
 * Whether an expression is made of literals and constants only, with no operation that can
 * fault (division and remainder by a zero constant fault at run time, so they are not constant).
 */
function isConstantExpression(expr: Expression): boolean {
  switch (expr.kind) {
    case 'number':
    case 'constant':
    case 'boolean':
      return true;
    case 'unary':
      return isConstantExpression(expr.operand);
    case 'binary':
      if (!isConstantExpression(expr.left) || !isConstantExpression(expr.right)) return false;
      if (expr.op === '/' || expr.op === '%') {
        const divisor = constantValue(expr.right); // NaN unless a literal
        return divisor === divisor && divisor !== 0;
      }
      return true;
    default:
      return false;
  }
}

function constantValue(expr: Expression): number {
  switch (expr.kind) {
    case 'number':
    case 'constant':
      return expr.value;
    case 'boolean':
      return expr.value ? 1 : 0;
    default:
      return Number.NaN;
  }
}

/** Renders an expression back to text (for expectation values); names objects when given the program. */
export function expressionText(expr: Expression, program?: ScenarioProgram): string {
  const text = (e: Expression): string => expressionText(e, program);
  switch (expr.kind) {
    case 'number':
      return String(expr.value);
    case 'bytes':
      return JSON.stringify(latin1(expr.value));
    case 'boolean':
      return String(expr.value);
    case 'local':
      return expr.name;
    case 'register':
      return expr.register;
    case 'object':
    case 'objectRef': {
      const object = program?.objects[expr.object];
      return object ? `${program!.processes[object.owner]?.name ?? '?'}.${object.name}` : `object#${expr.object}`;
    }
    case 'process':
      return program?.processes[expr.process]?.name ?? `process#${expr.process}`;
    case 'constant':
      return expr.name;
    case 'list':
      return `[${expr.items.map(text).join(', ')}]`;
    case 'unary':
      return expr.op === 'not' ? `not ${text(expr.operand)}` : `${expr.op}${text(expr.operand)}`;
    case 'binary':
      return `${text(expr.left)} ${expr.op} ${text(expr.right)}`;
    case 'builtin':
      return `${expr.name}(${expr.args.map(text).join(', ')})`;
  }
}

export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Expressions

export class ExpressionCompiler {
  constructor(private readonly capabilitySlots: readonly (readonly number[])[]) {}

  /** Compiles an expression evaluated by code of process `owner` as a number. */
  compile(expr: Expression, owner: number): Evaluator {
    switch (expr.kind) {
      case 'number':
      case 'constant': {
        const v = expr.value;
        return () => v;
      }
      case 'boolean': {
        const v = expr.value ? 1 : 0;
        return () => v;
      }
      case 'bytes':
      case 'list': {
        const v = expr.kind === 'bytes' ? expr.value.length : expr.items.length;
        return () => v;
      }
      case 'local': {
        const slot = expr.slot;
        return (cx) => cx.thread.locals[slot]!;
      }
      case 'register':
        switch (expr.register) {
          case 'pc':
            return (cx) => threadPc(cx.thread);
          case 'sp':
            return (cx) => cx.thread.sp;
          case 'arg0':
            return (cx) => cx.thread.arg0;
          case 'arg1':
            return (cx) => cx.thread.arg1;
          case 'arg2':
            return (cx) => cx.thread.arg2;
          case 'arg3':
            return (cx) => cx.thread.arg3;
          default:
            return (cx) => cx.thread.ret;
        }
      case 'object': {
        const slot = this.capabilitySlots[owner]?.[expr.object] ?? -1;
        return () => slot;
      }
      case 'objectRef': {
        const object = expr.object;
        return (cx) => cx.state.bootObjects[object] ?? 0;
      }
      case 'process': {
        const process = expr.process;
        return (cx) => cx.state.processGroups[process] ?? 0;
      }
      case 'unary': {
        const operand = this.compile(expr.operand, owner);
        if (expr.op === '-') return (cx) => -operand(cx);
        if (expr.op === 'not') return (cx) => (operand(cx) ? 0 : 1);
        return (cx) => {
          const v = operand(cx);
          return isInt32(v) ? ~v : Number(BigInt.asIntN(64, ~big(v)));
        };
      }
      case 'binary': {
        const evaluator = this.binary(expr.op, this.compile(expr.left, owner), this.compile(expr.right, owner));
        // Constant operands (`MACH_SEND_MSG | MACH_RCV_MSG`): evaluated once, here. Such an
        // evaluator reads nothing from the context and cannot fault (a division by a constant 0
        // is left to run time, where it faults).
        if (isConstantExpression(expr)) {
          const v = evaluator(null as unknown as ExecContext);
          return () => v;
        }
        return evaluator;
      }
      case 'builtin':
        return this.builtin(expr.name, expr.args, owner);
    }
  }

  /**
   * Compiles an argument that names an object identity (a kernel-state query, `kill`, `cap_copy`
   * targets): object names and processes give their object id; other values are taken as a
   * capability slot of the current process when `slotsAreCapabilities`, else as an object id.
   */
  compileIdentity(expr: Expression, owner: number, slotsAreCapabilities: boolean): Evaluator {
    if (expr.kind === 'object' || expr.kind === 'objectRef') {
      const object = expr.object;
      return (cx) => cx.state.bootObjects[object] ?? 0;
    }
    if (expr.kind === 'process') {
      const process = expr.process;
      return (cx) => cx.state.processGroups[process] ?? 0;
    }
    const value = this.compile(expr, owner);
    if (!slotsAreCapabilities) return value;
    return (cx) => {
      const slot = value(cx);
      const group = cx.state.groups[cx.thread.group]!;
      return slot >= 0 && slot < group.slots.length ? group.slots[slot]! : 0;
    };
  }

  private binary(op: BinaryOperator, a: Evaluator, b: Evaluator): Evaluator {
    switch (op) {
      case '+':
        return (cx) => a(cx) + b(cx);
      case '-':
        return (cx) => a(cx) - b(cx);
      case '*':
        return (cx) => a(cx) * b(cx);
      case '/':
        return (cx) => {
          const x = a(cx);
          const y = b(cx);
          if (y === 0) {
            cx.userFault('division by zero', 0);
            return 0;
          }
          return Math.trunc(x / y);
        };
      case '%':
        return (cx) => {
          const x = a(cx);
          const y = b(cx);
          if (y === 0) {
            cx.userFault('division by zero', 0);
            return 0;
          }
          return x % y;
        };
      // 32-bit operands take JavaScript's operators directly; wide ones go through bitwise().
      case '&':
        return (cx) => {
          const x = a(cx);
          const y = b(cx);
          return (x | 0) === x && (y | 0) === y ? x & y : bitwise('&', x, y);
        };
      case '|':
        return (cx) => {
          const x = a(cx);
          const y = b(cx);
          return (x | 0) === x && (y | 0) === y ? x | y : bitwise('|', x, y);
        };
      case '^':
        return (cx) => {
          const x = a(cx);
          const y = b(cx);
          return (x | 0) === x && (y | 0) === y ? x ^ y : bitwise('^', x, y);
        };
      case '<<':
      case '>>':
        return (cx) => bitwise(op, a(cx), b(cx));
      case '==':
        return (cx) => (a(cx) === b(cx) ? 1 : 0);
      case '!=':
        return (cx) => (a(cx) !== b(cx) ? 1 : 0);
      case '<':
        return (cx) => (a(cx) < b(cx) ? 1 : 0);
      case '<=':
        return (cx) => (a(cx) <= b(cx) ? 1 : 0);
      case '>':
        return (cx) => (a(cx) > b(cx) ? 1 : 0);
      case '>=':
        return (cx) => (a(cx) >= b(cx) ? 1 : 0);
      case 'and':
        return (cx) => (a(cx) && b(cx) ? 1 : 0);
      case 'or':
        return (cx) => (a(cx) || b(cx) ? 1 : 0);
    }
  }

  private builtin(name: string, args: readonly Expression[], owner: number): Evaluator {
    const arg = (i: number): Evaluator => (args[i] ? this.compile(args[i]!, owner) : () => 0);
    switch (name) {
      case 'load8':
      case 'load16':
      case 'load32':
      case 'load64': {
        const size = (name === 'load8' ? 1 : name === 'load16' ? 2 : name === 'load32' ? 4 : 8) as 1 | 2 | 4 | 8;
        const address = arg(0);
        return (cx) => cx.loadInt(address(cx), size, false);
      }
      case 'msg_data_len': {
        const msg = arg(0);
        return (cx) => cx.loadInt(msg(cx), 4, false);
      }
      case 'msg_cap_count': {
        const msg = arg(0);
        return (cx) => cx.loadInt(msg(cx) + 4, 4, false);
      }
      case 'msg_data':
        return messageElement(arg(0), arg(1), 8, 8, false);
      case 'msg_cap':
        return messageElement(arg(0), arg(1), 12, 4, true);
      case 'thread_state':
      case 'exit_state': {
        const object = args[0] ? this.compileIdentity(args[0], owner, false) : () => 0;
        const exit = name === 'exit_state';
        return (cx) => {
          const thread = cx.state.threads[object(cx)];
          if (!thread) return -1;
          return exit ? thread.exitState : thread.state;
        };
      }
      case 'conn_valid': {
        const cap = arg(0);
        return (cx) => {
          const group = cx.state.groups[cx.thread.group]!;
          const slot = cap(cx);
          const id = slot >= 0 && slot < group.slots.length ? group.slots[slot]! : 0;
          const conn = cx.state.connections[id];
          return conn && conn.isValid ? 1 : 0;
        };
      }
      case 'cap_object': {
        const process = args[0] ? this.compileIdentity(args[0], owner, false) : () => 0;
        const slot = arg(1);
        return (cx) => {
          const group = cx.state.groups[process(cx)];
          const s = slot(cx);
          if (!group || s < 0 || s >= group.slots.length) return 0;
          return group.slots[s]!;
        };
      }
      case 'object_of': {
        const slot = arg(0);
        return (cx) => {
          const group = cx.state.groups[cx.thread.group]!;
          const s = slot(cx);
          return s >= 0 && s < group.slots.length ? group.slots[s]! : 0;
        };
      }
      case 'cap_count': {
        const process = args[0] ? this.compileIdentity(args[0], owner, false) : () => 0;
        return (cx) => {
          const group = cx.state.groups[process(cx)];
          if (!group) return 0;
          let n = 0;
          for (const id of group.slots) if (id !== 0) n++;
          return n;
        };
      }
      case 'now':
        return (cx) => cx.now();
      default: {
        const xnu = compileXnuBuiltin(name, arg);
        if (xnu) return xnu;
        const mach = MACH_BUILTIN_COMPILERS.get(name);
        if (mach) return mach(args, owner, this);
        const message = `unknown builtin ${name}`;
        return (cx) => {
          cx.userFault(message, 0);
          return 0;
        };
      }
    }
  }

  compileArgument(kind: string, expr: Expression, owner: number): CompiledArgument {
    if (kind === 'data') {
      const list = expr.kind === 'list' ? expr.items : [expr];
      return new CompiledArgument(
        null,
        list.map((item) => (item.kind === 'bytes' ? item.value : this.compile(item, owner))),
      );
    }
    if (kind === 'capabilities') {
      const list = expr.kind === 'list' ? expr.items : [expr];
      return new CompiledArgument(null, list.map((item) => this.compile(item, owner)));
    }
    if (kind === 'process' || kind === 'target') {
      return new CompiledArgument(this.compileIdentity(expr, owner, true), null);
    }
    return new CompiledArgument(this.compile(expr, owner), null);
  }
}

export function threadPc(thread: Thread): number {
  if (thread.routine < 0) return thread.badPc;
  return 0x40_0000 + thread.routine * 0x1_0000 + thread.ip;
}

// ---------------------------------------------------------------------------------------------
// Statements

export function compileProgram(program: ScenarioProgram): CompiledProgram {
  const capabilitySlots = program.processes.map((declaration, index) => {
    const slots: number[] = new Array<number>(program.objects.length).fill(-1);
    declaration.caps.forEach((cap, i) => {
      if (cap.object >= 0 && slots[cap.object] === -1) slots[cap.object] = i + 2;
    });
    void index;
    return slots;
  });
  const expressions = new ExpressionCompiler(capabilitySlots);
  let maxFrameSize = 1;
  const routines = program.routines.map((routine, index) => {
    const builder = new RoutineBuilder(expressions, routine.owner, routine.frameSize, program);
    builder.block(routine.body);
    const end = new Instruction(Op.END, endLocation(routine.loc));
    builder.instructions.push(end);
    const frameSize = builder.nextHidden;
    if (frameSize > maxFrameSize) maxFrameSize = frameSize;
    const compiled: CompiledRoutine = {
      index,
      name: routine.name,
      owner: routine.owner,
      params: routine.params,
      instructions: builder.instructions,
      frameSize,
      slotNames: routine.slotNames,
    };
    return compiled;
  });
  return { routines, maxFrameSize, capabilitySlots };
}

/**
 * An ipc_msg array element: the array's offset is the 4-byte header field at `offsetField`, the
 * elements are `size` bytes; 0 when the header read faults.
 */
function messageElement(msg: Evaluator, index: Evaluator, offsetField: number, size: 4 | 8, signed: boolean): Evaluator {
  return (cx) => {
    const m = msg(cx);
    const offset = cx.loadInt(m + offsetField, 4, false);
    if (cx.faultAddress >= 0) return 0;
    return cx.loadInt(m + offset + size * index(cx), size, signed);
  };
}

function endLocation(loc: SourceLocation): SourceLocation {
  return { file: loc.file, line: loc.endLine, column: Math.max(1, loc.endColumn - 1), endLine: loc.endLine, endColumn: loc.endColumn };
}

class RoutineBuilder {
  readonly instructions: Instruction[] = [];
  nextHidden: number;
  private readonly loops: { breaks: Instruction[]; continues: Instruction[] }[] = [];

  constructor(
    private readonly expressions: ExpressionCompiler,
    private readonly owner: number,
    frameSize: number,
    private readonly program: ScenarioProgram,
  ) {
    this.nextHidden = frameSize;
  }

  block(statements: readonly Statement[]): void {
    for (const statement of statements) this.statement(statement);
  }

  private emit(op: number, loc: SourceLocation): Instruction {
    const instruction = new Instruction(op, loc);
    this.instructions.push(instruction);
    return instruction;
  }

  private syscall(call: SyscallInvocation, slot: number, loc: SourceLocation): void {
    const instruction = this.emit(Op.SYSCALL, loc);
    instruction.slot = slot;
    const index = SYSCALL_INDEX.get(call.name) ?? -1;
    instruction.callee = index;
    instruction.text = call.name;
    if (index >= 0) {
      instruction.arguments = SYSCALLS[index]!.params.map((param) => {
        const expr = call.args[param.name];
        return expr ? this.expressions.compileArgument(param.kind, expr, this.owner) : null;
      });
    }
  }

  private statement(statement: Statement): void {
    switch (statement.kind) {
      case 'let':
      case 'assign': {
        if (statement.isSyscall) {
          this.syscall(statement.value as SyscallInvocation, statement.slot, statement.loc);
        } else {
          const instruction = this.emit(Op.EVAL, statement.loc);
          instruction.slot = statement.slot;
          instruction.expression = this.expressions.compile(statement.value as Expression, this.owner);
        }
        return;
      }
      case 'syscall':
        this.syscall(statement.call, -1, statement.loc);
        return;
      case 'builtin': {
        const instruction = this.emit(Op.BUILTIN, statement.loc);
        instruction.callee = BUILTIN_INDEX.get(statement.name) ?? -1;
        instruction.text = statement.name;
        instruction.builtinArguments = statement.args.map((arg) => this.expressions.compile(arg, this.owner));
        const last = statement.args[statement.args.length - 1];
        if (statement.name === 'store_bytes' && last?.kind === 'bytes') instruction.bytes = last.value;
        return;
      }
      case 'expect': {
        const instruction = this.emit(Op.EXPECT, statement.loc);
        instruction.text = statement.text;
        const condition = statement.condition;
        instruction.expression = this.expressions.compile(condition, this.owner);
        if (condition.kind === 'binary' && ['==', '!=', '<', '<=', '>', '>='].includes(condition.op)) {
          instruction.left = this.expressions.compile(condition.left, this.owner);
          instruction.right = this.expressions.compile(condition.right, this.owner);
          instruction.leftText = expressionText(condition.left, this.program);
          instruction.rightText = expressionText(condition.right, this.program);
        } else {
          instruction.leftText = expressionText(condition, this.program);
        }
        return;
      }
      case 'print': {
        const instruction = this.emit(Op.PRINT, statement.loc);
        instruction.parts = statement.parts.map((part) =>
          part.kind === 'bytes' ? { text: latin1(part.value), value: null } : { text: null, value: this.expressions.compile(part, this.owner) },
        );
        return;
      }
      case 'if': {
        const test = this.emit(Op.JUMP_IF_FALSE, statement.loc);
        test.expression = this.expressions.compile(statement.condition, this.owner);
        this.block(statement.then);
        if (statement.else.length > 0) {
          const skip = this.emit(Op.JUMP, statement.loc);
          test.target = this.instructions.length;
          this.block(statement.else);
          skip.target = this.instructions.length;
        } else {
          test.target = this.instructions.length;
        }
        return;
      }
      case 'repeat': {
        const init = this.emit(Op.REPEAT_INIT, statement.loc);
        init.slot = statement.counterSlot;
        init.iterationSlot = statement.slot;
        init.limitSlot = this.nextHidden++;
        init.expression = this.expressions.compile(statement.count, this.owner);
        const bodyStart = this.instructions.length;
        const loop = { breaks: [] as Instruction[], continues: [] as Instruction[] };
        this.loops.push(loop);
        this.block(statement.body);
        this.loops.pop();
        const next = this.emit(Op.REPEAT_NEXT, statement.loc);
        next.slot = init.slot;
        next.iterationSlot = init.iterationSlot;
        next.limitSlot = init.limitSlot;
        next.target = bodyStart;
        const end = this.instructions.length;
        init.target = end;
        for (const b of loop.breaks) b.target = end;
        for (const c of loop.continues) c.target = end - 1;
        return;
      }
      case 'break':
      case 'continue': {
        const jump = this.emit(Op.JUMP, statement.loc);
        const loop = this.loops[this.loops.length - 1];
        if (!loop) {
          jump.target = this.instructions.length;
          return;
        }
        (statement.kind === 'break' ? loop.breaks : loop.continues).push(jump);
        return;
      }
    }
  }
}
