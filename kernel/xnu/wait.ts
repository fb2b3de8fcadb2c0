// Blocking inside an XNU operation: the thread parks in its current kernel step (TS_WAITING,
// frame blocked) on a node, port, port set, mnl object or link; a wake re-enqueues it and the
// same step runs again and re-checks its condition.

import { ThreadState } from '../constants';
import type { Kernel } from '../kernel';
import type { SyscallFrame, Thread } from '../state';
import { StepResult } from '../syscall-types';
import type { XnuWaiter } from './state';

/** Parks the calling thread; returns StepResult.SWITCHED for the step function. */
export function block(kernel: Kernel, t: Thread, f: SyscallFrame, kind: XnuWaiter['kind'], target: number): number {
  f.blocked = true;
  kernel.state.nodes.waiters.push({ thread: t.id, kind, target });
  kernel.setState(t, ThreadState.TS_WAITING);
  kernel.schedule(kernel.cpu, 'block');
  return StepResult.SWITCHED;
}

/** Wakes one parked thread, ready at `time` (its CPU will not run it earlier). */
export function wakeThread(kernel: Kernel, threadId: number, time: number): void {
  const waiters = kernel.state.nodes.waiters;
  for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]!.thread === threadId) waiters.splice(i, 1);
  const t = kernel.state.threads[threadId];
  if (!t || t.state === ThreadState.TS_EXIT) return;
  if (t.queued) {
    // Already woken for a later time (a message still in flight): an earlier wake wins.
    if (t.readyAt > time) t.readyAt = time;
    return;
  }
  if (!t.kernel.blocked) return;
  t.kernel.blocked = false;
  kernel.enqueue(t, time);
}

/** Wakes every thread parked on (kind, target). */
export function wakeWaiters(kernel: Kernel, kind: XnuWaiter['kind'], target: number, time: number): void {
  const waiters = kernel.state.nodes.waiters;
  if (waiters.length === 0) return;
  const woken: number[] = [];
  for (const w of waiters) if (w.kind === kind && w.target === target) woken.push(w.thread);
  for (const id of woken) wakeThread(kernel, id, time);
}
