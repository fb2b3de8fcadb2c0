// Readable lines for the Tock part of the kernel state (used by `summarizeState`).

import type { KernelState } from '../state';
import { describeRegion } from './mpu';
import type { TockTask } from './types';

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

/** One task as text: `IPC(client, service)` or `FunctionCall(on_notify(1, 64, 0x20000000, 0))`. */
export function describeTask(task: TockTask): string {
  if (task.kind === 'ipc') return `IPC(${task.fromName}, ${task.type === 'service' ? 'Service' : 'Client'})`;
  if (task.source === 'init') return 'FunctionCall(init)';
  return `FunctionCall(${task.label}: ${task.arg0}, ${task.arg1}, ${hex(task.arg2)}, ${task.arg3})`;
}

/** The Tock processes of every board, with their queues, grants and MPU regions. */
export function summarizeTock(s: KernelState): string[] {
  const tock = s.tock;
  if (!tock || !tock.active) return [];
  const lines: string[] = [];
  for (const board of tock.boards) {
    if (board.slots.length === 0) continue;
    lines.push(`Tock board ${board.machineName} (NUM_PROCS ${board.numProcs}, ${board.slots.length} process slots):`);
    board.slots.forEach((index, slot) => {
      if (index < 0) {
        lines.push(`  [${slot}] empty`);
        return;
      }
      const p = tock.processes[index]!;
      lines.push(
        `  [${slot}] ${p.name} ${p.state}, RAM ${hex(p.ramStart)}-${hex(p.ramEnd)} (app break ${hex(p.appBreak)}, kernel break ${hex(p.kernelBreak)}), dropped upcalls ${p.droppedUpcalls}`,
      );
      lines.push(`    tasks: ${p.tasks.length === 0 ? 'none' : p.tasks.map(describeTask).join(', ')}`);
      if (p.ipc.allocated) {
        const upcalls = p.ipc.upcalls.map((u, i) => (u.routine === 0 ? null : `[${i}] ${hex(u.routine)}/${u.userdata}`)).filter((x) => x !== null);
        const shared = p.ipc.shared.map((b, i) => (b.len === 0 && b.addr === 0 ? null : `[${i}] ${b.len}@${hex(b.addr)}`)).filter((x) => x !== null);
        lines.push(
          `    ipc grant (${p.ipc.bytes} bytes): upcalls ${upcalls.length ? upcalls.join(', ') : 'none'}; search ${p.ipc.search.len}@${hex(p.ipc.search.addr)}; shared ${shared.length ? shared.join(', ') : 'none'}`,
        );
      } else {
        lines.push('    ipc grant: not allocated');
      }
      if (p.mpuRegions.length > 0) lines.push(`    mpu: ${p.mpuRegions.map((r, i) => `#${i} ${describeRegion(r)}`).join('; ')}`);
    });
  }
  return lines;
}
