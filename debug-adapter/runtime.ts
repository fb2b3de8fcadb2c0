// The debugger's execution engine: runs the kernel in slices, decides where to stop (breakpoints,
// steps that follow control across thread migration, exceptions, data changes, pause) and reports
// stops and output through a typed listener. Knows nothing of DAP.

import { Op, type Instruction } from '../kernel/compile';
import { ThreadState, describeChCoreResult } from '../kernel/constants';
import type { KernelEvent } from '../kernel/events';
import { Kernel } from '../kernel/kernel';
import type { ScenarioProgram, SourceLocation } from '../kernel/program';
import type { KernelState, Thread } from '../kernel/state';
import { SYSCALLS } from '../kernel/syscalls';
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
import { DEFAULT_CHECKPOINT_INTERVAL, DEFAULT_HISTORY_SIZE, History, MigrationDirection, StepFlag } from './history';
import { effectiveInstruction, implementation, implementations, isLive, nextStep, statementPositions, syscallAt, threadDisplayName, type NextStep } from './inspect';
import { describeData, readDataId } from './statePath';
import type { TimeTravelInfo } from './timeTravelInfo';

export interface RuntimeOptions {
  readonly seed?: number;
  readonly maxSteps?: number;
  readonly capTableSize?: number;
  /** Steps of time-travel history kept (default 1,000,000); 0 turns time travel off. */
  readonly historySize?: number;
  /** Steps between checkpoints of the history (default 1000). */
  readonly checkpointInterval?: number;
}

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'function breakpoint' | 'data breakpoint' | 'exception' | 'pause' | 'goto';

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

/** The reverse steps: DAP's stepBack and the custom requests. */
export type ReverseKind = 'stepBack' | 'reverseNext' | 'reverseStepOut' | 'backToPreviousIpc';

export type { TimeTravelInfo } from './timeTravelInfo';

/** A moment to go to: a step (moment), or the step that delivered an event (before or after it). */
export type Moment = { readonly step: number } | { readonly eventIndex: number; readonly at?: 'before' | 'after' };

/** New kernel events as the runtime first sees them, with their index in the run's event stream. */
export interface EventSubscriber {
  events(events: readonly KernelEvent[], firstIndex: number): void;
  /** The recorded future was dropped (an edit in the past): events from `eventCount` on are gone. */
  truncated?(eventCount: number): void;
}

/** A reverse operation checked and ready to run (the session answers the request first). */
export interface ReversePlan {
  /** The moment it lands on. */
  readonly step: number;
  run(): void;
}

const IPC_FAMILIES: ReadonlySet<string> = new Set(['chcore-ipc', 'mach', 'mach-rpc', 'xnu-node', 'tock']);
/** Per syscall table index: is it an IPC-family syscall (kscn/backToPreviousIpc)? */
const IPC_SYSCALL = SYSCALLS.map((spec) => IPC_FAMILIES.has(spec.family));
/** Kernel steps are recorded as negative "lines": -(1 + syscall * KERNEL_KEY + step). */
const KERNEL_KEY = 4096;
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
  /**
   * Passive Mach calls run on the caller's own thread: a statement of a thread listed here ends
   * the step only while the thread serves at most this many passive calls (`next` stays out of a
   * driver routine; `stepOut` of one waits for the caller's statement after its `mach_msg`).
   */
  readonly depthLimit: Map<number, number>;
  /** Mach messages the followed threads sent during this step (a receive of one follows the server). */
  readonly sent: Set<number>;
}

/** Syscalls that migrate the caller into another thread (stepIn lands in that thread). */
const MIGRATING_SYSCALLS = new Set(['ipc_call', 'register_client']);
/** mach_msg's table index and the indices of its `send` and `receive` parameters. */
const MACH_MSG = SYSCALLS.findIndex((s) => s.name === 'mach_msg');
const MACH_MSG_SEND = MACH_MSG >= 0 ? SYSCALLS[MACH_MSG]!.params.findIndex((p) => p.name === 'send') : -1;
const MACH_MSG_RECEIVE = MACH_MSG >= 0 ? SYSCALLS[MACH_MSG]!.params.findIndex((p) => p.name === 'receive') : -1;

