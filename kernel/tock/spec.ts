// The scenario-visible operations of Tock's IPC capsule and the MPU: their table entries.
//
// Every Tock syscall returns r0, the `SyscallReturnVariant` (FAILURE 0, SUCCESS 128,
// SUCCESS_U32 129, FAILURE_2_U32 2, SUCCESS_2_U32 130), as its value; r0..r3 are also left in the
// calling thread's registers `arg0`..`arg3`, so `arg1` holds the error code of a failure or the
// u32 of a success (`let r = tock_command(...)` then `expect r == 129 and arg1 == 1`).
import type { BuiltinSpec, SyscallSpec } from '../syscalls';

const SEED = 'tock-ipc.rs.txt';
const R = 'r0 (`SyscallReturnVariant`); r1..r3 in `arg1`..`arg3`.';

export const TOCK_SYSCALLS: readonly SyscallSpec[] = [
  {
    name: 'tock_command',
    kernelName: 'Syscall::Command',
    family: 'tock',
    params: [
      { name: 'driver', kind: 'integer', doc: 'The driver number; the IPC capsule is 0x10000.' },
      { name: 'command', kind: 'integer', doc: '0 driver check, 1 discover, 2 notify a service, 3 notify a client.' },
      { name: 'arg1', kind: 'integer', optional: true, doc: 'The target descriptor (`target_id`) for commands 2 and 3.' },
      { name: 'arg2', kind: 'integer', optional: true, doc: 'Unused by the IPC capsule.' },
    ],
    summary:
      'Tock `command` on a driver. IPC: 1 discovers the service named by the read-only allow buffer; 2 and 3 queue a `Task::IPC` on the target, delivered (phase 2) when the target yields.',
    returns: `${R} success() 128, success_u32(descriptor) 129 with arg1 = descriptor, failure(e) 0 with arg1 = e.`,
    errors: [
      { code: 'NODEVICE', when: 'no such driver (only 0x10000 exists)', rows: [] },
      { code: 'NOMEM', when: 'command 1: the IPC grant cannot be allocated (grant region exhausted)', rows: ['TK-DISC-01'] },
      { code: 'NODEVICE', when: 'command 1: no process has exactly that name, or no (or an empty) search buffer was allowed', rows: ['TK-DISC-04', 'TK-DISC-05'] },
      { code: 'INVAL', when: 'commands 2/3: no process in slot `arg1`', rows: ['TK-SVC-01', 'TK-CLI-01'] },
      { code: 'NODEVICE', when: 'commands 2/3: the target is Faulted or Terminated', rows: ['TK-SVC-03', 'TK-CLI-03'] },
      { code: 'NOMEM', when: "commands 2/3: the target's task queue holds 9 tasks (its dropped-upcall count grows)", rows: ['TK-SVC-04', 'TK-CLI-04'] },
      { code: 'NOSUPPORT', when: 'any other command number', rows: ['TK-CMDX-01'] },
    ],
    seed: `${SEED} L352-474`,
  },
  {
    name: 'tock_subscribe',
    kernelName: 'Syscall::Subscribe',
    family: 'tock',
    params: [
      { name: 'driver', kind: 'integer', doc: 'The driver number (0x10000).' },
      { name: 'num', kind: 'integer', doc: 'The upcall slot: IPC slot i is for notifications about process i (own index: service upcall).' },
      { name: 'routine', kind: 'routine', optional: true, doc: 'The upcall routine (args: caller id, length, address, userdata); omitted or 0: the null upcall.' },
      { name: 'userdata', kind: 'integer', optional: true, doc: 'Passed back as the fourth upcall argument.' },
    ],
    summary: 'Tock `subscribe`: installs an upcall in a slot of the IPC grant (allocating the grant on first use).',
    returns: `${R} success_2_u32(old routine, old userdata) 130, or failure_2_u32(e, routine, userdata) 2 with arg1 = e.`,
    errors: [
      { code: 'NODEVICE', when: 'no such driver', rows: [] },
      { code: 'NOMEM', when: 'the IPC grant cannot be allocated', rows: ['TK-GRANT-02'] },
      { code: 'INVAL', when: '`num` >= NUM_PROCS', rows: ['TK-ADJ-01'] },
    ],
    seed: `${SEED} L283-288, L477-479 (kernel.rs subscribe, release-2.1)`,
  },
  {
    name: 'tock_allow_ro',
    kernelName: 'Syscall::AllowReadOnly',
    family: 'tock',
    params: [
      { name: 'driver', kind: 'integer', doc: 'The driver number (0x10000).' },
      { name: 'num', kind: 'integer', doc: 'The read-only allow slot: IPC has only 0 (`SEARCH`, the name to discover).' },
      { name: 'addr', kind: 'address', optional: true, doc: 'The buffer, in the process\'s own memory.' },
      { name: 'len', kind: 'integer', optional: true, doc: 'Its length in bytes; 0 un-allows.' },
    ],
    summary: 'Tock `allow_readonly`: shares a buffer with the capsule (the name `tock_command(command: 1)` searches for).',
    returns: `${R} success_2_u32(old addr, old len) 130, or failure_2_u32(e, addr, len) 2 with arg1 = e.`,
    errors: [
      { code: 'NODEVICE', when: 'no such driver', rows: [] },
      { code: 'INVAL', when: 'the buffer is not in the process\'s own memory', rows: [] },
      { code: 'NOMEM', when: 'the IPC grant cannot be allocated', rows: ['TK-GRANT-02'] },
      { code: 'INVAL', when: '`num` >= 1', rows: ['TK-ADJ-02'] },
    ],
    seed: `${SEED} L258-263, L377-380 (kernel.rs allow, release-2.1)`,
  },
  {
    name: 'tock_allow_rw',
    kernelName: 'Syscall::AllowReadWrite',
    family: 'tock',
    params: [
      { name: 'driver', kind: 'integer', doc: 'The driver number (0x10000).' },
      { name: 'num', kind: 'integer', doc: 'The read-write allow slot: the descriptor of the process the buffer is shared with.' },
      { name: 'addr', kind: 'address', optional: true, doc: 'The buffer, in the process\'s own writable memory.' },
      { name: 'len', kind: 'integer', optional: true, doc: 'Its length in bytes; 0 un-allows.' },
    ],
    summary:
      'Tock `allow_readwrite`: shares a buffer with process `num`; when a notification from this process is delivered to it, it gets an MPU region on the buffer.',
    returns: `${R} success_2_u32(old addr, old len) 130, or failure_2_u32(e, addr, len) 2 with arg1 = e.`,
    errors: [
      { code: 'NODEVICE', when: 'no such driver', rows: [] },
      { code: 'INVAL', when: 'the buffer is not in the process\'s own writable memory', rows: [] },
      { code: 'NOMEM', when: 'the IPC grant cannot be allocated', rows: ['TK-GRANT-02'] },
      { code: 'INVAL', when: '`num` >= NUM_PROCS', rows: ['TK-ADJ-03'] },
    ],
    seed: `${SEED} L283-288, L318-329 (kernel.rs allow, release-2.1)`,
  },
  {
    name: 'tock_yield',
    kernelName: 'Syscall::Yield',
    family: 'tock',
    params: [{ name: 'wait', kind: 'integer', optional: true, doc: '1 (default) yield-wait; 0 yield-no-wait.' }],
    summary:
      'Tock `yield`: the process becomes Yielded and the kernel loop services its task queue: IPC tasks are delivered (`schedule_upcall`), and the first upcall runs on this thread; when the upcall routine ends, the code after the yield continues. Yield-wait blocks until an upcall runs.',
    returns: 'yield-wait: 0 after an upcall ran. yield-no-wait: 1 if an upcall ran, 0 if none was pending.',
    errors: [],
    seed: `${SEED} L303-339 (kernel.rs kernel loop and yield, release-2.1)`,
  },
  {
    name: 'tock_memop',
    kernelName: 'Syscall::Memop',
    family: 'tock',
    params: [
      { name: 'operation', kind: 'integer', doc: '0 brk, 1 sbrk, 2 RAM start, 3 RAM end, 6 grant region start (kernel break).' },
      { name: 'arg', kind: 'integer', optional: true, doc: 'brk: the new app break; sbrk: the increment.' },
    ],
    summary: 'Tock `memop`: moves the app break (growing it toward the grant region exhausts the grant memory) or reports the RAM layout.',
    returns: `${R} brk: success() 128; sbrk: success_u32(old break) 129; 2/3/6: success_u32(address) 129; failure(NOMEM) for a break outside [RAM start, kernel break).`,
    errors: [
      { code: 'NOMEM', when: 'the new break is below the RAM start, at or past the RAM end, or above the kernel break', rows: [] },
      { code: 'NOSUPPORT', when: 'any other operation', rows: [] },
    ],
    seed: 'Tock release-2.1 memop.rs (outside seed)',
  },
  {
    name: 'tock_exit',
    kernelName: 'Syscall::Exit',
    family: 'tock',
    params: [
      { name: 'restart', kind: 'integer', optional: true, doc: '0 (default) exit-terminate; 1 exit-restart.' },
      { name: 'code', kind: 'integer', optional: true, doc: 'The completion code (recorded in the trace).' },
    ],
    summary:
      'Tock `exit`: terminate ends the process (Terminated: its tasks and grants are dropped). Restart gives it a new ProcessId identifier, resets its tasks, grants, MPU regions and app break, and runs its thread from the top again (memory in its PMOs is kept).',
    returns: 'Does not return.',
    errors: [],
    seed: 'Tock release-2.1 process_standard.rs terminate / try_restart (outside seed; makes TK-UPC-02 reachable)',
  },
];

export const TOCK_BUILTINS: readonly BuiltinSpec[] = [];
