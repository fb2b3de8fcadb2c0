// The Chrome trace export (kernel/export/chrome-trace.ts): every example and the race scenarios
// give a trace that the format's rules accept (validator in test/cli/chrome-trace-validator.ts),
// with CPU and thread tracks, syscall slices, and IPC, Mach and Tock flows.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Kernel, type KernelEvent, type ScenarioProgram } from '../../kernel/index';
import { toChromeTrace, THREAD_TID_BASE, type ChromeTrace, type ChromeTraceEvent } from '../../kernel/export/chrome-trace';
import { tockRaceScenario } from '../../kernel/tock/race-scenario';
import { validateChromeTrace } from '../cli/chrome-trace-validator';
import { compileScenario } from './helpers';

const root = path.resolve(__dirname, '../..');
const examples = readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.kscn')).sort();

function record(program: ScenarioProgram, seed = 1): KernelEvent[] {
  const kernel = new Kernel(program, { seed, record: true });
  const events: KernelEvent[] = [];
  kernel.onEvents = (batch) => void events.push(...batch);
  kernel.run(2_000_000);
  return events;
}

function traceOf(text: string, file: string, seed = 1): { trace: ChromeTrace; events: KernelEvent[]; program: ScenarioProgram } {
  const program = compileScenario(text, file);
  const events = record(program, seed);
  return { trace: toChromeTrace(events, program, { seed }), events, program };
}

function example(name: string) {
  return traceOf(readFileSync(path.join(root, 'examples', name), 'utf8'), `examples/${name}`);
}

function trackName(trace: ChromeTrace, pid: number, tid: number): string | undefined {
  const m = trace.traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && e.tid === tid);
  return m?.args?.name as string | undefined;
}

function flowsOf(trace: ChromeTrace, cat: string): Map<number, ChromeTraceEvent[]> {
  const flows = new Map<number, ChromeTraceEvent[]>();
  for (const e of trace.traceEvents) {
    if ((e.ph === 's' || e.ph === 't' || e.ph === 'f') && e.cat === cat) flows.set(e.id!, [...(flows.get(e.id!) ?? []), e]);
  }
  return flows;
}

