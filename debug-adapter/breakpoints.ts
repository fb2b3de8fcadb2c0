// Breakpoint bookkeeping: line, function (syscall and kernel step), exception and data
// breakpoints, with verification, conditions, hit counts and logpoints. Knows nothing of DAP.

import type { SyscallImplementation } from '../kernel/syscall-types';
import { SYSCALLS } from '../kernel/syscalls';
import { parseExpression } from './expression';

export interface BreakpointOptions {
  readonly condition?: string;
  readonly hitCondition?: string;
  readonly logMessage?: string;
}

interface Counted extends BreakpointOptions {
  readonly id: number;
  hits: number;
  verified: boolean;
  message?: string;
}

export interface LineBreakpoint extends Counted {
  readonly requestedLine: number;
  line: number;
  column?: number;
}

/** What a function breakpoint stops at: a syscall's entry, or one named kernel step. */
export type FunctionTarget =
  | { readonly kind: 'syscall'; readonly syscall: string; /** An alias's fixed argument (`tock_discover`: command 1). */ readonly when?: { readonly argument: string; readonly value: number } }
  | { readonly kind: 'step'; readonly syscall: string | null; readonly step: string };

export interface FunctionBreakpoint extends Counted {
  readonly name: string;
  readonly targets: readonly FunctionTarget[];
}

export interface DataBreakpoint extends Counted {
  readonly dataId: string;
  last: string;
}

export const EXCEPTION_FILTERS = [
  { filter: 'syscall-error', label: 'Syscall errors', description: 'Stop when a syscall returns an error code; the condition names the code (-EIPCRETRY, == -199).', supportsCondition: true, conditionDescription: 'An error code such as -EIPCRETRY, or a comparison with the code (== -199, != -EINVAL); several codes separated by commas.' },
  { filter: 'expectation', label: 'Failed expectations', description: 'Stop when an `expect` fails.', default: true },
  { filter: 'kernel-fault', label: 'Kernel faults', description: 'Stop on a kernel fault: a seed BUG_ON, panic, assert or bad dereference (ChCore, Mach/XNU, Tock), and a Tock process\'s MPU fault.', default: true },
  { filter: 'thread-fault', label: 'Thread faults', description: 'Stop when a thread faults in user mode.', default: true },
  { filter: 'deadlock', label: 'Deadlock', description: 'Stop when no thread can run but some wait in a syscall.', default: true },
] as const;

export type ExceptionFilterId = (typeof EXCEPTION_FILTERS)[number]['filter'];

export function isExceptionFilter(id: string): id is ExceptionFilterId {
  return EXCEPTION_FILTERS.some((f) => f.filter === id);
}

/** `hitCondition`: `N` (from the N-th hit on), `== N`, `> N`, `>= N`, `< N`, `<= N`, `% N`. */
export function parseHitCondition(text: string): ((hits: number) => boolean) | string {
  const match = /^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!match) return `hit count condition '${text}' is not one of N, == N, > N, >= N, < N, <= N, % N`;
  const n = Number(match[2]);
  switch (match[1]) {
    case '==': return (hits) => hits === n;
    case '>': return (hits) => hits > n;
    case '<': return (hits) => hits < n;
    case '<=': return (hits) => hits <= n;
    case '%': return (hits) => n > 0 && hits % n === 0;
    default: return (hits) => hits >= n;
  }
}

/** Checks the syntax of a condition and a hit condition; returns a message for the first problem. */
export function checkOptions(options: BreakpointOptions): string | undefined {
  if (options.condition && options.condition.trim() !== '') {
    const parsed = parseExpression(options.condition);
    if (parsed.error) return `condition: ${parsed.error}`;
  }
  if (options.hitCondition && options.hitCondition.trim() !== '') {
    const hit = parseHitCondition(options.hitCondition);
    if (typeof hit === 'string') return hit;
  }
  if (options.logMessage) {
    for (const part of interpolationParts(options.logMessage)) {
      if (typeof part !== 'string') {
        const parsed = parseExpression(part.expression);
        if (parsed.error) return `log message {${part.expression}}: ${parsed.error}`;
      }
    }
  }
  return undefined;
}

