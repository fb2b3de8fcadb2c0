// Read-only views over the kernel's public surface that the debugger needs and the kernel does not
// offer itself: the step that really runs next, statement positions, thread display names and the
// migration link from a handler to its client. Nothing here changes kernel state.

import { Op, type CompiledRoutine, type Instruction } from '../kernel/compile';
import { ThreadExitState, ThreadState } from '../kernel/constants';
import { SYSCALL_IMPLEMENTATIONS } from '../kernel/dispatch';
import type { Kernel } from '../kernel/kernel';
import type { SourceLocation } from '../kernel/program';
import { IpcConfigKind, ObjectKind, type Connection, type Cpu, type Thread } from '../kernel/state';
import type { SyscallImplementation } from '../kernel/syscall-types';

/** What the kernel will do on its next step, as the debugger must see it before it happens. */
export interface NextStep {
  readonly kind: 'statement' | 'kernel-step';
  readonly thread: number;
  /** The statement about to run (after following jumps), or the syscall statement of a kernel step. */
  readonly loc: SourceLocation | undefined;
  /** For kernel steps: the implementation and the step index about to run. */
  readonly implementation?: SyscallImplementation;
  readonly stepIndex?: number;
}

export function implementation(index: number): SyscallImplementation | undefined {
  return SYSCALL_IMPLEMENTATIONS[index] ?? undefined;
}

export function implementations(): readonly (SyscallImplementation | null)[] {
  return SYSCALL_IMPLEMENTATIONS;
}

/** The instruction a thread executes next at a statement boundary: jumps are followed, as the kernel does. */
export function effectiveInstruction(kernel: Kernel, thread: Thread): Instruction | undefined {
  if (thread.routine < 0) return undefined;
  const routine = kernel.compiled.routines[thread.routine];
  if (!routine) return undefined;
  let ip = thread.ip;
  let instruction = routine.instructions[ip];
  let guard = 0;
  while (instruction !== undefined && instruction.op === Op.JUMP && guard++ < 10_000) {
    ip = instruction.target;
    instruction = routine.instructions[ip];
  }
  return instruction;
}

/** The source location a thread is at, for stacks and stops. */
export function threadLocation(kernel: Kernel, thread: Thread): SourceLocation | undefined {
  return effectiveInstruction(kernel, thread)?.loc;
}

function priorityOf(kernel: Kernel, thread: Thread): number {
  const sc = thread.sc !== 0 ? kernel.state.scs[thread.sc] : null;
  return sc ? sc.priority : thread.bootPriority;
}

/**
 * The thread that will really run on the next step. `Kernel.peek()` names the current thread even
 * when its budget has run out and the step will first preempt it; this repeats the scheduler's
 * choice (highest priority, first in, affinity) for that case.
 */
function effectiveThread(kernel: Kernel, thread: Thread): Thread {
  if (thread.kernel.active && !thread.kernel.blocked) return thread;
  const cpu = thread.cpu >= 0 ? kernel.state.cpus[thread.cpu] : undefined;
  if (!cpu || cpu.current !== thread.id) return thread;
  const sc = thread.sc !== 0 ? kernel.state.scs[thread.sc] : null;
  if (!sc || sc.freed || sc.budget > 0) return thread;
  const queue = kernel.state.machines[cpu.machine]!.runQueue;
  let best: Thread | null = null;
  let bestPriority = -Infinity;
  for (const id of queue) {
    const candidate = kernel.state.threads[id];
    if (!candidate) continue;
    if (candidate.affinity >= 0 && candidate.affinity !== cpu.local) continue;
    const priority = priorityOf(kernel, candidate);
    if (priority > bestPriority) {
      best = candidate;
      bestPriority = priority;
    }
  }
  if (!best || bestPriority < priorityOf(kernel, thread)) return thread;
  if (best.exitState === ThreadExitState.TE_EXITING) return thread;
  return best;
}

/** The kernel's scheduler internals `peek()` is built from (private in TypeScript, present at run time). */
interface SchedulerInternals {
  chooseCpu(consumeRandom: boolean): Cpu | null;
  pickIndex(cpu: Cpu): number;
}

function schedulerInternals(kernel: Kernel): SchedulerInternals | null {
  const candidate = kernel as unknown as Partial<SchedulerInternals>;
  return typeof candidate.chooseCpu === 'function' && typeof candidate.pickIndex === 'function' ? (candidate as SchedulerInternals) : null;
}

/**
 * The thread whose step runs next. `Kernel.peek()` breaks ties between CPUs at equal virtual time
 * without the PRNG (it always names the first), while `step()` draws from it; this draws too, on
 * a saved PRNG state, so the prediction is exact. Falls back to `peek()` if the internals moved.
 */