const SYSCALL_BY_NAME = new Map(SYSCALLS.map((spec) => [spec.name, spec]));
const MACH_MSG_IMPL = implementations().findIndex((i) => i?.name === 'mach_msg');

/** A `mach_msg` statement in the RPC form: it sends a request and receives the reply in one call. */
export function isMachRpc(instruction: Instruction | undefined): boolean {
  if (!instruction || instruction.op !== Op.SYSCALL || instruction.callee !== MACH_MSG || MACH_MSG < 0) return false;
  return (instruction.arguments[MACH_MSG_SEND] ?? null) !== null && (instruction.arguments[MACH_MSG_RECEIVE] ?? null) !== null;
}

/** How many passive Mach calls (driver routines) the thread serves on its own stack. */
export function passiveDepth(kernel: Kernel, thread: Thread): number {
  return kernel.state.mach?.threads[thread.id]?.passiveDepth ?? 0;
}

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
  /** Time travel: the recorded run, or null when the launch turned it off. */
  readonly history: History | null;
  /** The current moment: kernel steps run since boot. */
  private position = 0;
  /** live: a real run; replay: re-executing silently to reach a moment; scan: searching backwards for stops. */
  private mode: 'live' | 'replay' | 'scan' = 'live';
  /** The step being run is new (at the head of the history), so it is recorded. */
  private recording = false;
  private stepEvents = 0;
  private stepFlags = 0;
  /** Events delivered when history is off. */
  private eventCounter = 0;
  private readonly subscribers: EventSubscriber[] = [];

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
    const historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
    this.history = historySize > 0 ? new History({ maxSteps: historySize, checkpointInterval: options.checkpointInterval ?? DEFAULT_CHECKPOINT_INTERVAL }, this.kernel.state) : null;
    // The live run uses the same object shapes as every restored state: the kernel's code stays
    // optimized for them and the first time travel does not pay for deoptimization.
    if (this.history) this.load(this.history.checkpointFor(0).state);
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
    } else if (isMachRpc(effectiveInstruction(this.kernel, thread))) {
      targets.push({ target: 'handler', label: 'Into the server (the listener thread, or the driver routine on this thread)' });
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
    const depth = passiveDepth(this.kernel, thread);
    const plan = (flow: number[], kernelFlow: number[], intoHandlers: boolean, limit?: number): StepPlan => ({
      flow: new Set(flow),
      kernelFlow: new Set(kernelFlow),
      follow: new Set([id]),
      intoHandlers,
      anyThread: false,
      depthLimit: limit !== undefined ? new Map([[id, limit]]) : new Map(),
      sent: new Set(),
    });
    if (kind === 'stepOut') {
      if (inKernel) return plan([id], [], false, depth);
      // Out of a passive driver routine: the caller's statement after its mach_msg, same thread.
      return depth > 0 ? plan([id], [], false, depth - 1) : plan([], [], false);
    }
    if (granularity === 'instruction') return plan([id], [id], kind === 'stepIn');
    if (kind === 'next') return inKernel ? plan([id], [id], false, depth) : plan([id], [], false, depth);
    // stepIn
    if (inKernel) return plan([id], [id], true);
    const syscall = syscallAt(this.kernel, thread);
    if (!syscall || target === 'over') return plan([id], [], false, depth);
    if (target === 'kernel') return plan([id], [id], true);
    if (target === 'handler' || MIGRATING_SYSCALLS.has(syscall) || isMachRpc(effectiveInstruction(this.kernel, thread))) return plan([id], [], true);
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
      this.output({ category: 'console', text: `${summary}\n` });
    }
    this.listener.terminated();
  }

  /** Runs a slice; a failure inside the emulator stops the session where it is instead of crashing it. */
  private loop(): void {
    try {
      this.runSlice();
    } catch (error) {
      const message = `internal error: ${error instanceof Error ? error.message : String(error)}`;
      this.output({ category: 'stderr', text: `${message}\n${error instanceof Error && error.stack ? `${error.stack}\n` : ''}` });
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
      this.beginStep(next);
      kernel.step();
      this.endStep();
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
  // Time travel: recording

  /** Output reaches the user only from the live run (never from a replay or a backward search). */
  private output(output: OutputInfo): void {
    if (this.mode === 'live') this.listener.output(output);
  }

  /** Before a live step: records it when it is new, or checks that the run still follows the record. */
  private beginStep(next: NextStep | undefined): void {
    const history = this.history;
    this.stepEvents = 0;
    this.stepFlags = 0;
    this.recording = false;
    if (!history) return;
    if (this.position < history.head) {
      // Re-running the recorded future: the kernel is deterministic, so it follows the record. If it
      // does not (it cannot without an edit, which truncates), the record after here is dropped.
      if (history.recordedThread(this.position) === (next?.thread ?? 0)) return;
      this.truncateFuture(this.position);
    }
    let flags: number = StepFlag.IDLE;
    let line = 0;
    if (next) {
      const thread = this.kernel.threadById(next.thread);
      if (next.kind === 'statement') {
        flags = StepFlag.STATEMENT;
        line = next.loc?.line ?? 0;
        const instruction = thread ? effectiveInstruction(this.kernel, thread) : undefined;
        if (instruction && instruction.op === Op.SYSCALL && IPC_SYSCALL[instruction.callee]) flags |= StepFlag.IPC_SYSCALL;
      } else {
        flags = StepFlag.KERNEL_STEP;
        line = thread ? -(1 + thread.kernel.sys * KERNEL_KEY + (next.stepIndex ?? 0)) : 0;
      }
    }
    history.record(next?.thread ?? 0, flags, line);
    this.recording = true;
  }

  /** After a live step: the moment advances; a new one may be checkpointed, an edited one is loaded. */
  private endStep(): void {
    const history = this.history;
    this.position++;
    if (!history) return;
    if (this.recording) {
      history.noteEvents(this.position - 1, this.stepEvents, this.stepFlags);
      history.afterStep(this.position, () => this.kernel.state);
      this.recording = false;
      return;
    }
    const edited = history.barrierAt(this.position);
    if (edited) this.load(edited);
  }

  /** Flags and migrations of a recorded step; new events go to the subscribers. */
  private noteEvents(events: readonly KernelEvent[]): void {
    const history = this.history;
    const isNew = history ? this.recording : true;
    if (!isNew) return;
    const firstIndex = history ? history.eventsAt(this.position) + this.stepEvents : this.eventCounter;
    if (history) {
      for (const event of events) {
        switch (event.kind) {
          case 'syscall-entry':
            this.stepFlags |= StepFlag.SYSCALL_ENTRY;
            break;
          case 'syscall-exit':
            if (event.result < 0) this.stepFlags |= StepFlag.SYSCALL_ERROR;
            break;
          case 'expect':
            if (!event.pass) this.stepFlags |= StepFlag.EXPECT_FAILED;
            break;
          case 'thread-fault':
            this.stepFlags |= StepFlag.THREAD_FAULT;
            break;
          case 'kernel-fault':
            this.stepFlags |= StepFlag.KERNEL_FAULT;
            break;
          case 'migration': {
            const direction = event.direction === 'to-server' ? MigrationDirection.TO_SERVER : event.direction === 'to-register' ? MigrationDirection.TO_REGISTER : MigrationDirection.TO_CLIENT;
            history.noteMigration(this.position, direction, event.client, event.handler);
            break;
          }
          default:
            break;
        }
      }
      this.stepEvents += events.length;
    } else {
      this.eventCounter += events.length;
    }
    for (const subscriber of this.subscribers) subscriber.events(events, firstIndex);
  }

  /** Kernel events the first time the run produces them (not again when time travel re-executes). */
  subscribeEvents(subscriber: EventSubscriber): () => void {
    this.subscribers.push(subscriber);
    return () => {
      const index = this.subscribers.indexOf(subscriber);
      if (index >= 0) this.subscribers.splice(index, 1);
    };
  }

  private truncateFuture(position: number): number {
    const history = this.history;
    if (!history) return 0;
    const dropped = history.truncate(position);
    if (dropped > 0) for (const subscriber of this.subscribers) subscriber.truncated?.(history.eventsAt(position));
    return dropped;
  }

  /**
   * The user changed the state (setVariable, writeMemory): the edited state is the state of this
   * moment from now on, and the recorded future is dropped. Returns how many steps were dropped.
   */
  stateEdited(): number {
    const history = this.history;
    if (!history) return 0;
    const dropped = history.edit(this.position, this.kernel.state);
    if (dropped > 0) for (const subscriber of this.subscribers) subscriber.truncated?.(history.eventsAt(this.position));
    return dropped;
  }

  /** The current moment. */
  get currentStep(): number {
    return this.position;
  }

  timeTravelInfo(): TimeTravelInfo {
    const history = this.history;
    let virtualTime = 0;
    for (const cpu of this.kernel.state.cpus) if (cpu.time > virtualTime) virtualTime = cpu.time;
    const info = history?.info();
    return {
      enabled: history !== null,
      inPast: history !== null && this.position < history.head,
      step: this.position,
      totalSteps: history ? history.head : this.position,
      oldestStep: history ? history.horizon : this.position,
      virtualTime,
      eventCount: history ? history.eventsAt(this.position) : this.eventCounter,
      historyBytes: info?.historyBytes ?? 0,
      maxSteps: info?.maxSteps ?? 0,
      checkpointInterval: info?.checkpointInterval ?? 0,
      checkpoints: info?.checkpoints ?? 0,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Time travel: moving

  /** Why the history cannot move now, or the history. */
  private travelable(): History | string {
    if (!this.history) return 'time travel is off for this session (the launch set "historySize": 0)';
    if (this.ended) return 'the scenario has ended';
    if (this.running) return 'the scenario is running: pause it first';
    return this.history;
  }

  private horizonMessage(history: History, what: string): string {
    const dropped = history.horizon > 0 ? `; older history was dropped (historySize ${history.maxSteps} steps)` : '';
    return `${what}: the recorded history begins at step ${history.horizon}${dropped}`;
  }

  /** Checks a reverse step and says where it lands; the session answers, then calls `run()`. */
  reverse(kind: ReverseKind, threadId: number, granularity: 'statement' | 'instruction' = 'statement'): ReversePlan | string {
    const history = this.travelable();
    if (typeof history === 'string') return history;
    const thread = this.kernel.threadById(threadId);
    if (!thread) return `unknown thread ${threadId}`;
    const name = threadDisplayName(this.kernel, thread);
    const now = this.position;
    const from = history.horizon;
    const inSyscall = thread.kernel.active;
    let target = -1;
    let stopThread = threadId;
    let what = '';
    let description = 'Stepped back';
    const intoCaller = (activation: { step: number; client: number }): void => {
      target = history.lastStatementOf(activation.client, activation.step, from);
      stopThread = activation.client;
    };
    switch (kind) {
      case 'stepBack':
        what = `${name} has no earlier ${granularity === 'instruction' ? 'step' : 'statement'}`;
        target = granularity === 'instruction' ? history.lastStepOf(threadId, now, from) : history.lastStatementOf(threadId, now, from);
        break;
      case 'reverseNext': {
        what = `${name} has no earlier statement`;
        description = 'Stepped back over';
        if (inSyscall && !thread.kernel.blocked) {
          target = history.lastStepOf(threadId, now, from);
          break;
        }
        const activation = history.activationOf(threadId, now);
        target = history.lastStatementOf(threadId, now, activation ? Math.max(from, activation.step + 1) : from);
        if (target < 0 && activation) intoCaller(activation);
        break;
      }
      case 'reverseStepOut': {
        what = `the call ${name} is in did not start in the recorded history`;
        description = 'Stepped back out';
        if (inSyscall) {
          target = history.lastStatementOf(threadId, now, from);
          break;
        }
        const activation = history.activationOf(threadId, now);
        if (activation) intoCaller(activation);
        else target = history.findFirst(from, now, (t, flags) => t === threadId && (flags & StepFlag.KIND_MASK) === StepFlag.STATEMENT);
        break;
      }
      case 'backToPreviousIpc':
        what = `${name} made no earlier IPC syscall`;
        description = 'Back to the previous IPC';
        target = history.findLast(from, now, (t, flags) => t === threadId && (flags & (StepFlag.KIND_MASK | StepFlag.IPC_SYSCALL)) === (StepFlag.STATEMENT | StepFlag.IPC_SYSCALL));
        break;
    }
    if (target < 0) return this.horizonMessage(history, what);
    return { step: target, run: () => this.travelTo(target, () => ({ reason: 'step', thread: stopThread, description })) };
  }

  /** Checks a moment (a step, or the step that delivered an event) and says where it lands. */
  goTo(moment: Moment): ReversePlan | string {
    const history = this.travelable();
    if (typeof history === 'string') return history;
    let target: number;
    let recordedThread = 0;
    if ('eventIndex' in moment) {
      const index = moment.eventIndex;
      if (!Number.isInteger(index) || index < 0) return `eventIndex must be a non-negative integer, got ${String(index)}`;
      const step = history.stepOfEvent(index);
      if (step < 0) {
        if (index >= history.eventsAt(history.head)) return `event ${index} has not happened yet (the run has delivered ${history.eventsAt(history.head)} events)`;
        return this.horizonMessage(history, `event ${index} is too old`);
      }
      target = moment.at === 'before' ? step : step + 1;
      recordedThread = history.recordedThread(step);
    } else {
      const step = moment.step;
      if (!Number.isInteger(step) || step < 0) return `step must be a non-negative integer, got ${String(step)}`;
      if (step > history.head) return `step ${step} has not happened yet (the present is step ${history.head})`;
      if (step < history.horizon) return this.horizonMessage(history, `step ${step} is too old`);
      target = step;
    }
    return {
      step: target,
      run: () =>
        this.travelTo(target, () => {
          const recorded = recordedThread !== 0 ? this.kernel.threadById(recordedThread) : undefined;
          const thread = recorded && isLive(recorded) ? recorded.id : nextStep(this.kernel)?.thread ?? this.lastThread;
          return { reason: 'goto', thread, description: `Moment: step ${target}` };
        }),
    };
  }

  /**
   * Moves the debugger to a moment — `{ step }`, or `{ eventIndex, at }` for the step that delivered
   * an event — and stops there (reason `goto`). Returns why it cannot, or undefined.
   */
  goToMoment(moment: Moment): string | undefined {
    const plan = this.goTo(moment);
    if (typeof plan === 'string') return plan;
    plan.run();
    return undefined;
  }

  /**
   * Runs backwards to the previous stop of a line, function or data breakpoint or an exception
   * filter: replays checkpoint segments newest first, each forward from its checkpoint, and stops
   * at the last hit before the current moment; at the beginning of the history if none.
   */
  reverseContinue(): string | undefined {
    const history = this.travelable();
    if (typeof history === 'string') return history;
    const origin = this.position;
    const segments = history.segmentsBefore(origin);
    this.running = true;
    this.pauseRequested = false;
    this.plan = null;
    setImmediate(() => this.reverseSlice(history, segments, 0, origin));
    return undefined;
  }

  private reverseSlice(history: History, segments: readonly { start: number; end: number }[], index: number, origin: number): void {
    if (this.ended) return;
    const deadline = this.now() + SLICE_MS;
    try {
      for (let i = index; i < segments.length; i++) {
        if (this.pauseRequested) {
          this.pauseRequested = false;
          const frontier = i > 0 ? segments[i - 1]!.start : origin;
          this.travelTo(frontier, () => ({ reason: 'pause', thread: nextStep(this.kernel)?.thread ?? this.lastThread, description: 'Paused' }));
          return;
        }
        const segment = segments[i]!;
        if (this.mayStopIn(history, segment.start, segment.end)) {
          const hit = this.scan(history, segment.start, segment.end, origin);
          if (hit) {
            this.travelTo(hit.position, () => hit.stop);
            return;
          }
        }
        if (this.now() >= deadline && i + 1 < segments.length) {
          setImmediate(() => this.reverseSlice(history, segments, i + 1, origin));
          return;
        }
      }
      const start = history.horizon;
      this.travelTo(start, () => ({
        reason: start === 0 ? 'entry' : 'step',
        thread: nextStep(this.kernel)?.thread ?? this.lastThread,
        description: start === 0 ? 'Reached the start of the run' : `Reached the beginning of the recorded history (step ${start})`,
      }));
    } catch (error) {
      this.mode = 'live';
      const message = `internal error: ${error instanceof Error ? error.message : String(error)}`;
      this.output({ category: 'stderr', text: `${message}\n` });
      this.stopAt({ reason: 'exception', thread: this.lastThread, description: 'Internal error', exception: { filter: 'internal', id: 'internal-error', description: message, details: message } });
    }
  }

  /** Whether any stop can happen in [start, end), judged from the recorded steps (no re-execution). */
  private mayStopIn(history: History, start: number, end: number): boolean {
    const breakpoints = this.breakpoints;
    if (breakpoints.dataBreakpoints.some((b) => b.verified)) return true;
    const filters = breakpoints.exceptionFilters;
    let mask = 0;
    if (breakpoints.functionBreakpoints.length > 0) mask |= StepFlag.SYSCALL_ENTRY;
    if (filters.has('syscall-error')) mask |= StepFlag.SYSCALL_ERROR;
    if (filters.has('expectation')) mask |= StepFlag.EXPECT_FAILED;
    if (filters.has('thread-fault')) mask |= StepFlag.THREAD_FAULT;
    if (filters.has('kernel-fault')) mask |= StepFlag.KERNEL_FAULT;
    const kernelSteps = new Map<number, boolean>();
    const atKernelStep = (key: number): boolean => {
      let known = kernelSteps.get(key);
      if (known === undefined) {
        const code = -key - 1;
        const impl = implementation(Math.floor(code / KERNEL_KEY));
        const step = impl?.stepNames[code % KERNEL_KEY];
        known = impl !== undefined && step !== undefined && breakpoints.stepBreakpoints(impl.kernelName, step).length > 0;
        kernelSteps.set(key, known);
      }
      return known;
    };
    return history.findLast(start, end, (_thread, flags, line) => (flags & mask) !== 0 || (line > 0 ? (breakpoints.lineBreakpointsAt(line)?.length ?? 0) > 0 : line < 0 && atKernelStep(line))) >= 0;
  }

  /** Re-executes [start, end) from the checkpoint at `start`, quietly: the last stop before `origin`. */
  private scan(history: History, start: number, end: number, origin: number): { position: number; stop: StopInfo } | null {
    const kernel = this.kernel;
    this.load(history.checkpointFor(start).state);
    let hit: { position: number; stop: StopInfo } | null = null;
    this.mode = 'scan';
    try {
      for (const b of this.breakpoints.dataBreakpoints) b.last = readDataId(kernel, b.dataId) ?? b.last;
      for (let q = start; q < end && !kernel.halt; q++) {
        const next = nextStep(kernel);
        if (next) {
          const stop = this.checkBefore(next, kernel.threadById(next.thread)!);
          if (stop) hit = { position: q, stop };
        }
        this.pendingStop = null;
        kernel.step();
        if (this.breakpoints.dataBreakpoints.length > 0) this.checkData(next?.thread ?? this.lastThread);
        if (this.pendingStop !== null && q + 1 < origin) hit = { position: q + 1, stop: this.pendingStop };
      }
    } finally {
      this.mode = 'live';
      this.pendingStop = null;
    }
    return hit;
  }

  /**
   * Makes `state` (a fresh copy from the history) the kernel's state. `Kernel.restore` does what a
   * restore needs (and copies); the kernel then works on the history's copy, whose records have
   * all their fields in-object (`materialize`), so the hot paths stay fast after time travel.
   */
  private load(state: KernelState): void {
    this.kernel.restore(state);
    this.kernel.state = state;
  }

  /** Restores the checkpoint before `target`, re-executes silently up to it, and stops there. */
  private travelTo(target: number, stopAt: () => StopInfo): void {
    const history = this.history!;
    const kernel = this.kernel;
    const liveBefore = new Set(kernel.state.threadIds.filter((id) => { const t = kernel.state.threads[id]; return t !== null && t !== undefined && isLive(t); }));
    const checkpoint = history.checkpointFor(target);
    this.mode = 'replay';
    try {
      this.load(checkpoint.state);
      for (let q = checkpoint.position; q < target && !kernel.halt; q++) kernel.step();
    } finally {
      this.mode = 'live';
    }
    this.position = target;
    this.plan = null;
    this.pendingStop = null;
    this.haltReported = false;
    this.exceptionsByThread.clear();
    for (const id of kernel.state.threadIds) {
      const thread = kernel.state.threads[id];
      const live = thread !== null && thread !== undefined && isLive(thread);
      if (live && !liveBefore.has(id)) this.listener.threadStarted(id);
      if (!live && liveBefore.has(id)) this.listener.threadExited(id);
    }
    const stop = stopAt();
    this.lastThread = stop.thread;
    this.stopAt(stop);
  }

  /** A copy of the state at the current moment (tests and tools compare moments). */
  snapshotState(): KernelState {
    return this.kernel.snapshot();
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
        this.output({ category: 'stderr', text: `breakpoint condition '${breakpoint.condition}': ${result.error} (stopping)\n` });
      } else if (!truthy(result.value)) return false;
    }
    // Searching backwards: conditions hold or not; hit counts belong to the forward run, logpoints stay quiet.
    if (this.mode === 'scan') return !breakpoint.logMessage;
    breakpoint.hits++;
    if (breakpoint.hitCondition && breakpoint.hitCondition.trim() !== '') {
      const hit = parseHitCondition(breakpoint.hitCondition);
      if (typeof hit !== 'string' && !hit(breakpoint.hits)) return false;
    }
    if (breakpoint.logMessage) {
      this.output({ category: 'console', text: `${this.interpolate(breakpoint.logMessage, environment)}\n`, ...(loc ? { loc } : {}) });
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
      if (next.kind === 'statement' && (plan.anyThread || plan.flow.has(thread.id))) {
        const limit = plan.anyThread ? undefined : plan.depthLimit.get(thread.id);
        if (limit === undefined || passiveDepth(this.kernel, thread) <= limit) return { reason: 'step', thread: thread.id };
      }
      if (next.kind === 'kernel-step' && plan.kernelFlow.has(thread.id)) return { reason: 'step', thread: thread.id };
    }
    return null;
  }

  /** The Tock process a thread belongs to (its name), if any. */
  private tockProcessOf(threadId: number): string | undefined {
    const tock = this.kernel.state.tock;
    if (!tock || !tock.active) return undefined;
    const index = tock.byThread[threadId];
    const process = index !== undefined && index >= 0 ? tock.processes[index] : undefined;
    return process ? process.name : undefined;
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
    if (this.mode === 'replay') return;
    if (this.mode === 'live') this.noteEvents(events);
    const filters = this.breakpoints.exceptionFilters;
    for (const event of events) {
      switch (event.kind) {
        case 'print':
          this.output({ category: 'stdout', text: `${event.text}\n`, loc: event.loc });
          break;
        case 'expect':
          if (!event.pass) {
            const values = event.values.filter(([text, value]) => text !== String(value)).map(([text, value]) => `${text} = ${formatValue(value)}`);
            const message = `expectation failed: ${event.text}${values.length > 0 ? ` (${values.join(', ')})` : ''}`;
            this.output({ category: 'stderr', text: `${event.loc.file}:${event.loc.line}:${event.loc.column}: ${message}\n`, loc: event.loc });
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
          this.output({ category: 'stderr', text: `${message}\n`, ...(event.loc ? { loc: event.loc } : {}) });
          // A Tock process's MPU fault is the kernel's verdict on the process (it becomes Faulted):
          // the kernel-fault filter stops on it too.
          const tock = this.tockProcessOf(event.thread);
          const mpu = tock !== undefined && event.reason.startsWith('MPU fault');
          if (filters.has('thread-fault') || (mpu && filters.has('kernel-fault'))) {
            const details = mpu ? `${message}\n  Tock process ${tock} → Faulted (fault policy: Stop); the MPU check of user accesses (kernel/tock/process.ts)` : message;
            this.setPending({
              reason: 'exception',
              thread: event.thread,
              description: mpu ? 'Tock MPU fault' : 'Thread fault',
              exception: { filter: mpu && !filters.has('thread-fault') ? 'kernel-fault' : 'thread-fault', id: mpu ? 'tock-mpu-fault' : 'thread-fault', description: message, details },
            });
          }
          break;
        }
        case 'kernel-fault': {
          const message = `kernel fault ${event.row} at ${event.seedFile}:${event.seedLine}: ${event.message}`;
          this.output({ category: 'stderr', text: `${message}\n` });
          if (filters.has('kernel-fault')) {
            const thread = event.thread !== 0 ? this.kernel.threadById(event.thread) : undefined;
            const loc = thread ? this.kernel.currentInstruction(thread)?.loc : undefined;
            const where = thread ? `\n  at ${threadDisplayName(this.kernel, thread)}${loc ? ` (${loc.file}:${loc.line})` : ''}` : '';
            const machine = this.kernel.state.machines[event.machine]?.name;
            this.setPending({
              reason: 'exception',
              thread: event.thread !== 0 ? event.thread : this.lastThread,
              description: 'Kernel fault',
              exception: {
                filter: 'kernel-fault',
                id: `kernel-fault ${event.row}`,
                description: message,
                details: `${message}\n  seed row ${event.row}, ${event.seedFile} line ${event.seedLine}${machine ? `, machine ${machine}` : ''}${where}`,
              },
            });
          }
          break;
        }
        case 'thread-state':
          if (event.to === ThreadState.TS_EXIT && event.from !== ThreadState.TS_EXIT) {
            if (this.mode === 'live') this.listener.threadExited(event.thread);
            const plan = this.plan;
            if (plan && (plan.follow.has(event.thread) || plan.flow.has(event.thread))) plan.anyThread = true;
          }
          break;
        case 'mach-msg':
          if (this.plan) this.followMachMessage(this.plan, event);
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

  /**
   * Mach RPC has no migration event: control is followed through the message traffic. A message a
   * followed thread sent and another thread receives brings that thread in (stepIn: the active
   * listener's first statement after its receive). A message without a reply right that a followed
   * thread hands to a thread waiting in the RPC form of mach_msg is a reply: the step continues in
   * that client, after its mach_msg. Passive kobject calls need nothing here: they run on the
   * caller's thread (see `depthLimit`).
   */
  private followMachMessage(plan: StepPlan, event: Extract<KernelEvent, { kind: 'mach-msg' }>): void {
    switch (event.action) {
      case 'enqueue':
      case 'handoff': {
        if (!plan.follow.has(event.thread)) break;
        plan.sent.add(event.message);
        if (event.action !== 'handoff') break;
        const message = this.kernel.state.mach?.messages[event.message];
        if (!message || message.localType !== 0) break;
        const kernel = this.kernel;
        let client: Thread | undefined;
        for (const id of kernel.state.threadIds) {
          const t = kernel.state.threads[id];
          if (t && t.id !== event.thread && t.kernel.active && t.kernel.sys === MACH_MSG_IMPL && t.kernel.v4 === event.message && isMachRpc(kernel.currentInstruction(t))) client = t;
        }
        if (!client || plan.follow.has(client.id)) break;
        // Stepping over (or out of) the server's reply: the client continues, the server no longer ends the step.
        plan.flow.delete(event.thread);
        plan.kernelFlow.delete(event.thread);
        plan.flow.add(client.id);
        plan.follow.add(client.id);
        break;
      }
      case 'receive':
        if (plan.intoHandlers && plan.sent.has(event.message) && !plan.follow.has(event.thread)) {
          plan.flow.add(event.thread);
          plan.follow.add(event.thread);
        }
        break;
      default:
        break;
    }
  }

  private onSyscallEntry(event: Extract<KernelEvent, { kind: 'syscall-entry' }>): void {
    if (this.breakpoints.functionBreakpoints.length === 0) return;
    const thread = this.kernel.threadById(event.thread);
    if (!thread) return;
    const extras = this.threadExtras(thread);
    extras.set('syscall', event.syscall);
    for (const [name, value] of event.args) {
      extras.set(name, value);
      // `conn_cap` is also `conn`, Tock's `command_number` also `command`.
      if (name.endsWith('_cap')) extras.set(name.slice(0, -4), value);
      if (name.endsWith('_number')) extras.set(name.slice(0, -7), value);
    }
    // The scenario's parameter names too, where the seed passes the same arguments in the same order.
    const spec = SYSCALL_BY_NAME.get(event.syscall);
    if (spec && spec.params.length === event.args.length) {
      spec.params.forEach((param, i) => {
        if (!extras.has(param.name)) extras.set(param.name, event.args[i]![1]);
      });
    }
    const list = this.breakpoints.syscallBreakpoints(event.kernelName, (name) => extras.get(name));
    if (list.length === 0) return;
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
        this.output({ category: 'stderr', text: `syscall-error condition '${part.trim()}': ${result.error}\n` });
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