/** Splits a log message into text and `{expression}` parts. */
export function interpolationParts(message: string): (string | { expression: string })[] {
  const parts: (string | { expression: string })[] = [];
  let text = '';
  for (let i = 0; i < message.length; i++) {
    const c = message[i]!;
    if (c === '{') {
      const end = message.indexOf('}', i);
      if (end < 0) {
        text += message.slice(i);
        break;
      }
      if (text) parts.push(text);
      text = '';
      parts.push({ expression: message.slice(i + 1, end) });
      i = end;
    } else text += c;
  }
  if (text) parts.push(text);
  return parts;
}

/**
 * Names for one use of a multiplexed syscall: a breakpoint on the syscall whose argument has this
 * value. Tock's IPC capsule is one `command` syscall (driver 0x10000) with a command number.
 */
export const SYSCALL_ALIASES: ReadonlyMap<string, { readonly syscall: string; readonly argument: string; readonly value: number }> = new Map([
  ['tock_discover', { syscall: 'tock_command', argument: 'command', value: 1 }],
  ['tock_notify_service', { syscall: 'tock_command', argument: 'command', value: 2 }],
  ['tock_notify_client', { syscall: 'tock_command', argument: 'command', value: 3 }],
]);

/** Resolves a function breakpoint name against the syscall table and the kernel's step names. */
export function resolveFunctionName(name: string, implementations: readonly (SyscallImplementation | null)[]): FunctionTarget[] {
  const trimmed = name.trim();
  const targets: FunctionTarget[] = [];
  const spec = SYSCALLS.find((s) => s.kernelName === trimmed || s.name === trimmed);
  if (spec) targets.push({ kind: 'syscall', syscall: spec.kernelName });
  const alias = SYSCALL_ALIASES.get(trimmed);
  const aliased = alias ? SYSCALLS.find((s) => s.name === alias.syscall) : undefined;
  if (alias && aliased) targets.push({ kind: 'syscall', syscall: aliased.kernelName, when: { argument: alias.argument, value: alias.value } });
  // `sys_ipc_call:step`, `sys_ipc_call.step`, `sys_ipc_call › step` or a bare step name.
  const qualified = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?::|\.|›|\/)\s*(.+)$/.exec(trimmed);
  for (const impl of implementations) {
    if (!impl) continue;
    for (const step of impl.stepNames) {
      const base = step.replace(/\(.*$/, '').replace(/:.*$/, '').trim();
      if (qualified && (qualified[1] === impl.kernelName || qualified[1] === impl.name) && (qualified[2] === step || qualified[2] === base)) {
        targets.push({ kind: 'step', syscall: impl.kernelName, step });
      } else if (trimmed === step || trimmed === base) {
        targets.push({ kind: 'step', syscall: null, step });
      }
    }
  }
  // A bare step name shared by several syscalls matches each; dedupe.
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = t.kind === 'syscall' ? `s:${t.syscall}:${t.when ? `${t.when.argument}=${t.when.value}` : ''}` : `k:${t.syscall ?? '*'}:${t.step}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export class BreakpointStore {
  private nextId = 1;
  /** Line breakpoints of the scenario file, by line. */
  private readonly lines = new Map<number, LineBreakpoint[]>();
  /** Breakpoints set in kernel pseudo-code sources, as step targets. */
  private kernelSourceBreakpoints: FunctionBreakpoint[] = [];
  functionBreakpoints: FunctionBreakpoint[] = [];
  dataBreakpoints: DataBreakpoint[] = [];
  readonly exceptionFilters = new Map<ExceptionFilterId, string | undefined>();

  constructor(private readonly statementLines: ReadonlyMap<number, readonly number[]>) {
    for (const f of EXCEPTION_FILTERS) if ('default' in f && f.default) this.exceptionFilters.set(f.filter, undefined);
  }

  allocateId(): number {
    return this.nextId++;
  }

  /** Replaces the scenario file's line breakpoints; lines without a statement stay unverified. */
  setLineBreakpoints(requests: readonly (BreakpointOptions & { line: number; column?: number })[]): LineBreakpoint[] {
    this.lines.clear();
    return requests.map((request) => {
      const columns = this.statementLines.get(request.line);
      const problem = checkOptions(request);
      const breakpoint: LineBreakpoint = {
        id: this.nextId++,
        requestedLine: request.line,
        line: request.line,
        hits: 0,
        verified: columns !== undefined && problem === undefined,
        ...(request.condition ? { condition: request.condition } : {}),
        ...(request.hitCondition ? { hitCondition: request.hitCondition } : {}),
        ...(request.logMessage ? { logMessage: request.logMessage } : {}),
      };
      if (columns === undefined) breakpoint.message = `line ${request.line} has no statement`;
      else if (problem !== undefined) breakpoint.message = problem;
      else {
        breakpoint.column = columns[0]!;
        const list = this.lines.get(request.line) ?? [];
        list.push(breakpoint);
        this.lines.set(request.line, list);
      }
      return breakpoint;
    });
  }

  lineBreakpointsAt(line: number): readonly LineBreakpoint[] | undefined {
    return this.lines.get(line);
  }

  hasLineBreakpoints(): boolean {
    return this.lines.size > 0;
  }

  setFunctionBreakpoints(requests: readonly (BreakpointOptions & { name: string })[], implementations: readonly (SyscallImplementation | null)[]): FunctionBreakpoint[] {
    this.functionBreakpoints = requests.map((request) => {
      const targets = resolveFunctionName(request.name, implementations);
      const problem = checkOptions(request);
      const breakpoint: FunctionBreakpoint = {
        id: this.nextId++,
        name: request.name,
        targets,
        hits: 0,
        verified: targets.length > 0 && problem === undefined,
        ...(request.condition ? { condition: request.condition } : {}),
        ...(request.hitCondition ? { hitCondition: request.hitCondition } : {}),
      };
      if (targets.length === 0) breakpoint.message = `no syscall or kernel step is named '${request.name}'`;
      else if (problem !== undefined) breakpoint.message = problem;
      return breakpoint;
    });
    return this.functionBreakpoints;
  }

  setKernelSourceBreakpoints(breakpoints: FunctionBreakpoint[]): void {
    this.kernelSourceBreakpoints = breakpoints;
  }

  kernelSourceBreakpointsFor(syscall: string): FunctionBreakpoint[] {
    return this.kernelSourceBreakpoints.filter((b) => b.targets.some((t) => t.kind === 'step' && t.syscall === syscall));
  }

  /** Function breakpoints at a syscall's entry; `argument` reads the call's arguments for aliases. */
  syscallBreakpoints(kernelName: string, argument: (name: string) => unknown = () => undefined): FunctionBreakpoint[] {
    if (this.functionBreakpoints.length === 0) return [];
    return this.functionBreakpoints.filter(
      (b) => b.verified && b.targets.some((t) => t.kind === 'syscall' && t.syscall === kernelName && (t.when === undefined || argument(t.when.argument) === t.when.value)),
    );
  }

  /** Function breakpoints (and kernel-source breakpoints) on a kernel step. */
  stepBreakpoints(kernelName: string, step: string): FunctionBreakpoint[] {
    const all = this.kernelSourceBreakpoints.length > 0 ? [...this.functionBreakpoints, ...this.kernelSourceBreakpoints] : this.functionBreakpoints;
    if (all.length === 0) return [];
    return all.filter((b) => b.verified && b.targets.some((t) => t.kind === 'step' && t.step === step && (t.syscall === null || t.syscall === kernelName)));
  }

  setExceptionFilters(filters: readonly { filterId: string; condition?: string }[]): string[] {
    this.exceptionFilters.clear();
    const problems: string[] = [];
    for (const f of filters) {
      if (!isExceptionFilter(f.filterId)) {
        problems.push(`unknown exception filter '${f.filterId}'`);
        continue;
      }
      if (f.condition) {
        for (const part of f.condition.split(',')) {
          const text = /^\s*(==|!=|<=|>=|<|>)/.test(part) ? `code ${part}` : part;
          const parsed = parseExpression(text);
          if (parsed.error) problems.push(`condition of '${f.filterId}': ${parsed.error}`);
        }
      }
      this.exceptionFilters.set(f.filterId, f.condition && f.condition.trim() !== '' ? f.condition : undefined);
    }
    return problems;
  }

  setDataBreakpoints(breakpoints: DataBreakpoint[]): void {
    this.dataBreakpoints = breakpoints;
  }
}
