// The debugger's execution engine: runs the kernel in slices, decides where to stop (breakpoints,
// steps that follow control across thread migration, exceptions, data changes, pause) and reports
// stops and output through a typed listener. Knows nothing of DAP.

import { ThreadState, describeChCoreResult } from '../kernel/constants';
import type { KernelEvent } from '../kernel/events';
import { Kernel } from '../kernel/kernel';
import type { ScenarioProgram, SourceLocation } from '../kernel/program';
import type { Thread } from '../kernel/state';
import {
  BreakpointStore,
  interpolationParts,
  parseHitCondition,
  type DataBreakpoint,
  type ExceptionFilterId,
  type FunctionBreakpoint,
  type LineBreakpoint,
} from './breakpoints';
import { KernelEnvironment, type ExtraNames } from './evaluation';
import { evaluateText, truthy, type Value } from './expression';
import { formatValue } from './format';
import { effectiveInstruction, implementations, nextStep, statementPositions, syscallAt, threadDisplayName, type NextStep } from './inspect';
import { describeData, readDataId } from './statePath';

export interface RuntimeOptions {
  readonly seed?: number;
  readonly maxSteps?: number;
  readonly capTableSize?: number;
}

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'function breakpoint' | 'data breakpoint' | 'exception' | 'pause';

export interface ExceptionDetails {
  /** The exception filter, or `internal` for a failure of the emulator or the debugger itself. */
  readonly filter: ExceptionFilterId | 'internal';
  /** `-EIPCRETRY`, `expectation-failed`, `kernel-fault CH-MIG-03`, ... */
  readonly id: string;
  readonly description: string;
  readonly details: string;
}

export interface StopInfo {
  readonly reason: StopReason;
  readonly thread: number;
  readonly description?: string;
  readonly hitBreakpointIds?: readonly number[];
  readonly exception?: ExceptionDetails;
}

export interface OutputInfo {
  readonly category: 'stdout' | 'stderr' | 'console';
  readonly text: string;
  readonly loc?: SourceLocation;
}

export interface RuntimeListener {
  stopped(stop: StopInfo): void;
  output(output: OutputInfo): void;
  threadStarted(thread: number): void;
  threadExited(thread: number): void;
  terminated(): void;
}

export type StepKind = 'next' | 'stepIn' | 'stepOut';
export type StepInTarget = 'handler' | 'kernel' | 'over';

/** Where a step ends, in terms of threads: the step follows control from thread to thread. */
interface StepPlan {
  /** Statements of these threads end the step. */
  readonly flow: Set<number>;
  /** Kernel steps of these threads end the step. */
  readonly kernelFlow: Set<number>;
  /** Threads whose migrations the step follows. */
  readonly follow: Set<number>;
  /** A migration into a handler (stepIn) brings the handler into `flow`. */
  readonly intoHandlers: boolean;
  /** The followed thread ended: the next statement of any thread ends the step. */
  anyThread: boolean;
}

/** Syscalls that migrate the caller into another thread (stepIn lands in that thread). */
const MIGRATING_SYSCALLS = new Set(['ipc_call', 'register_client']);

/** Wall-clock budget of one run slice before yielding to the event loop. */
const SLICE_MS = 8;

export class ScenarioRuntime {
  readonly kernel: Kernel;
  readonly breakpoints: BreakpointStore;
  readonly statementLines: Map<number, number[]>;
  private running = false;
  private pauseRequested = false;
  private ended = false;
  private plan: StepPlan | null = null;
  private pendingStop: StopInfo | null = null;
  /** The stopped thread's position: it does not stop there again before it moves. */
  private resumeSkip: { thread: number; key: string } | null = null;
  private haltReported = false;
  private lastThread = 0;
  private readonly exceptionsByThread = new Map<number, ExceptionDetails>();
  private readonly now: () => number;

