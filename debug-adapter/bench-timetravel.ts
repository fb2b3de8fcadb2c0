// Time-travel benchmark: an IPC loop runs under the debugger (history on, the default bounds)
// until the kernel has delivered 1,000,000 events, then one stepBack is timed from the request to
// the stopped event, and the history's estimated memory is read with kscn/historyInfo. The
// session runs in-process over an in-memory DAP stream. Targets: stepBack < 50 ms, history < 256 MB.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { echoLoopScenario, InProcessClient, memoryFileAccessor, round } from './bench';
import type { KscnLaunchArguments } from './launchArguments';
import type { TimeTravelInfo } from './runtime';

const FILE = '/bench/timetravel.kscn';
const SCENARIO = echoLoopScenario('bench-timetravel', '10_000_000', { pmo: 'pmo box size 4KiB at 0x6000_0000', body: 'store64(0x6000_0000 + (i % 512) * 8, total)' });
const LOOP_LINE = SCENARIO.split('\n').findIndex((line) => line.includes('total = total + r')) + 1;
const TARGET_EVENTS = 1_000_000;

const files = memoryFileAccessor({ [FILE]: SCENARIO });

export async function benchTimeTravel(): Promise<{ events: number; stepBackMs: number; historyBytes: number }> {
  const client = new InProcessClient(files);
  try {
    const initialized = client.waitFor('initialized');
    await client.request('initialize', { adapterID: 'kscn', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    const launched = client.request('launch', { type: 'kscn', request: 'launch', name: 'bench', program: FILE } as KscnLaunchArguments);
    await initialized;
    // First stop: a short calibration run gives the events per iteration.
    const calibration = 1000;
    await client.request('setBreakpoints', { source: { path: FILE }, breakpoints: [{ line: LOOP_LINE, condition: `i == ${calibration}` }] });
    await client.request('setExceptionBreakpoints', { filters: [] });
    let stopped = client.waitFor<DebugProtocol.StoppedEvent>('stopped');
    await client.request('configurationDone');
    await launched;
    const thread = (await stopped).body.threadId!;
    const info = async (): Promise<TimeTravelInfo> => (await client.request<DebugProtocol.Response>('kscn/historyInfo')).body as TimeTravelInfo;
    const perIteration = (await info()).eventCount / calibration;
    // A small margin: the calibration stop also counts the boot-time registration events.
    const iterations = Math.ceil((TARGET_EVENTS * 1.01) / perIteration);
    await client.request('setBreakpoints', { source: { path: FILE }, breakpoints: [{ line: LOOP_LINE, condition: `i == ${iterations}` }] });
    stopped = client.waitFor<DebugProtocol.StoppedEvent>('stopped');
    await client.request('continue', { threadId: thread });
    await stopped;
    const before = await info();
    if (before.eventCount < TARGET_EVENTS) throw new Error(`the benchmark delivered ${before.eventCount} events, fewer than ${TARGET_EVENTS}`);
    await client.request('setBreakpoints', { source: { path: FILE }, breakpoints: [] });

    const start = performance.now();
    stopped = client.waitFor<DebugProtocol.StoppedEvent>('stopped');
    await client.request('stepBack', { threadId: thread });
    await stopped;
    const stepBackMs = performance.now() - start;

    const after = await info();
    if (!after.inPast || after.step >= before.step) throw new Error(`stepBack did not move back (step ${before.step} → ${after.step})`);
    return { events: before.eventCount, stepBackMs: round(stepBackMs), historyBytes: after.historyBytes };
  } finally {
    client.close();
  }
}
