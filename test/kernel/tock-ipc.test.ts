// Tock rows of seed-paths.md section 3: the IPC capsule's command (TK-CMD0, TK-DISC, TK-SVC,
// TK-CLI, TK-CMDX), phase 2 `schedule_upcall` (TK-UPC), grant allocation (TK-GRANT) and the
// adjacent framework rows (TK-ADJ). Each test is a small scenario; its Tock trace lines and its
// expectations pin the literal release-2.1 behaviour.
//
// Rows a scenario cannot reach (Ex = K) have no test: TK-DISC-02 (slot 0 < count 1),
// TK-SVC-02 / TK-CLI-02 (the process just found is there), TK-SVC-05 / TK-CLI-05 (every process
// has a task queue), TK-UPC-01 (the receiver is the process being serviced). Their steps exist
// and are named in the kernel-step trace.
import { describe, expect, it } from 'vitest';
import { runTock, service, tockProcess, type TockRun } from './tock-helpers';

function green(run: TockRun, passed: number): void {
  expect(run.failures).toEqual([]);
  expect(run.passed).toBe(passed);
  expect(run.events.filter((e) => e.kind === 'kernel-fault')).toEqual([]);
}

/** A Tock process that only runs `body` (no subscribe). */
function proc(name: string, body: string, extra = ''): string {
  return `
process ${name} tock {
${extra}
  thread main {
${body}
  }
}
`;
}

/** A Tock process that stays Running (never Tock-yields) for a while, so its queue fills up. */
const busy = (name: string, rounds = 30): string => proc(name, `    repeat ${rounds} {\n      yield()\n    }`);

describe('command 0 and unknown commands', () => {
  it('TK-CMD0-01 command 0 returns success() with or without a grant, any target', () => {
    const run = runTock(
      proc(
        'a',
        `    let r = tock_command(driver: 0x10000, command: 0, arg1: 99)
    expect r == 128
    expect arg1 == 0
    let s = tock_subscribe(driver: 0x10000, num: 0)
    let r2 = tock_command(driver: 0x10000, command: 0)
    expect r2 == 128`,
      ),
    );
    green(run, 3);
    expect(run.lines).toContain('tock command a: command 0 (driver check) → success()  (TK-CMD0-01)');
  });

  it('TK-CMDX-01 any other command number returns failure(NOSUPPORT)', () => {
    const run = runTock(
      proc(
        'a',
        `    let r = tock_command(driver: 0x10000, command: 4)
    expect r == 0
    expect arg1 == NOSUPPORT
    let r2 = tock_command(driver: 0x10000, command: 99, arg1: 1)
    expect r2 == 0 and arg1 == 10`,
      ),
    );
    green(run, 3);
    expect(run.lines).toContain('tock command a: command 4 → failure(NOSUPPORT)  (TK-CMDX-01)');
  });

  it('a driver other than 0x10000 returns failure(NODEVICE) for every Tock syscall', () => {
    const run = runTock(
      proc(
        'a',
        `    let c = tock_command(driver: 0x10001, command: 0)
    expect c == 0 and arg1 == NODEVICE
    let s = tock_subscribe(driver: 3, num: 0)
    expect s == 2 and arg1 == NODEVICE
    let r = tock_allow_ro(driver: 3, num: 0)
    expect r == 2 and arg1 == NODEVICE
    let w = tock_allow_rw(driver: 3, num: 0)
    expect w == 2 and arg1 == NODEVICE`,
      ),
    );
    green(run, 4);
  });
});

