// A thread's call stack as the debugger shows it: kernel frames of a syscall in progress above the
// scenario frame, then, for a handler serving a migrated call, a label frame and the client's
// frames below, down the chain A→B→C. Knows nothing of DAP.

import type { Kernel } from '../kernel/kernel';
import type { SourceLocation } from '../kernel/program';
import { ThreadState } from '../kernel/constants';
import type { Thread } from '../kernel/state';
import { implementation, migrationLink, threadDisplayName, threadLocation } from './inspect';

export type FrameView =
  | { readonly kind: 'scenario'; readonly thread: Thread; readonly name: string; readonly loc: SourceLocation | undefined; /** A caller's frame below a passive driver routine (its locals are saved, not live). */ readonly callerDepth?: number }
  | { readonly kind: 'kernel'; readonly thread: Thread; readonly name: string; readonly syscallIndex: number; readonly step: number; readonly loc: SourceLocation | undefined }
  | { readonly kind: 'migration'; readonly thread: Thread; readonly name: string };

const MAX_CHAIN = 60;

export function buildStack(kernel: Kernel, thread: Thread): FrameView[] {
  const frames: FrameView[] = [];
  const seen = new Set<number>();
  let current: Thread | null = thread;
  while (current && !seen.has(current.id) && seen.size < MAX_CHAIN) {
    seen.add(current.id);
    const f = current.kernel;
    const loc = threadLocation(kernel, current);
    const display = threadDisplayName(kernel, current);
    const mt = kernel.state.mach?.threads?.[current.id];
    // A thread serving a passive call is parked in its caller's mach_msg but runs the driver's
    // statements: that parked frame is shown below the driver routine, not above it.
    const runsPassive = mt !== undefined && mt !== null && mt.passiveDepth > 0 && f.blocked && current.state !== ThreadState.TS_WAITING;
    if (f.active && !runsPassive) {
      const impl = implementation(f.sys);
      const step = impl?.stepNames[f.step] ?? '?';
      frames.push({
        kind: 'kernel',
        thread: current,
        name: `${impl?.kernelName ?? 'syscall'} › ${step}${f.blocked ? ' (waiting)' : ''}`,
        syscallIndex: f.sys,
        step: f.step,
        loc: current.routine >= 0 ? kernel.currentInstruction(current)?.loc : undefined,
      });
    }
    const routine = current.routine >= 0 ? kernel.compiled.routines[current.routine] : undefined;
    const waiting = current.state === ThreadState.TS_WAITING && !f.active && current.type !== 2 ? ' (waiting for a migration)' : '';
    const exited = current.state === ThreadState.TS_EXIT ? ' (exited)' : '';
    frames.push({
      kind: 'scenario',
      thread: current,
      name: `${routine ? routine.name : `<pc 0x${current.badPc.toString(16)}>`} [${display}]${waiting}${exited}`,
      loc: f.active ? kernel.currentInstruction(current)?.loc ?? loc : loc,
    });
    // Passive Mach calls (kobject / IOKit driver routines) run on the caller's own thread: below
    // the routine, the caller's frame at its mach_msg, innermost call first. No thread switch.
    if (mt && mt.passiveDepth > 0) {
      for (let depth = mt.passiveDepth - 1; depth >= 0; depth--) {
        const saved = mt.passiveStack[depth];
        if (!saved) continue;
        const callerRoutine = kernel.compiled.routines[saved.routine];
        const impl = implementation(saved.sys);
        frames.push({
          kind: 'kernel',
          thread: current,
          name: `${impl?.kernelName ?? 'mach_msg'} › ipc_kobject_server (passive call on this thread)`,
          syscallIndex: saved.sys,
          step: Math.max(0, (impl?.stepNames.indexOf('ipc_kobject_server') ?? 0)),
          loc: callerRoutine?.instructions[saved.ip]?.loc,
        });
        frames.push({
          kind: 'scenario',
          thread: current,
          name: `${callerRoutine ? callerRoutine.name : '?'} [${display}]`,
          loc: callerRoutine?.instructions[saved.ip]?.loc,
          callerDepth: depth,
        });
      }
    }
    const link = migrationLink(kernel, current);
    if (!link) break;
    const conn = link.connection;
    const via = conn ? ` via conn ${conn.connCapInClient} (badge ${conn.clientBadge})` : '';
    frames.push({
      kind: 'migration',
      thread: link.client,
      name: `⇦ ${link.kind === 'registration' ? 'registration' : 'migrated'} from ${threadDisplayName(kernel, link.client)}${via}`,
    });
    current = link.client;
  }
  return frames;
}