function peekThread(kernel: Kernel): Thread | undefined {
  if (kernel.state.halt !== null) return undefined;
  const internals = schedulerInternals(kernel);
  if (!internals) {
    const peeked = kernel.peek();
    return peeked && peeked.thread !== 0 ? kernel.threadById(peeked.thread) : undefined;
  }
  const saved = kernel.state.prng;
  const cpu = internals.chooseCpu.call(kernel, true);
  kernel.state.prng = saved;
  if (cpu === null) return undefined;
  const current = kernel.state.threads[cpu.current];
  if (current) return current;
  const index = internals.pickIndex.call(kernel, cpu);
  const id = index >= 0 ? kernel.state.machines[cpu.machine]!.runQueue[index] : undefined;
  return id !== undefined ? kernel.state.threads[id] ?? undefined : undefined;
}

/** The next step, or undefined when nothing can run (the kernel halts on its next step). */
export function nextStep(kernel: Kernel): NextStep | undefined {
  const peekedThread = peekThread(kernel);
  if (!peekedThread) return undefined;
  const peekedKind = peekedThread.kernel.active && !peekedThread.kernel.blocked ? 'kernel-step' : 'statement';
  const thread = peekedKind === 'statement' ? effectiveThread(kernel, peekedThread) : peekedThread;
  const frame = thread.kernel;
  if (frame.active && !frame.blocked) {
    const impl = implementation(frame.sys);
    return { kind: 'kernel-step', thread: thread.id, loc: thread.routine >= 0 ? kernel.currentInstruction(thread)?.loc : undefined, ...(impl ? { implementation: impl } : {}), stepIndex: frame.step };
  }
  return { kind: 'statement', thread: thread.id, loc: threadLocation(kernel, thread) };
}

/** `machine/process/thread`: the name the Threads view shows. */
export function threadDisplayName(kernel: Kernel, thread: Thread): string {
  const machine = kernel.state.machines[thread.machine]?.name ?? 'machine';
  const process = kernel.state.groups[thread.group]?.name ?? '?';
  const declaration = kernel.program.objects[thread.object];
  const name = declaration ? declaration.name : thread.name;
  return `${machine}/${process}/${name}`;
}

export interface MigrationLink {
  readonly client: Thread;
  readonly connection: Connection | null;
  readonly kind: 'call' | 'registration';
}

/** The client whose call (or registration) migrated into `thread`, with the connection it came over. */
export function migrationLink(kernel: Kernel, thread: Thread): MigrationLink | null {
  const config = kernel.ipcConfigOf(thread);
  if (!config || thread.state === ThreadState.TS_EXIT) return null;
  // A waiting handler serves nobody, unless it waits inside its own call (a chain A→B→C).
  if (thread.state === ThreadState.TS_WAITING && !(thread.kernel.active && thread.kernel.blocked)) return null;
  let connectionId = 0;
  let kind: 'call' | 'registration' = 'call';
  if (config.kind === IpcConfigKind.HANDLER) connectionId = config.activeConn;
  else if (config.kind === IpcConfigKind.REGISTER_CB && config.lock !== 0) {
    connectionId = kernel.objGet(thread.group, config.connCapInServer, ObjectKind.CONNECTION);
    kind = 'registration';
  }
  const connection = connectionId !== 0 ? kernel.state.connections[connectionId] ?? null : null;
  if (!connection || connection.currentClientThread === 0) return null;
  const client = kernel.state.threads[connection.currentClientThread];
  return client ? { client, connection, kind } : null;
}

/** Lines (1-based) that hold a statement a thread can stop at, with each one's first column. */
export function statementPositions(routines: readonly CompiledRoutine[]): Map<number, number[]> {
  const lines = new Map<number, number[]>();
  for (const routine of routines) {
    for (const instruction of routine.instructions) {
      if (instruction.op === Op.JUMP) continue;
      const columns = lines.get(instruction.loc.line) ?? [];
      if (!columns.includes(instruction.loc.column)) columns.push(instruction.loc.column);
      lines.set(instruction.loc.line, columns);
    }
  }
  for (const columns of lines.values()) columns.sort((a, b) => a - b);
  return lines;
}

/** The syscall statement a thread is executing or about to execute, if any. */
export function syscallAt(kernel: Kernel, thread: Thread): string | undefined {
  const instruction = effectiveInstruction(kernel, thread);
  return instruction && instruction.op === Op.SYSCALL ? instruction.text : undefined;
}

export function isLive(thread: Thread): boolean {
  return thread.state !== ThreadState.TS_EXIT;
}