describe('command 1: discover', () => {
  const discover = (name: string, len?: number): string => `
    store_bytes(0x2000_1000 - 64, "${name}")
    let a = tock_allow_ro(driver: 0x10000, num: 0, addr: 0x2000_1000 - 64, len: ${len ?? name.length})
    expect a == 130
    let d = tock_command(driver: 0x10000, command: 1)`;

  it('TK-DISC-03 returns success_u32(index) of the first process with exactly that name, in any state', () => {
    const run = runTock(`
${proc('client', `    repeat 3 {
      yield()
    }
${discover('svc')}
    expect d == 129 and arg1 == 1
    let d2 = tock_command(driver: 0x10000, command: 1)
    expect d2 == 129 and arg1 == 1
    store_bytes(0x2000_1000 - 64, "client")
    let a2 = tock_allow_ro(driver: 0x10000, num: 0, addr: 0x2000_1000 - 64, len: 6)
    let self = tock_command(driver: 0x10000, command: 1)
    expect self == 129 and arg1 == 0`)}
${proc('svc', '    tock_exit()')}`);
    green(run, 4);
    // The svc process is Terminated by then (it exited first): discovery still finds it.
    expect(run.lines).toContain('tock command client: command 1 (discover) → success_u32(1): "svc" is process 1 (Terminated)  (TK-DISC-03)');
    expect(run.lines).toContain('tock command client: command 1 (discover) → success_u32(0): "client" is process 0 (Running)  (TK-DISC-03)');
  });

  it('TK-DISC-04 a name that is a prefix, a suffix or differs in case finds nothing: failure(NODEVICE)', () => {
    const run = runTock(`
${proc('client', `${discover('sv')}
    expect d == 0 and arg1 == NODEVICE
    store_bytes(0x2000_1000 - 64, "SVC")
    let d2 = tock_command(driver: 0x10000, command: 1)
    expect d2 == 0 and arg1 == NODEVICE
    store_bytes(0x2000_1000 - 64, "svcx")
    let a4 = tock_allow_ro(driver: 0x10000, num: 0, addr: 0x2000_1000 - 64, len: 4)
    let d3 = tock_command(driver: 0x10000, command: 1)
    expect d3 == 0 and arg1 == NODEVICE`)}
${busy('svc', 1)}`);
    green(run, 4);
    expect(run.lines).toContain('tock command client: command 1 (discover) → failure(NODEVICE): no process is named exactly "sv"  (TK-DISC-04)');
    expect(run.lines).toContain('tock command client: command 1 (discover) → failure(NODEVICE): no process is named exactly "svcx"  (TK-DISC-04)');
  });

  it('TK-DISC-05 without a search buffer (or with a zero-length one) the name is empty: failure(NODEVICE), not INVAL', () => {
    const run = runTock(`
${proc('client', `    let d0 = tock_command(driver: 0x10000, command: 1)
    expect d0 == 0 and arg1 == NODEVICE
${discover('svc', 0)}
    expect d == 0 and arg1 == NODEVICE`)}
${busy('svc', 1)}`);
    green(run, 3);
    expect(run.lines.filter((l) => l.endsWith('(TK-DISC-05)'))).toHaveLength(2);
    // The first discover allocated the grant on demand (Grant::enter).
    expect(run.lines[1]).toBe('tock grant client: IPC grant allocated: 80 bytes at 0x20001fb0 (4 upcall slots, 1 read-only and 4 read-write allow slots)  (TK-DISC-01)');
  });

  it('TK-DISC-01 when the grant cannot be allocated (grant region exhausted by sbrk) discover returns failure(NOMEM)', () => {
    const run = runTock(
      proc(
        'client',
        `    let m = tock_memop(operation: 1, arg: 4096 - 16)
    expect m == 129 and arg1 == 0x2000_1000
    let d = tock_command(driver: 0x10000, command: 1)
    expect d == 0 and arg1 == NOMEM`,
      ),
    );
    green(run, 2);
    expect(run.lines).toContain(
      'tock grant client: cannot allocate the IPC grant: 80 bytes below the kernel break 0x20002000 would cross the app break 0x20001ff0  (TK-DISC-01)',
    );
    expect(run.lines).toContain('tock command client: command 1 (discover) → failure(NOMEM)  (TK-DISC-01)');
  });
});

