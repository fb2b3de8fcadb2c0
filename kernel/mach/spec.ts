// The scenario-visible operations of Mach ports, messages and the two ways RPC reaches the kernel: their table entries.
import type { BuiltinSpec, SyscallSpec } from '../syscalls';

export const MACH_SYSCALLS: readonly SyscallSpec[] = [];

export const MACH_BUILTINS: readonly BuiltinSpec[] = [];
