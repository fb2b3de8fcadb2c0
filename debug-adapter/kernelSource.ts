// Kernel pseudo-code: one generated text per syscall implementation listing its named kernel
// steps, one per line, so that a kernel stack frame points at the line of the step it is in.

import type { SyscallImplementation } from '../kernel/syscall-types';
import { SYSCALLS } from '../kernel/syscalls';
import { implementations } from './inspect';

/** Lines before the first step. */
const HEADER_LINES = 3;

/** sourceReference of a syscall's pseudo-code (DAP wants > 0). */
export function kernelSourceReference(syscallIndex: number): number {
  return syscallIndex + 1;
}

export function syscallIndexOfReference(reference: number): number {
  return reference - 1;
}

/** 1-based line of step `stepIndex`. */
export function kernelStepLine(stepIndex: number): number {
  return HEADER_LINES + 1 + stepIndex;
}

/** The step index a line names, or -1. */
export function kernelStepAtLine(implementation: SyscallImplementation, line: number): number {
  const index = line - HEADER_LINES - 1;
  return index >= 0 && index < implementation.stepNames.length ? index : -1;
}

export function kernelSourceName(implementation: SyscallImplementation): string {
  return `${implementation.kernelName}.kernel`;
}

export function kernelSourceText(implementation: SyscallImplementation): string {
  const spec = SYSCALLS.find((s) => s.name === implementation.name);
  const lines = [
    `// ${implementation.kernelName}: the kernel steps the emulator runs for \`${implementation.name}\` (pseudo-code, one step per line).`,
    `// Seed: ${spec?.seed ?? 'n/a'}`,
    `${implementation.kernelName}(${implementation.argNames.join(', ')}) {`,
    ...implementation.stepNames.map((step) => `    ${step};`),
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

export function kernelSourceByReference(reference: number): { implementation: SyscallImplementation; text: string } | undefined {
  const implementation = implementations()[syscallIndexOfReference(reference)];
  if (!implementation) return undefined;
  return { implementation, text: kernelSourceText(implementation) };
}