describe.each([
  [2, 'SVC', 'notify service'],
  [3, 'CLI', 'notify client'],
] as const)('command %i: %s', (command, row, label) => {
  it(`TK-${row}-01 a target that does not exist returns failure(INVAL): out of range, an empty slot, usize::MAX`, () => {
    const run = runTock(
      proc(
        'a',
        `    let r = tock_command(driver: 0x10000, command: ${command}, arg1: 9)
    expect r == 0 and arg1 == INVAL
    let e = tock_command(driver: 0x10000, command: ${command}, arg1: 2)
    expect e == 0 and arg1 == INVAL
    let m = tock_command(driver: 0x10000, command: ${command}, arg1: 0xffff_ffff)
    expect m == 0 and arg1 == INVAL`,
      ) + busy('b', 1),
    );
    green(run, 3);
    expect(run.lines).toContain(`tock command a: command ${command} (${label}) target 2 → failure(INVAL): no process in slot 2  (TK-${row}-01)`);
  });

  it(`TK-${row}-03 a Faulted or Terminated target returns failure(NODEVICE) without counting a dropped upcall`, () => {
    const run = runTock(`
${proc(
  'a',
  `    repeat 3 {
      yield()
    }
    let f = tock_command(driver: 0x10000, command: ${command}, arg1: 1)
    expect f == 0 and arg1 == NODEVICE
    let t = tock_command(driver: 0x10000, command: ${command}, arg1: 2)
    expect t == 0 and arg1 == NODEVICE`,
)}
${proc('faulty', '    let x = load32(0x10)')}
${proc('done', '    print "done"')}`);
    green(run, 2);
    expect(tockProcess(run, 'faulty').state).toBe('Faulted');
    expect(tockProcess(run, 'done').state).toBe('Terminated');
    expect(tockProcess(run, 'faulty').droppedUpcalls).toBe(0);
    expect(run.lines).toContain(`tock command a: command ${command} (${label}) target 1 → failure(NODEVICE): faulty is Faulted  (TK-${row}-03)`);
    expect(run.lines).toContain(`tock command a: command ${command} (${label}) target 2 → failure(NODEVICE): done is Terminated  (TK-${row}-03)`);
  });

  it(`TK-${row}-04 a target whose queue holds 9 tasks returns failure(NOMEM) and counts a dropped upcall`, () => {
    const run = runTock(`
${busy('target')}
${proc(
  'a',
  `    repeat 9 {
      let ok = tock_command(driver: 0x10000, command: ${command}, arg1: 0)
      expect ok == 128
    }
    let full = tock_command(driver: 0x10000, command: ${command}, arg1: 0)
    expect full == 0 and arg1 == NOMEM`,
)}`);
    green(run, 10);
    expect(tockProcess(run, 'target').droppedUpcalls).toBe(1);
    expect(run.lines).toContain(`tock command a: command ${command} (${label}) target 0 → failure(NOMEM): target's task queue is full (dropped upcalls 1)  (TK-${row}-04)`);
  });

  it(`TK-${row}-06 any live target accepts (Unstarted, Running, Yielded): a Task::IPC is queued, nothing checks a subscription`, () => {
    const run = runTock(`
${proc(
  'a',
  `    let u = tock_command(driver: 0x10000, command: ${command}, arg1: 1)
    expect u == 128 and arg1 == 0
    yield()
    let r = tock_command(driver: 0x10000, command: ${command}, arg1: 2)
    expect r == 128
    repeat 3 {
      yield()
    }
    let y = tock_command(driver: 0x10000, command: ${command}, arg1: 3)
    expect y == 128`,
)}
${proc('unstarted', '    print "late"', '')}
${busy('running', 3)}
${proc('yielded', '    tock_yield(wait: 1)')}`, {
      program: (p) => ({ ...p, objects: p.objects.map((o) => (o.kind === 'thread' && p.processes[o.owner]!.name === 'unstarted' ? { ...o, priority: 1 } : o)) }),
    });
    green(run, 3);
    const queued = run.lines.filter((l) => l.startsWith('tock task') && l.includes(': queued IPC(a,'));
    expect(queued).toEqual([
      `tock task unstarted: queued IPC(a, ${command === 2 ? 'Service' : 'Client'}); 2 pending, unstarted is Unstarted`,
      `tock task running: queued IPC(a, ${command === 2 ? 'Service' : 'Client'}); 1 pending, running is Running`,
      `tock task yielded: queued IPC(a, ${command === 2 ? 'Service' : 'Client'}); 1 pending, yielded is Yielded`,
    ]);
    expect(run.lines.filter((l) => l.endsWith(`(TK-${row}-06)`))).toHaveLength(3);
  });

  it(`TK-${row}-07 a notification to itself succeeds, then panics at delivery: a kernel fault (TK-UPC-05)`, () => {
    const run = runTock(
      proc(
        'a',
        `    let s = tock_subscribe(driver: 0x10000, num: 0, routine: 0x40_0000)
    let r = tock_command(driver: 0x10000, command: ${command}, arg1: 0)
    expect r == 128
    tock_yield()
    print "not reached"`,
      ),
    );
    expect(run.passed).toBe(1);
    expect(run.lines).toContain(`tock command a: command ${command} (${label}) target 0 → success(): a notification to itself (delivery will panic)  (TK-${row}-07)`);
    const fault = run.events.find((e) => e.kind === 'kernel-fault');
    expect(fault).toMatchObject({
      kind: 'kernel-fault',
      row: 'TK-UPC-05',
      seedFile: 'tock-ipc.rs.txt',
      seedLine: 313,
      message: `panic: Attempted to re-enter a grant region. (a notified itself, TK-${row}-07)`,
    });
    expect(run.lines).not.toContain('a.main: print "not reached"');
    expect(run.kernel.halt?.reason).toBe('fault');
  });
});

