// The generic syscalls (outside the seed, following ChCore's behaviour as seed-paths.md states
// it): capability copy and free, PMO creation, map and unmap, yield, thread exit, and `kill`, the
// recycler's first half (marks threads TE_EXITING so the seed's exiting paths become reachable).

import { ChCoreError, ThreadExitState } from './constants';
import { afterFault } from './faults';
import { mapPmo, unmapPmo } from './memory';
import { ObjectKind } from './state';
import { StepResult, syscall, type KernelStep } from './syscall-types';
import { rawPrologue } from './userlib';

const { DONE, SWITCHED } = StepResult;
const EINVAL = -ChCoreError.EINVAL;
const ECAPBILITY = -ChCoreError.ECAPBILITY;
const ENOMEM = -ChCoreError.ENOMEM;

const capCopySteps: (readonly [string, KernelStep])[] = [
  [
    'obj_get(target_group)',
    (k, _t, f) => {
      if (k.state.kinds[f.a1] !== ObjectKind.CAP_GROUP) {
        f.r = ECAPBILITY;
        return DONE;
      }
      return 1;
    },
  ],
  [
    'cap_copy',
    (k, t, f) => {
      f.r = k.capCopy(t.group, f.a1, f.a0);
      return DONE;
    },
  ],
];

const capFreeSteps: (readonly [string, KernelStep])[] = [
  [
    'cap_free',
    (k, t, f) => {
      f.r = k.capFree(t.group, f.a0);
      return DONE;
    },
  ],
];

const pmoCreateSteps: (readonly [string, KernelStep])[] = [
  [
    'pmo_init',
    (k, t, f) => {
      if (!(f.a0 > 0)) {
        f.r = EINVAL;
        return DONE;
      }
      const pmo = k.createUserPmo(t, f.a0);
      if (pmo < 0) {
        f.r = ENOMEM;
        return DONE;
      }
      f.v0 = pmo;
      return 1;
    },
  ],
  [
    'cap_alloc',
    (k, t, f) => {
      const cap = k.capAlloc(t.group, f.v0);
      if (cap < 0) {
        const pmo = k.state.pmos[f.v0]!;
        pmo.freed = true;
        k.state.machines[pmo.machine]!.committed -= pmo.size;
        f.r = ENOMEM;
        return DONE;
      }
      f.r = cap;
      return DONE;
    },
  ],
];

const mapSteps: (readonly [string, KernelStep])[] = [
  [
    'obj_get(pmo)',
    (k, t, f) => {
      f.v0 = k.objGet(t.group, f.a0, ObjectKind.PMO);
      if (f.v0 === 0) {
        f.r = ECAPBILITY;
        return DONE;
      }
      return 1;
    },
  ],
  [
    'vmspace_map_range',
    (k, t, f) => {
      const vmspace = k.state.vmspaces[k.state.groups[t.group]!.vmspace]!;
      f.r = mapPmo(vmspace, k.state.pmos[f.v0]!, f.a1, f.a2 !== 0);
      return DONE;
    },
  ],
];

const unmapSteps: (readonly [string, KernelStep])[] = [
  mapSteps[0]!,
  [
    'vmspace_unmap_range',
    (k, t, f) => {
      const vmspace = k.state.vmspaces[k.state.groups[t.group]!.vmspace]!;
      f.r = unmapPmo(vmspace, f.v0, f.a1);
      return DONE;
    },
  ],
];

const yieldSteps: (readonly [string, KernelStep])[] = [
  [
    'sched',
    (k, t) => {
      k.finishSyscall(t, 0);
      k.schedule(k.cpu, 'yield');
      return SWITCHED;
    },
  ],
];

const threadExitSteps: (readonly [string, KernelStep])[] = [
  [
    'thread_exit',
    (k, t) => {
      k.exitThread(t);
      k.schedule(k.cpu, 'exit');
      return SWITCHED;
    },
  ],
];

const killSteps: (readonly [string, KernelStep])[] = [
  [
    'mark_exiting',
    (k, _t, f) => {
      const s = k.state;
      const kind = s.kinds[f.a0];
      const mark = (id: number): void => {
        const thread = s.threads[id]!;
        if (thread.exitState === ThreadExitState.TE_RUNNING) thread.exitState = ThreadExitState.TE_EXITING;
      };
      if (kind === ObjectKind.THREAD) mark(f.a0);
      else if (kind === ObjectKind.CAP_GROUP) s.groups[f.a0]!.threads.forEach(mark);
      else {
        f.r = EINVAL;
        return DONE;
      }
      // Threads parked in XNU waits wake and die, as with a `fault ... kill` declaration.
      afterFault(k);
      f.r = 0;
      return DONE;
    },
  ],
];

export const GENERIC_SYSCALLS = [
  syscall('cap_copy', 'cap_copy', ['cap', 'dest_group'], capCopySteps, rawPrologue),
  syscall('cap_free', 'cap_free', ['cap'], capFreeSteps, rawPrologue),
  syscall('pmo_create', 'sys_create_pmo', ['size'], pmoCreateSteps, rawPrologue),
  syscall('map', 'sys_map_pmo', ['pmo_cap', 'addr', 'writable'], mapSteps, (k, t, i, f) => {
    rawPrologue(k, t, i, f);
    if (!i.arguments[2]) f.a2 = 1;
  }),
  syscall('unmap', 'sys_unmap_pmo', ['pmo_cap', 'addr'], unmapSteps, rawPrologue),
  syscall('yield', 'sys_yield', [], yieldSteps, rawPrologue),
  syscall('thread_exit', 'sys_thread_exit', [], threadExitSteps, rawPrologue),
  syscall('kill', 'kill', ['target'], killSteps, rawPrologue),
];
