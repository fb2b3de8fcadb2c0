// The syscall dispatch table: one implementation per entry of SYSCALLS, by index, so the
// hot path dispatches on a number.

import { CHCORE_SYSCALLS } from './chcore';
import { GENERIC_SYSCALLS } from './generic';
import type { SyscallImplementation } from './syscall-types';
import { SYSCALLS } from './syscalls';
import { XNU_SYSCALL_IMPLEMENTATIONS } from './xnu/syscalls';
import { TOCK_SYSCALL_IMPLEMENTATIONS } from './tock/ipc';
import { MACH_SYSCALL_IMPLEMENTATIONS } from './mach/syscalls';

const BY_NAME = new Map<string, SyscallImplementation>([...CHCORE_SYSCALLS, ...GENERIC_SYSCALLS, ...TOCK_SYSCALL_IMPLEMENTATIONS, ...XNU_SYSCALL_IMPLEMENTATIONS, ...MACH_SYSCALL_IMPLEMENTATIONS].map((impl) => [impl.name, impl]));

/** Implementations indexed like SYSCALLS (null for a syscall the kernel does not implement). */
export const SYSCALL_IMPLEMENTATIONS: readonly (SyscallImplementation | null)[] = SYSCALLS.map((spec) => BY_NAME.get(spec.name) ?? null);