describe('schedule_upcall (phase 2)', () => {
  it('TK-UPC-14 a delivered notification queues a FunctionCall that runs when the receiver yields, with (caller id, len, ptr, userdata)', () => {
    const run = runTock(`
${service({ count: 1 })}
${proc(
  'client',
  `    let n = tock_command(driver: 0x10000, command: 2, arg1: 0)
    expect n == 128
    tock_yield(wait: 0)
    repeat 3 {
      yield()
    }`,
)}`);
    green(run, 2);
    expect(run.text).toContain(
      [
        'tock task svc: dequeued IPC(client, Service); 0 pending  (TK-ADJ-04)',
        // Commands 2 and 3 never enter the caller's grant: phase 2 allocates the notifier's.
        'tock grant client: IPC grant allocated: 80 bytes at 0x20011fb0 (4 upcall slots, 1 read-only and 4 read-write allow slots)  (TK-UPC-04)',
        "tock mpu svc: add_mpu_region(0x0, 0, 0) failed, ignored: 0 bytes at 0x0: a region is at least 32 bytes, and the smallest region the MPU can build for it, 32 bytes at 0x0, does not fit in the buffer  (TK-UPC-07)",
        'tock upcall svc: scheduled FunctionCall(service upcall slot 0 from client: 1, 0, 0x0, 7) (slot = own index, TK-UPC-10); 1 pending  (TK-UPC-14)',
        'tock task svc: dequeued FunctionCall(service upcall slot 0 from client: 1, 0, 0x0, 7); 0 pending  (TK-ADJ-04)',
        'tock process svc: Yielded → Running (an upcall runs)',
        'tock upcall svc: runs on_notify(1, 0, 0x0, 7) for service upcall slot 0 from client',
        'svc.main: print "notified by 1 len 0 addr 0 userdata 7"',
        'tock upcall svc: upcall returned; main continues after tock_yield',
      ].join('\n'),
    );
  });

  it('TK-UPC-06 a shared buffer gives the receiver an MPU region on it; the upcall carries (id, len, ptr); the region stays', () => {
    const run = runTock(`
${service({ count: 2, upcall: '    let v = load32(addr)\n    print "read ", v\n    store32(addr + 4, v + 1)' })}
${proc(
  'client',
  `    store32(0x2001_0400, 41)
    let w = tock_allow_rw(driver: 0x10000, num: 0, addr: 0x2001_0400, len: 64)
    expect w == 130
    let n = tock_command(driver: 0x10000, command: 2, arg1: 0)
    repeat 3 {
      yield()
    }
    expect load32(0x2001_0404) == 42
    store32(0x2001_0400, 99)
    let n2 = tock_command(driver: 0x10000, command: 2, arg1: 0)
    repeat 3 {
      yield()
    }`,
)}`);
    green(run, 3);
    expect(run.lines).toContain("tock mpu svc: add_mpu_region(0x20010400, 64, 64) → region #0 [0x20010400, 0x20010440) rw over client's memory  (TK-UPC-06)");
    expect(run.lines).toContain('tock upcall svc: runs on_notify(1, 64, 0x20010400, 7) for service upcall slot 0 from client');
    expect(run.lines).toContain('svc.main: print "read 41"');
    // The second delivery tries again; the region is still there, so the new one overlaps it (ignored, TK-UPC-09).
    expect(run.lines).toContain(
      "tock mpu svc: add_mpu_region(0x20010400, 64, 64) failed, ignored: 64 bytes at 0x20010400 overlaps MPU region #0 [0x20010400, 0x20010440)  (TK-UPC-09)",
    );
    expect(run.lines).toContain('svc.main: print "read 99"');
    expect(tockProcess(run, 'svc').mpuRegions).toHaveLength(1);
  });

  it('TK-UPC-07 nothing shared: add_mpu_region(0, 0, 0) is still attempted (it fails on Cortex-M) and the args are (id, 0, 0)', () => {
    const run = runTock(`
${service({ count: 1 })}
${proc('client', '    let n = tock_command(driver: 0x10000, command: 2, arg1: 0)\n    repeat 3 {\n      yield()\n    }')}`);
    green(run, 1);
    expect(run.lines.filter((l) => l.endsWith('(TK-UPC-07)'))).toHaveLength(1);
    expect(run.lines).toContain('svc.main: print "notified by 1 len 0 addr 0 userdata 7"');
    // A zero-length allowed buffer reads as ptr 0 as well.
    const zero = runTock(`
${service({ count: 1 })}
${proc('client', '    let w = tock_allow_rw(driver: 0x10000, num: 0, addr: 0x2000_0400, len: 0)\n    let n = tock_command(driver: 0x10000, command: 2, arg1: 0)\n    repeat 3 {\n      yield()\n    }')}`);
    expect(zero.lines.filter((l) => l.startsWith('tock mpu svc: add_mpu_region(0x0, 0, 0) failed'))).toHaveLength(1);
  });

  it('TK-UPC-08 / TK-UPC-12 with more process slots than NUM_PROCS: no RW slot for the receiver (args (id, 0, 0), no MPU call), and no upcall slot', () => {
    const text = `
${proc('svc', `    let s = tock_subscribe(driver: 0x10000, num: 1, routine: on_reply)
    expect s == 130
    let w = tock_allow_rw(driver: 0x10000, num: 1, addr: 0x2000_0400, len: 64)
    repeat 4 {
      yield()
    }
    let c = tock_command(driver: 0x10000, command: 3, arg1: 2)
    expect c == 128
    let n = tock_command(driver: 0x10000, command: 2, arg1: 2)
    expect n == 128
    repeat 4 {
      yield()
    }`, `  routine on_reply(from, len, addr, userdata) {
    print "unused"
  }`)}
${proc('filler', '    print "filler"')}
${proc('client', `    let s = tock_subscribe(driver: 0x10000, num: 0, routine: on_reply)
    expect s == 130
    let own = tock_subscribe(driver: 0x10000, num: 2, routine: on_reply)
    expect own == 2 and arg1 == INVAL
    tock_yield()
    tock_yield(wait: 0)`, `  routine on_reply(from, len, addr, userdata) {
    print "client upcall from ", from, " len ", len, " addr ", addr
  }`)}`;
    const run = runTock(text, { numProcs: 2 });
    green(run, 5);
    expect(run.lines).toContain("tock mpu client: no read-write allow slot 2 in svc's grant (NUM_PROCS 2): no MPU change, upcall args (0, 0, 0)  (TK-UPC-08)");
    expect(run.lines).toContain('client.main: print "client upcall from 0 len 0 addr 0"');
    expect(run.lines).toContain('tock upcall client: IPC task dropped: service upcall slot 2 does not exist (NUM_PROCS 2): InvalidSubscribeNum  (TK-UPC-12)');
    expect(tockProcess(run, 'client').mpuRegions).toEqual([]);
  });

  it('TK-UPC-12 the chosen upcall slot is >= NUM_PROCS (a receiver in slot 2 of a NUM_PROCS 2 capsule): InvalidSubscribeNum, ignored', () => {
    const run = runTock(`
${proc('a', '    let n = tock_command(driver: 0x10000, command: 2, arg1: 2)\n    expect n == 128\n    repeat 4 {\n      yield()\n    }')}
${proc('b', '    print "b"')}
${proc('c', '    tock_yield(wait: 0)\n    let r = tock_yield(wait: 0)\n    expect r == 0')}`, { numProcs: 2 });
    green(run, 2);
    expect(run.lines).toContain('tock upcall c: IPC task dropped: service upcall slot 2 does not exist (NUM_PROCS 2): InvalidSubscribeNum  (TK-UPC-12)');
    expect(tockProcess(run, 'c').droppedUpcalls).toBe(0);
  });

  it('TK-UPC-09 an MPU region that cannot be added is ignored: the upcall still carries (len, ptr) and the receiver faults on it', () => {
    const run = runTock(`
${service({ count: 1, upcall: '    print "got ", len, " at ", addr\n    let v = load32(addr)\n    print "not reached"' })}
${proc('client', `    let w = tock_allow_rw(driver: 0x10000, num: 0, addr: 0x2001_0410, len: 48)
    expect w == 130
    let n = tock_command(driver: 0x10000, command: 2, arg1: 0)
    repeat 3 {
      yield()
    }`)}`);
    green(run, 2);
    expect(run.text).toContain(
      [
        // The start is aligned up to 32 (0x...420), 48 bytes need two 32-byte subregions: 64 bytes from 0x...420 run past the buffer.
        'tock mpu svc: add_mpu_region(0x20010410, 48, 48) failed, ignored: 48 bytes at 0x20010410: a region is a power of two >= 32 bytes aligned to its size (or a run of its 8 subregions), and the smallest region the MPU can build for it, 64 bytes at 0x20010420, does not fit in the buffer  (TK-UPC-09)',
        'tock upcall svc: scheduled FunctionCall(service upcall slot 0 from client: 1, 48, 0x20010410, 7) (slot = own index, TK-UPC-10); 1 pending  (TK-UPC-14)',
      ].join('\n'),
    );
    expect(run.lines).toContain('svc.main: THREAD FAULT MPU fault: read of 4 bytes at 0x20010410 by svc is outside its memory (RAM below 0x20001000, its PMOs and stacks) and its 0 MPU regions at 0x20010410  [tock.kscn:15]');
    expect(tockProcess(run, 'svc').state).toBe('Faulted');
  });

  it('TK-UPC-10 slot selection: Service uses the receiver\'s own index, Client the notifier\'s index', () => {
    const run = runTock(`
${busy('pad', 1)}
${proc('svc', `    let s = tock_subscribe(driver: 0x10000, num: 1, routine: on_service, userdata: 11)
    let c = tock_subscribe(driver: 0x10000, num: 2, routine: on_client, userdata: 22)
    tock_yield()
    let r = tock_command(driver: 0x10000, command: 3, arg1: 2)
    expect r == 128
    repeat 3 {
      yield()
    }`, `  routine on_service(from, len, addr, userdata) {
    print "service upcall from ", from, " userdata ", userdata
  }
  routine on_client(from, len, addr, userdata) {
    print "wrong slot"
  }`)}
${proc('cli', `    let s = tock_subscribe(driver: 0x10000, num: 1, routine: on_reply, userdata: 33)
    let n = tock_command(driver: 0x10000, command: 2, arg1: 1)
    tock_yield()`, `  routine on_reply(from, len, addr, userdata) {
    print "client upcall from ", from, " userdata ", userdata
  }`)}`);
    green(run, 1);
    expect(run.lines).toContain('svc.main: print "service upcall from 2 userdata 11"');
    expect(run.lines).toContain('cli.main: print "client upcall from 1 userdata 33"');
    expect(run.lines).not.toContain('svc.main: print "wrong slot"');
  });

  it('TK-UPC-11 a receiver that never subscribed that slot: the upcall is null, counted as delivered, nothing runs', () => {
    const run = runTock(`
${proc('svc', '    let s = tock_subscribe(driver: 0x10000, num: 3, routine: 0x40_0000)\n    tock_yield(wait: 0)\n    repeat 4 {\n      yield()\n    }\n    let r = tock_yield(wait: 0)\n    expect r == 0')}
${proc('client', '    let n = tock_command(driver: 0x10000, command: 2, arg1: 0)\n    expect n == 128\n    repeat 4 {\n      yield()\n    }')}`);
    green(run, 2);
    expect(run.lines).toContain('tock upcall svc: service upcall slot 0 is the null upcall (not subscribed): counted as delivered, nothing runs  (TK-UPC-11)');
    expect(tockProcess(run, 'svc').droppedUpcalls).toBe(0);
  });

  it('TK-UPC-13 the receiver\'s queue is full when the FunctionCall is queued: dropped, dropped_upcall_count++', () => {
    // The race (another process filling the queue between dequeue and schedule_upcall) is
    // injected: when the receiver reaches the schedule_upcall step, its queue is filled.
    let filled = false;
    const run = runTock(
      `
${service({ count: 1 })}
${proc('client', '    let n = tock_command(driver: 0x10000, command: 2, arg1: 0)\n    repeat 4 {\n      yield()\n    }')}`,
      {
        onStep: (k) => {
          const svc = k.state.tock.processes[0]!;
          const t = k.state.threads[svc.thread]!;
          if (!filled && t.kernel.active && t.kernel.step === 7) {
            for (let i = 0; i < 9; i++) svc.tasks.push({ ...svc.tasks[0]!, ...{ kind: 'ipc', source: '', from: 1, fromIdentifier: 99, fromName: 'ghost', type: 'service' } } as never);
            filled = true;
          }
          return filled;
        },
      },
    );
    expect(filled).toBe(true);
    expect(run.lines).toContain('tock upcall svc: IPC task dropped: the upcall for service upcall slot 0 finds the task queue full (QueueFull; dropped upcalls 1)  (TK-UPC-13)');
    expect(tockProcess(run, 'svc').droppedUpcalls).toBe(1);
  });

  it('TK-UPC-02 the notifier restarted (new identifier) before delivery: dropped (NoSuchApp), no MPU change', () => {
    const run = runTock(`
${service({ count: 1, extra: '' })}
${proc('client', `    pmo flag size 4KiB at 0x4000_0000
    if load32(0x4000_0000) == 0 {
      store32(0x4000_0000, 1)
      let w = tock_allow_rw(driver: 0x10000, num: 0, addr: 0x2001_0400, len: 64)
      expect w == 130
      let n = tock_command(driver: 0x10000, command: 2, arg1: 0)
      expect n == 128
      tock_exit(restart: 1)
    }
    print "restarted"
    repeat 4 {
      yield()
    }`).replace('  thread main {\n    pmo flag size 4KiB at 0x4000_0000', '  pmo flag size 4KiB at 0x4000_0000\n  thread main {')}`);
    green(run, 3);
    expect(run.lines).toContain('tock process client: Terminated → Unstarted (restarted with identifier 2)');
    expect(run.lines).toContain('tock upcall svc: IPC task dropped: the notifier in slot 1 is gone or was restarted (NoSuchApp)  (TK-UPC-02)');
    expect(tockProcess(run, 'svc').mpuRegions).toEqual([]);
  });

  it('TK-UPC-03 the receiver\'s grant cannot be entered (never allocated, no grant memory left): dropped', () => {
    const run = runTock(`
${proc('svc', '    let m = tock_memop(operation: 1, arg: 4096 - 16)\n    expect m == 129\n    tock_yield(wait: 0)\n    repeat 4 {\n      yield()\n    }\n    tock_yield(wait: 0)')}
${proc('client', '    let n = tock_command(driver: 0x10000, command: 2, arg1: 0)\n    expect n == 128\n    repeat 4 {\n      yield()\n    }')}`);
    green(run, 2);
    expect(run.lines).toContain("tock upcall svc: IPC task dropped: svc's IPC grant cannot be entered  (TK-UPC-03)");
  });

  it('TK-UPC-04 the notifier became Faulted after notifying (InactiveApp), or its grant cannot be allocated: dropped', () => {
    const faulted = runTock(`
${service({ count: 1 })}
${proc('client', '    let n = tock_command(driver: 0x10000, command: 2, arg1: 0)\n    let x = load32(0x10)')}`);
    expect(faulted.lines).toContain('tock upcall svc: IPC task dropped: the notifier client is Faulted (InactiveApp)  (TK-UPC-04)');
    const noMemory = runTock(`
${service({ count: 1 })}
${proc('client', '    let m = tock_memop(operation: 1, arg: 4096 - 16)\n    let n = tock_command(driver: 0x10000, command: 2, arg1: 0)\n    expect n == 128\n    repeat 4 {\n      yield()\n    }')}`);
    expect(noMemory.lines).toContain("tock upcall svc: IPC task dropped: the notifier client's IPC grant cannot be allocated  (TK-UPC-04)");
    // Commands 2 and 3 never enter the caller's grant, so phase 2 may allocate it (here it succeeds).
    const allocatedHere = runTock(`
${service({ count: 1 })}
${proc('client', '    let n = tock_command(driver: 0x10000, command: 2, arg1: 0)\n    repeat 4 {\n      yield()\n    }')}`);
    expect(allocatedHere.lines).toContain('tock grant client: IPC grant allocated: 80 bytes at 0x20011fb0 (4 upcall slots, 1 read-only and 4 read-write allow slots)  (TK-UPC-04)');
  });

  it('TK-UPC-05 self-notify panics in schedule_upcall (the receiver enters its own grant twice)', () => {
    const run = runTock(proc('a', '    let r = tock_command(driver: 0x10000, command: 2, arg1: 0)\n    tock_yield()'));
    expect(run.events.filter((e) => e.kind === 'kernel-fault')).toHaveLength(1);
    expect(run.lines.at(-1)).toBe('KERNEL FAULT TK-UPC-05 (tock-ipc.rs.txt:313) on a.main: panic: Attempted to re-enter a grant region. (a notified itself, TK-SVC-07)');
    // The grant was entered once (allocated) before the panic; nothing else changed.
    expect(tockProcess(run, 'a').tasks).toEqual([]);
    expect(tockProcess(run, 'a').ipc.allocated).toBe(true);
  });
});