  constructor(
    readonly program: ScenarioProgram,
    options: RuntimeOptions,
    private readonly listener: RuntimeListener,
    clock: () => number = () => performance.now(),
  ) {
    this.kernel = new Kernel(program, {
      seed: options.seed ?? 1,
      record: true,
      ...(options.maxSteps !== undefined ? { stepLimit: options.maxSteps } : {}),
      ...(options.capTableSize !== undefined ? { capTableSize: options.capTableSize } : {}),
    });
    this.now = clock;
    this.statementLines = statementPositions(this.kernel.compiled.routines);
    this.breakpoints = new BreakpointStore(this.statementLines);
    this.kernel.subscribe((events) => this.handleEvents(events));
  }

  get isRunning(): boolean {
    return this.running;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Announces the threads and either stops on entry or starts running. */
  start(stopOnEntry: boolean): void {
    for (const id of this.kernel.state.threadIds) this.listener.threadStarted(id);
    if (stopOnEntry) {
      const next = nextStep(this.kernel);
      this.lastThread = next?.thread ?? this.kernel.state.threadIds[0] ?? 0;
      this.stopAt({ reason: 'entry', thread: this.lastThread, description: 'Paused on entry' });
      return;
    }
    this.resume(null);
  }

  exceptionOf(thread: number): ExceptionDetails | undefined {
    return this.exceptionsByThread.get(thread);
  }

  continue(): void {
    this.resume(null);
  }

  step(threadId: number, kind: StepKind, granularity: 'statement' | 'instruction' = 'statement', target?: StepInTarget): void {
    const thread = this.kernel.threadById(threadId);
    if (!thread || thread.state === ThreadState.TS_EXIT) {
      this.resume(null);
      return;
    }
    this.resume(this.planFor(thread, kind, granularity, target));
  }

  /** Which step-in targets the thread's current statement offers. */
  stepInTargets(threadId: number): { target: StepInTarget; label: string }[] {
    const thread = this.kernel.threadById(threadId);
    if (!thread || thread.kernel.active) return [];
    const syscall = syscallAt(this.kernel, thread);
    if (!syscall) return [];
    const targets: { target: StepInTarget; label: string }[] = [];
    if (MIGRATING_SYSCALLS.has(syscall)) {
      targets.push({ target: 'handler', label: syscall === 'register_client' ? "Into the server's register thread" : "Into the server's handler" });
    }
    const impl = implementations().find((i) => i?.name === syscall);
    targets.push({ target: 'kernel', label: `Into the kernel: ${impl?.kernelName ?? syscall}` });
    targets.push({ target: 'over', label: 'Over the call' });
    return targets;
  }

  pause(): void {
    if (this.running) this.pauseRequested = true;
  }

  /** Stops running for good (terminate/disconnect). */
  dispose(): void {
    this.ended = true;
    this.running = false;
  }

  private planFor(thread: Thread, kind: StepKind, granularity: 'statement' | 'instruction', target?: StepInTarget): StepPlan {
    const id = thread.id;
    const inKernel = thread.kernel.active && !thread.kernel.blocked;
    const plan = (flow: number[], kernelFlow: number[], intoHandlers: boolean): StepPlan => ({
      flow: new Set(flow),
      kernelFlow: new Set(kernelFlow),
      follow: new Set([id]),
      intoHandlers,
      anyThread: false,
    });
    if (kind === 'stepOut') return inKernel ? plan([id], [], false) : plan([], [], false);
    if (granularity === 'instruction') return plan([id], [id], kind === 'stepIn');
    if (kind === 'next') return inKernel ? plan([id], [id], false) : plan([id], [], false);
    // stepIn
    if (inKernel) return plan([id], [id], true);
    const syscall = syscallAt(this.kernel, thread);
    if (!syscall || target === 'over') return plan([id], [], false);
    if (target === 'kernel') return plan([id], [id], true);
    if (target === 'handler' || MIGRATING_SYSCALLS.has(syscall)) return plan([id], [], true);
    return plan([id], [id], true);
  }

  private resume(plan: StepPlan | null): void {
    if (this.ended || this.running) return;
    if (this.kernel.halt) {
      this.finish();
      return;
    }
    this.plan = plan;
    this.running = true;
    this.pauseRequested = false;
    this.exceptionsByThread.clear();
    this.loop();
  }

  private positionKey(thread: Thread): string {
    return `${thread.routine}:${thread.ip}:${thread.kernel.active && !thread.kernel.blocked ? thread.kernel.step : -1}`;
  }

  private stopAt(stop: StopInfo): void {
    this.running = false;
    this.plan = null;
    this.pendingStop = null;
    const thread = this.kernel.threadById(stop.thread);
    this.resumeSkip = thread ? { thread: thread.id, key: this.positionKey(thread) } : null;
    if (stop.exception) this.exceptionsByThread.set(stop.thread, stop.exception);
    for (const b of this.breakpoints.dataBreakpoints) b.last = readDataId(this.kernel, b.dataId) ?? b.last;
    this.listener.stopped(stop);
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.running = false;
    const halt = this.kernel.halt;
    if (halt) {
      const state = this.kernel.state;
      const summary = `${halt.message} (${halt.steps} steps, ${halt.time} cycles; ${state.expectPassed} expectations passed, ${state.expectFailed} failed)`;
      this.listener.output({ category: 'console', text: `${summary}\n` });
    }
    this.listener.terminated();
  }

  /** Runs a slice; a failure inside the emulator stops the session where it is instead of crashing it. */
  private loop(): void {
    try {
      this.runSlice();
    } catch (error) {
      const message = `internal error: ${error instanceof Error ? error.message : String(error)}`;
      this.listener.output({ category: 'stderr', text: `${message}\n${error instanceof Error && error.stack ? `${error.stack}\n` : ''}` });
      this.haltReported = true;
      this.stopAt({ reason: 'exception', thread: this.lastThread, description: 'Internal error', exception: { filter: 'internal', id: 'internal-error', description: message, details: message } });
    }
  }

  private runSlice(): void {
    if (!this.running || this.ended) return;
    const kernel = this.kernel;
    const deadline = this.now() + SLICE_MS;
    let count = 0;
    for (;;) {
      if (this.pauseRequested) {
        this.pauseRequested = false;
        const next = nextStep(kernel);
        this.stopAt({ reason: 'pause', thread: next?.thread ?? this.lastThread, description: 'Paused' });
        return;
      }
      if (kernel.halt) {
        this.onHalt();
        return;
      }
      const next = nextStep(kernel);
      if (next) {
        const thread = kernel.threadById(next.thread)!;
        const skip = this.resumeSkip;
        if (skip !== null && skip.thread === next.thread && skip.key === this.positionKey(thread)) {
          this.resumeSkip = null;
        } else {
          if (skip !== null && skip.thread === next.thread) this.resumeSkip = null;
          const stop = this.checkBefore(next, thread);
          if (stop) {
            this.stopAt(stop);
            return;
          }
        }
        this.lastThread = next.thread;
      }
      this.pendingStop = null;
      kernel.step();
      if (this.breakpoints.dataBreakpoints.length > 0) this.checkData(next?.thread ?? this.lastThread);
      if (this.pendingStop !== null) {
        const stop: StopInfo = this.pendingStop;
        if (!kernel.halt || stop.reason === 'exception') {
          this.stopAt(stop);
          if (kernel.halt) this.haltReported = true;
          return;
        }
      }
      if (!this.running) return;
      if ((++count & 127) === 0 && this.now() >= deadline) {
        setImmediate(() => this.loop());
        return;
      }
    }
  }

  private onHalt(): void {
    const halt = this.kernel.halt!;
    if (!this.haltReported && halt.reason === 'deadlock' && this.breakpoints.exceptionFilters.has('deadlock')) {
      this.haltReported = true;
      const stuck = this.kernel.state.threadIds.map((id) => this.kernel.state.threads[id]!).find((t) => t.kernel.active && t.state !== ThreadState.TS_EXIT);
      const thread = stuck?.id ?? this.lastThread;
      this.stopAt({
        reason: 'exception',
        thread,
        description: 'Deadlock',
        exception: { filter: 'deadlock', id: 'deadlock', description: halt.message, details: halt.message },
      });
      return;
    }
    this.finish();
  }

  // -------------------------------------------------------------------------------------------
  // Stop decisions

  private environment(thread: Thread | undefined, kind: 'scenario' | 'kernel', extras?: ExtraNames): KernelEnvironment {
    return new KernelEnvironment(this.kernel, { thread, kind }, extras);
  }

  /** Evaluates a breakpoint's condition, hit count and log message; true = stop here. */
  private shouldStop(breakpoint: LineBreakpoint | FunctionBreakpoint | DataBreakpoint, environment: KernelEnvironment, loc?: SourceLocation): boolean {
    if (breakpoint.condition && breakpoint.condition.trim() !== '') {
      const result = evaluateText(breakpoint.condition, environment);
      if ('error' in result) {
        this.listener.output({ category: 'stderr', text: `breakpoint condition '${breakpoint.condition}': ${result.error} (stopping)\n` });
      } else if (!truthy(result.value)) return false;
    }
    breakpoint.hits++;
    if (breakpoint.hitCondition && breakpoint.hitCondition.trim() !== '') {
      const hit = parseHitCondition(breakpoint.hitCondition);
      if (typeof hit !== 'string' && !hit(breakpoint.hits)) return false;
    }
    if (breakpoint.logMessage) {
      this.listener.output({ category: 'console', text: `${this.interpolate(breakpoint.logMessage, environment)}\n`, ...(loc ? { loc } : {}) });
      return false;
    }
    return true;
  }

  interpolate(message: string, environment: KernelEnvironment): string {
    return interpolationParts(message)
      .map((part) => {
        if (typeof part === 'string') return part;
        const result = evaluateText(part.expression, environment);
        return 'error' in result ? `<${result.error}>` : formatValue(result.value);
      })
      .join('');
  }

  private checkBefore(next: NextStep, thread: Thread): StopInfo | null {
    const hit: number[] = [];
    let functionHit = false;
    if (next.kind === 'statement') {
      const line = next.loc?.line;
      const list = line !== undefined ? this.breakpoints.lineBreakpointsAt(line) : undefined;
      if (list && next.loc && next.loc.file === this.program.file) {
        const environment = this.environment(thread, 'scenario');
        for (const breakpoint of list) if (this.shouldStop(breakpoint, environment, next.loc)) hit.push(breakpoint.id);
      }
    } else if (next.implementation && next.stepIndex !== undefined) {
      const step = next.implementation.stepNames[next.stepIndex];
      if (step !== undefined) {
        const list = this.breakpoints.stepBreakpoints(next.implementation.kernelName, step);
        if (list.length > 0) {
          const environment = this.environment(thread, 'kernel', this.threadExtras(thread));
          for (const breakpoint of list) if (this.shouldStop(breakpoint, environment)) hit.push(breakpoint.id);
          // Breakpoints set in kernel pseudo-code are line breakpoints; named ones are function breakpoints.
          functionHit = this.breakpoints.functionBreakpoints.some((b) => hit.includes(b.id));
        }
      }
    }
    if (hit.length > 0) {
      return { reason: functionHit ? 'function breakpoint' : 'breakpoint', thread: thread.id, hitBreakpointIds: hit };
    }
    const plan = this.plan;
    if (plan) {
      if (next.kind === 'statement' && (plan.anyThread || plan.flow.has(thread.id))) return { reason: 'step', thread: thread.id };
      if (next.kind === 'kernel-step' && plan.kernelFlow.has(thread.id)) return { reason: 'step', thread: thread.id };
    }
    return null;
  }

  private threadExtras(thread: Thread): Map<string, Value> {
    const group = this.kernel.state.groups[thread.group];
    return new Map<string, Value>([
      ['process', group?.name ?? ''],
      ['badge', group?.badge ?? 0],
      ['thread', threadDisplayName(this.kernel, thread)],
    ]);
  }

  private checkData(thread: number): void {
    for (const breakpoint of this.breakpoints.dataBreakpoints) {
      if (!breakpoint.verified) continue;
      const value = readDataId(this.kernel, breakpoint.dataId);
      if (value === undefined || value === breakpoint.last) continue;
      const before = breakpoint.last;
      breakpoint.last = value;
      const live = this.kernel.threadById(thread);
      if (!this.shouldStop(breakpoint, this.environment(live, 'scenario'))) continue;
      if (this.pendingStop === null) {
        this.pendingStop = {
          reason: 'data breakpoint',
          thread,
          description: `${breakpoint.message ?? breakpoint.dataId} changed from ${before} to ${describeData(this.kernel, breakpoint.dataId)}`,
          hitBreakpointIds: [breakpoint.id],
        };
      }
    }
  }

  private setPending(stop: StopInfo): void {
    if (this.pendingStop === null || (this.pendingStop.reason !== 'exception' && stop.reason === 'exception')) this.pendingStop = stop;
  }

  /** The thread an event's stop is reported on: the event's thread while it lives, else the next one to run. */
  private stopThread(thread: number): number {
    const t = this.kernel.threadById(thread);
    if (t && t.state !== ThreadState.TS_EXIT) return thread;
    return nextStep(this.kernel)?.thread ?? (t ? thread : this.lastThread);
  }

  private handleEvents(events: readonly KernelEvent[]): void {
    const filters = this.breakpoints.exceptionFilters;
    for (const event of events) {
      switch (event.kind) {
        case 'print':
          this.listener.output({ category: 'stdout', text: `${event.text}\n`, loc: event.loc });
          break;
        case 'expect':
          if (!event.pass) {
            const values = event.values.filter(([text, value]) => text !== String(value)).map(([text, value]) => `${text} = ${formatValue(value)}`);
            const message = `expectation failed: ${event.text}${values.length > 0 ? ` (${values.join(', ')})` : ''}`;
            this.listener.output({ category: 'stderr', text: `${event.loc.file}:${event.loc.line}:${event.loc.column}: ${message}\n`, loc: event.loc });
            if (filters.has('expectation')) {
              this.setPending({
                reason: 'exception',
                thread: this.stopThread(event.thread),
                description: 'Expectation failed',
                exception: { filter: 'expectation', id: 'expectation-failed', description: message, details: `${message}\n  at ${event.threadName} (${event.loc.file}:${event.loc.line})` },
              });
            }
          }
          break;
        case 'syscall-entry':
          this.onSyscallEntry(event);
          break;
        case 'syscall-exit':
          if (event.result < 0 && filters.has('syscall-error')) {
            const code = event.result;
            const name = event.error ?? describeChCoreResult(code);
            if (this.errorConditionHolds(filters.get('syscall-error'), code, event.syscall, event.thread)) {
              const description = `${event.syscall} returned ${name}${name !== String(code) ? ` (${code})` : ''}`;
              this.setPending({
                reason: 'exception',
                thread: this.stopThread(event.thread),
                description: `Syscall error ${name}`,
                exception: { filter: 'syscall-error', id: name, description, details: `${description}\n  at ${event.threadName} (${event.loc.file}:${event.loc.line})` },
              });
            }
          }
          break;
        case 'thread-fault': {
          const at = event.loc ? ` at ${event.loc.file}:${event.loc.line}` : '';
          const message = `thread ${event.threadName} faulted: ${event.reason} (address 0x${event.address.toString(16)})${at}`;
          this.listener.output({ category: 'stderr', text: `${message}\n`, ...(event.loc ? { loc: event.loc } : {}) });
          if (filters.has('thread-fault')) {
            this.setPending({ reason: 'exception', thread: event.thread, description: 'Thread fault', exception: { filter: 'thread-fault', id: 'thread-fault', description: message, details: message } });
          }
          break;
        }
        case 'kernel-fault': {
          const message = `kernel fault ${event.row} at ${event.seedFile}:${event.seedLine}: ${event.message}`;
          this.listener.output({ category: 'stderr', text: `${message}\n` });
          if (filters.has('kernel-fault')) {
            this.setPending({
              reason: 'exception',
              thread: event.thread !== 0 ? event.thread : this.lastThread,
              description: 'Kernel fault',
              exception: { filter: 'kernel-fault', id: `kernel-fault ${event.row}`, description: message, details: message },
            });
          }
          break;
        }
        case 'thread-state':
          if (event.to === ThreadState.TS_EXIT && event.from !== ThreadState.TS_EXIT) {
            this.listener.threadExited(event.thread);
            const plan = this.plan;
            if (plan && (plan.follow.has(event.thread) || plan.flow.has(event.thread))) plan.anyThread = true;
          }
          break;
        case 'migration': {
          const plan = this.plan;
          if (!plan) break;
          if (event.direction === 'to-client') {
            if (plan.follow.has(event.handler)) {
              plan.flow.add(event.client);
              plan.follow.add(event.client);
            }
          } else if (plan.follow.has(event.client) && plan.intoHandlers) {
            plan.flow.add(event.handler);
            plan.follow.add(event.handler);
          }
          break;
        }
        default:
          break;
      }
    }
  }

  private onSyscallEntry(event: Extract<KernelEvent, { kind: 'syscall-entry' }>): void {
    const list = this.breakpoints.syscallBreakpoints(event.kernelName);
    if (list.length === 0) return;
    const thread = this.kernel.threadById(event.thread);
    if (!thread) return;
    const extras = this.threadExtras(thread);
    extras.set('syscall', event.syscall);
    for (const [name, value] of event.args) {
      extras.set(name, value);
      if (name.endsWith('_cap')) extras.set(name.slice(0, -4), value);
    }
    const environment = this.environment(thread, 'kernel', extras);
    const hit: number[] = [];
    for (const breakpoint of list) if (this.shouldStop(breakpoint, environment, event.loc)) hit.push(breakpoint.id);
    if (hit.length > 0) this.setPending({ reason: 'function breakpoint', thread: event.thread, hitBreakpointIds: hit, description: `Entered ${event.kernelName}` });
  }

  /** The syscall-error filter's condition: codes (`-EIPCRETRY`), comparisons (`== -199`), or any expression over `code`. */
  private errorConditionHolds(condition: string | undefined, code: number, syscall: string, threadId: number): boolean {
    if (condition === undefined) return true;
    const thread = this.kernel.threadById(threadId);
    const extras = new Map<string, Value>([
      ['code', code],
      ['result', code],
      ['error', describeChCoreResult(code)],
      ['syscall', syscall],
    ]);
    const environment = this.environment(thread, 'scenario', extras);
    for (const part of condition.split(',')) {
      const text = /^\s*(==|!=|<=|>=|<|>)/.test(part) ? `code ${part}` : part;
      const result = evaluateText(text, environment);
      if ('error' in result) {
        this.listener.output({ category: 'stderr', text: `syscall-error condition '${part.trim()}': ${result.error}\n` });
        return true;
      }
      const value = result.value;
      if (typeof value === 'boolean' ? value : typeof value === 'number' ? value === code : truthy(value)) return true;
    }
    return false;
  }

  // -------------------------------------------------------------------------------------------
  // Helpers for the session

  /** The statement a thread is at, for stack frames. */
  locationOf(thread: Thread): SourceLocation | undefined {
    return effectiveInstruction(this.kernel, thread)?.loc;
  }
}