describe('chrome trace export', () => {
  it('has examples to check', () => {
    expect(examples.length).toBeGreaterThan(3);
    expect(examples).toContain('race-registration.kscn');
  });

  it.each(examples)('%s gives a valid trace with CPU and thread tracks', (name) => {
    const { trace, program } = example(name);
    expect(validateChromeTrace(JSON.parse(JSON.stringify(trace)))).toEqual([]);
    const names = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args!.name as string);
    expect(names.some((n) => /^cpu\d/.test(n))).toBe(true);
    expect(trace.traceEvents.some((e) => e.ph === 'X' && e.cat === 'syscall')).toBe(true);
    expect(trace.traceEvents.some((e) => e.ph === 'X' && e.cat === 'run')).toBe(true);
    // Every machine that runs something is a named process.
    const processNames = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.args!.name as string);
    expect(processNames.every((n) => program.machines.length === 0 || program.machines.some((m) => n === `machine ${m.name}`))).toBe(true);
  });

  it('the Tock race scenario gives a valid trace at several seeds', () => {
    for (const seed of [1, 2, 3, 4]) {
      const { trace } = traceOf(tockRaceScenario(), 'tock-race.kscn', seed);
      expect(validateChromeTrace(trace), `seed ${seed}`).toEqual([]);
    }
  });

  it('the registration race gives a valid trace at failing and passing seeds', () => {
    const text = readFileSync(path.join(root, 'examples/race-registration.kscn'), 'utf8');
    for (const seed of [1, 2, 3, 5]) {
      const { trace } = traceOf(text, 'examples/race-registration.kscn', seed);
      expect(validateChromeTrace(trace), `seed ${seed}`).toEqual([]);
    }
  });

  it('maps cycles to microseconds (1 cycle = 1 ns): a syscall slice spans entry to exit', () => {
    const { trace, events } = example('echo.kscn');
    expect(trace.displayTimeUnit).toBe('ns');
    const entry = events.find((e) => e.kind === 'syscall-entry' && e.syscall === 'register_server')!;
    const exit = events.find((e) => e.kind === 'syscall-exit' && e.syscall === 'register_server')!;
    const slice = trace.traceEvents.find((e) => e.ph === 'X' && e.cat === 'syscall' && e.name === 'register_server')!;
    expect(slice.ts).toBe(entry.time / 1000);
    expect(slice.dur).toBeCloseTo((exit.time - entry.time) / 1000, 9);
    expect(slice.tid).toBe(THREAD_TID_BASE + (entry as { thread: number }).thread);
    expect(trackName(trace, slice.pid, slice.tid)).toBe('server.main');
  });

  it('draws ChCore IPC as flows from the caller to the handler and back', () => {
    const { trace } = example('echo.kscn');
    const calls = [...flowsOf(trace, 'ipc').values()].filter((f) => f[0]!.name === 'ipc call');
    const returns = [...flowsOf(trace, 'ipc').values()].filter((f) => f[0]!.name === 'ipc return');
    expect(calls.length).toBe(2);
    expect(returns.length).toBe(2);
    for (const flow of calls) {
      expect(flow.map((e) => e.ph)).toEqual(['s', 'f']);
      expect(trackName(trace, flow[0]!.pid, flow[0]!.tid)).toBe('client.main');
      expect(trackName(trace, flow[1]!.pid, flow[1]!.tid)).toBe('server.handler');
      expect(flow[1]!.bp).toBe('e');
    }
    for (const flow of returns) {
      expect(trackName(trace, flow[0]!.pid, flow[0]!.tid)).toBe('server.handler');
      expect(trackName(trace, flow[1]!.pid, flow[1]!.tid)).toBe('client.main');
    }
    // The handler's activation slices exist and the registration has its own flows.
    expect(trace.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'ipc' && e.name.startsWith('serve ')).length).toBe(2);
    expect([...flowsOf(trace, 'ipc').values()].some((f) => f[0]!.name === 'register')).toBe(true);
  });

  it('draws Mach messages as flows (mach-rpc)', () => {
    const { trace } = example('mach-rpc.kscn');
    expect(flowsOf(trace, 'mach-msg').size).toBeGreaterThan(0);
  });

  it('draws Tock notifications as flows (tock-ipc)', () => {
    const { trace } = example('tock-ipc.kscn');
    const flows = [...flowsOf(trace, 'tock').values()];
    expect(flows.length).toBeGreaterThan(0);
    for (const flow of flows) expect(flow[0]!.tid).not.toBe(flow[flow.length - 1]!.tid);
  });

  it('marks expectations, prints and faults as instant events', () => {
    const { trace } = traceOf(readFileSync(path.join(root, 'examples/race-registration.kscn'), 'utf8'), 'examples/race-registration.kscn', 3);
    const fail = trace.traceEvents.find((e) => e.ph === 'i' && e.name.startsWith('FAIL expect'))!;
    expect(fail).toBeDefined();
    expect(fail.args!.at).toMatch(/race-registration\.kscn:\d+/);
    expect(trace.traceEvents.some((e) => e.ph === 'i' && e.name.startsWith('PASS expect'))).toBe(true);
    const { trace: faults } = example('faults.kscn');
    expect(faults.traceEvents.some((e) => e.ph === 'i' && (e.cat === 'fault' || e.cat === 'fault-injection'))).toBe(true);
  });

  it('turns an unknown event kind into a generic instant event', () => {
    const { events, program } = example('echo.kscn');
    const thread = events.find((e) => e.kind === 'syscall-entry')! as { thread: number; threadName: string };
    const future = { kind: 'future-kind', time: 100, cpu: 0, thread: thread.thread, threadName: thread.threadName, detail: 'x', nested: { n: 1 } } as unknown as KernelEvent;
    const orphan = { kind: 'orphan-kind', time: 200, cpu: -1, weird: Infinity } as unknown as KernelEvent;
    const trace = toChromeTrace([...events.slice(0, 20), future, orphan, ...events.slice(20)], program);
    expect(validateChromeTrace(trace)).toEqual([]);
    const e = trace.traceEvents.find((x) => x.name === 'future-kind')!;
    expect(e.ph).toBe('i');
    expect(e.args).toMatchObject({ detail: 'x', nested: { n: 1 } });
    expect(trace.traceEvents.find((x) => x.name === 'orphan-kind')!.args!.weird).toBe('Infinity');
  });

  it('is deterministic', () => {
    const a = JSON.stringify(example('mach-nodes.kscn').trace);
    const b = JSON.stringify(example('mach-nodes.kscn').trace);
    expect(a).toBe(b);
  });

  it('the validator rejects broken traces', () => {
    const bad = {
      traceEvents: [
        { name: 'x', ph: 'X', ts: 1, pid: 1, tid: 1 },
        { name: 'y', ph: 'X', ts: 0.5, dur: 1, pid: 1, tid: 1 },
        { name: 'z', ph: 'X', ts: 0.6, dur: 5, pid: 1, tid: 1 },
        { name: 'f', ph: 's', ts: 1, pid: 1, tid: 1, id: 1, cat: 'a' },
        { name: 'q', ph: 'B', ts: 1, pid: 2, tid: 1 },
        { name: 'n', ph: 'i', ts: NaN, pid: 1, tid: 1 },
      ],
    };
    const errors = validateChromeTrace(bad).join('\n');
    expect(errors).toMatch(/missing dur/);
    expect(errors).toMatch(/comes after/);
    expect(errors).toMatch(/without nesting/);
    expect(errors).toMatch(/flow 1: phases s/);
    expect(errors).toMatch(/B event\(s\) without E/);
    expect(errors).toMatch(/ts = null|not a valid number/);
    expect(errors).toMatch(/pid 1 has no process_name/);
    expect(errors).toMatch(/track 2:1 has no thread_name/);
  });
});
