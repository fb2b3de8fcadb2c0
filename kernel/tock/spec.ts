// The scenario-visible operations of Tock's IPC capsule and the MPU: their table entries.
import type { BuiltinSpec, SyscallSpec } from '../syscalls';

export const TOCK_SYSCALLS: readonly SyscallSpec[] = [];

export const TOCK_BUILTINS: readonly BuiltinSpec[] = [];