describe('allocate_grant and the adjacent framework rows', () => {
  it('TK-GRANT-01 the first subscribe or allow allocates the IPC grant (idempotent afterwards)', () => {
    const run = runTock(
      proc(
        'a',
        `    let k0 = tock_memop(operation: 6)
    expect arg1 == 0x2000_2000
    let s = tock_subscribe(driver: 0x10000, num: 0)
    expect s == 130
    let k1 = tock_memop(operation: 6)
    expect arg1 == 0x2000_2000 - 80
    let r = tock_allow_ro(driver: 0x10000, num: 0)
    let k2 = tock_memop(operation: 6)
    expect arg1 == 0x2000_2000 - 80`,
      ),
    );
    green(run, 4);
    expect(run.lines.filter((l) => l.startsWith('tock grant'))).toEqual([
      'tock grant a: IPC grant allocated: 80 bytes at 0x20001fb0 (4 upcall slots, 1 read-only and 4 read-write allow slots)  (TK-GRANT-01)',
    ]);
  });

  it('TK-GRANT-02 out of grant memory: subscribe and allow return NOMEM', () => {
    const run = runTock(
      proc(
        'a',
        `    let m = tock_memop(operation: 0, arg: 0x2000_2000 - 8)
    expect m == 128
    let s = tock_subscribe(driver: 0x10000, num: 0, routine: 0x40_0000, userdata: 5)
    expect s == 2 and arg1 == NOMEM and arg2 == 0x40_0000 and arg3 == 5
    let r = tock_allow_ro(driver: 0x10000, num: 0)
    expect r == 2 and arg1 == NOMEM
    let w = tock_allow_rw(driver: 0x10000, num: 0)
    expect w == 2 and arg1 == NOMEM`,
      ),
    );
    green(run, 4);
    expect(run.lines.filter((l) => l.endsWith('(TK-GRANT-02)'))).toHaveLength(3);
  });

  it('TK-ADJ-01 subscribe with num >= NUM_PROCS returns INVAL (after allocating the grant)', () => {
    const run = runTock(proc('a', '    let s = tock_subscribe(driver: 0x10000, num: 4)\n    expect s == 2 and arg1 == INVAL\n    let ok = tock_subscribe(driver: 0x10000, num: 3)\n    expect ok == 130'));
    green(run, 2);
    expect(run.lines).toContain('tock subscribe a: subscribe(0x10000, 4, 0x0, 0) → failure_2_u32(INVAL, 0x0, 0): the IPC grant has 4 upcall slots  (TK-ADJ-01)');
  });

  it('TK-ADJ-02 allow_readonly with num >= 1 returns INVAL', () => {
    const run = runTock(proc('a', '    let r = tock_allow_ro(driver: 0x10000, num: 1, addr: 0x2000_0000, len: 4)\n    expect r == 2 and arg1 == INVAL and arg2 == 0x2000_0000 and arg3 == 4'));
    green(run, 1);
    expect(run.lines.filter((l) => l.endsWith('(TK-ADJ-02)'))).toHaveLength(1);
  });

  it('TK-ADJ-03 allow_readwrite with num >= NUM_PROCS returns INVAL', () => {
    const run = runTock(proc('a', '    let r = tock_allow_rw(driver: 0x10000, num: 4, addr: 0x2000_0000, len: 4)\n    expect r == 2 and arg1 == INVAL\n    let ok = tock_allow_rw(driver: 0x10000, num: 3, addr: 0x2000_0000, len: 4)\n    expect ok == 130 and arg1 == 0 and arg2 == 0'));
    green(run, 2);
    expect(run.lines.filter((l) => l.endsWith('(TK-ADJ-03)'))).toHaveLength(1);
  });

  it('TK-ADJ-04 an IPC task waits while the target is Running; it is delivered FIFO once the target yields, and the upcall runs on a later scheduling', () => {
    const run = runTock(`
${service({ count: 2, body: '    repeat 4 {\n      yield()\n    }\n    print "service yields now"' })}
${proc('c1', '    let n = tock_command(driver: 0x10000, command: 2, arg1: 0)\n    repeat 6 {\n      yield()\n    }')}
${proc('c2', '    let n = tock_command(driver: 0x10000, command: 2, arg1: 0)\n    repeat 6 {\n      yield()\n    }')}`);
    green(run, 1);
    const order = run.lines.filter((l) => l.includes('print') || l.includes('dequeued IPC'));
    expect(order).toEqual([
      'svc.main: print "service yields now"',
      'tock task svc: dequeued IPC(c1, Service); 1 pending  (TK-ADJ-04)',
      // The upcall for c1 is queued behind c2's IPC task: FIFO.
      'tock task svc: dequeued IPC(c2, Service); 1 pending  (TK-ADJ-04)',
      'svc.main: print "notified by 1 len 0 addr 0 userdata 7"',
      'svc.main: print "notified by 2 len 0 addr 0 userdata 7"',
    ]);
  });

  it('allow rejects a buffer outside the process\'s own memory with INVAL (before the grant is touched)', () => {
    const run = runTock(
      proc(
        'a',
        `    let r = tock_allow_ro(driver: 0x10000, num: 0, addr: 0x2000_1000, len: 4)
    expect r == 2 and arg1 == INVAL
    let w = tock_allow_rw(driver: 0x10000, num: 0, addr: 0x10, len: 4)
    expect w == 2 and arg1 == INVAL
    let ok = tock_allow_rw(driver: 0x10000, num: 0, addr: 0x2000_0ffc, len: 4)
    expect ok == 130`,
      ),
    );
    green(run, 3);
    expect(run.lines.filter((l) => l.startsWith('tock allow') || l.startsWith('tock grant')).map((l) => l.split(':')[0])).toEqual([
      'tock allow a',
      'tock allow a',
      'tock grant a',
      'tock allow a',
    ]);
  });
});
