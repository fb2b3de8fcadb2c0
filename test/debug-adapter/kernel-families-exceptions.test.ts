// The kernel-fault exception filter on Tock and XNU: a Tock MPU fault (the process becomes
// Faulted), a Tock seed panic (a process notified itself) and an XNU seed panic (mnl_obj_insert).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture, launch, marker, resumeAndStop, startInProcess, where, type Adapter, launchArgs as args } from './harness';

const tock = fixture('tock-faults.kscn');
const xnu = fixture('xnu-panic.kscn');

let adapter: Adapter;
beforeEach(async () => {
  adapter = await startInProcess();
});
afterEach(async () => {
  await adapter.stop();
});

describe('kernel faults in Tock and XNU', () => {
  it('stops on a Tock MPU fault, then on the seed panic of a self-notification, naming row and seed location', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(tock), { exceptionFilters: [{ filterId: 'kernel-fault' }] });
    expect(stop.body.reason).toBe('exception');
    const mpu = await dc.exceptionInfoRequest({ threadId: stop.body.threadId! });
    expect(mpu.body.exceptionId).toBe('tock-mpu-fault');
    expect(mpu.body.description).toMatch(/MPU fault: read of 4 bytes at 0x70000000 by wild/);
    expect(mpu.body.details?.message ?? '').toMatch(/Tock process wild → Faulted/);
    const position = await where(dc, stop.body.threadId!);
    // The faulted thread is gone (its process is Faulted); its last frame stays readable.
    expect(position.name).toMatch(/\[board\/wild\/main\]/);
    expect(position.line).toBe(marker(tock, 'MPU_FAULT'));

    const panic = await resumeAndStop(dc, () => dc.continueRequest({ threadId: stop.body.threadId! }));
    expect(panic.body.reason).toBe('exception');
    const info = await dc.exceptionInfoRequest({ threadId: panic.body.threadId! });
    expect(info.body.exceptionId).toBe('kernel-fault TK-UPC-05');
    expect(info.body.description).toMatch(/^kernel fault TK-UPC-05 at tock-ipc\.rs\.txt:313: panic: Attempted to re-enter a grant region/);
    expect(info.body.details?.message ?? '').toMatch(/seed row TK-UPC-05, tock-ipc\.rs\.txt line 313/);
    const selfish = await where(dc, panic.body.threadId!);
    expect(selfish.threadName).toBe('board/selfish/main');
    expect(selfish.frames.some((f) => f.line === marker(tock, 'SELF_YIELD') && f.source?.path === tock)).toBe(true);
  });

  it('with the thread-fault filter the MPU fault is a thread fault', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(tock), { exceptionFilters: [{ filterId: 'thread-fault' }] });
    const info = await dc.exceptionInfoRequest({ threadId: stop.body.threadId! });
    expect(info.body.exceptionId).toBe('tock-mpu-fault');
    expect(info.body.description).toMatch(/MPU fault/);
  });

  it('stops on the XNU panic in mnl_obj_insert (name >= 2 x table size) with row and seed line', async () => {
    const dc = adapter.client;
    const stop = await launch(dc, args(xnu), { exceptionFilters: [{ filterId: 'kernel-fault' }] });
    expect(stop.body.reason).toBe('exception');
    const info = await dc.exceptionInfoRequest({ threadId: stop.body.threadId! });
    expect(info.body.exceptionId).toBe('kernel-fault XN-INS-04');
    expect(info.body.description).toMatch(/^kernel fault XN-INS-04 at xnu-mach_node\.c\.txt:562: panic\("Unexpected MNL_NAME 4 in obj #\d+"\) in mnl_obj_insert/);
    expect(info.body.details?.message ?? '').toMatch(new RegExp(`at a/app/main \\(.*xnu-panic\\.kscn:${marker(xnu, 'INSERT')}\\)`));
    const position = await where(dc, stop.body.threadId!);
    expect(position.frames.some((f) => f.line === marker(xnu, 'INSERT') && f.source?.path === xnu)).toBe(true);
    const terminated = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: stop.body.threadId! });
    await terminated;
  });
});
