// A thread's call stack as the debugger shows it: kernel frames of a syscall in progress above the
// scenario frame, then, for a handler serving a migrated call, a label frame and the client's
// frames below, down the chain A→B→C. Knows nothing of DAP.

import type { Kernel } from '../kernel/kernel';
import type { SourceLocation } from '../kernel/program';
import { ThreadState } from '../kernel/constants';
import type { Thread } from '../kernel/state';
import { implementation, migrationLink, threadDisplayName, threadLocation } from './inspect';

export type FrameView =
  | { readonly kind: 'scenario'; readonly thread: Thread; readonly name: string; readonly loc: SourceLocation | undefined }
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
    if (f.active) {
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
