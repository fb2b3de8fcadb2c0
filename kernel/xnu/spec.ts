// The scenario-visible operations of XNU's node table, link-driver KPI and FLIPC between machines: their table entries.
import type { BuiltinSpec, SyscallSpec } from '../syscalls';

export const XNU_SYSCALLS: readonly SyscallSpec[] = [];

export const XNU_BUILTINS: readonly BuiltinSpec[] = [];
