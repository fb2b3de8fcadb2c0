// Fault injection (`fault` declarations in the program): kill a thread or a process at a virtual
// time or at the n-th entry into a syscall, which makes the seed's exiting paths easy to reach.
import { describe, expect, it } from 'vitest';
import { Kernel, formatEvent, type FaultDecl, type KernelEvent, type ScenarioProgram, type SourceLocation } from '../../kernel/index';
import { client, compileScenario, server } from './helpers';

const loc: SourceLocation = { file: 'test.kscn', line: 1, column: 1, endLine: 1, endColumn: 1 };

function withFaults(program: ScenarioProgram, faults: FaultDecl[]): ScenarioProgram {
  return { ...program, faults };
}

function run(program: ScenarioProgram) {
  const kernel = new Kernel(program);
  const events: KernelEvent[] = [];
  kernel.onEvents = (batch) => events.push(...batch);
  kernel.run(1_000_000);
  return { kernel, events, trace: events.map((e) => formatEvent(e)).join('\n') };
}

describe('fault injection', () => {
  it('CH-RET-04 via a fault: the client process is killed on its second ipc_call entry; the handler returns to nobody', () => {
    const program = compileScenario(`${server()}
${client('    let a = ipc_call(conn, data: [1])\n    expect a == 2\n    let b = ipc_call(conn, data: [1])\n    print "not reached"')}`);
    const clientMain = program.objects.findIndex((o) => o.kind === 'thread' && o.name === 'main' && program.processes[o.owner]!.name === 'client');
    const clientProcess = program.processes.findIndex((p) => p.name === 'client');
    const { kernel, events, trace } = run(
      withFaults(program, [
        { trigger: { kind: 'syscall', syscall: 'ipc_call', thread: clientMain, process: -1, count: 2 }, action: { kind: 'kill-process', process: clientProcess }, loc },
      ]),
    );
    expect(trace).toContain('INJECT fault #0 kill-process → process client');
    expect(events.some((e) => e.kind === 'print')).toBe(false);
    const t = kernel.state.threads.find((x) => x?.name === 'client.main')!;
    expect(t).toMatchObject({ state: 4, exitState: 2 });
    expect(kernel.state.connections.find((c) => c !== null)!.isValid).toBe(0);
    expect(kernel.halt?.reason).toBe('finished');
    expect(kernel.state.expectFailed).toBe(0);
  });

  it('a time trigger kills a running thread, which dies at its next sched() (the timer tick)', () => {
    const program = compileScenario(`
machine m {
  cpus 1
  memory 1MiB
  timeslice 500
}
process p {
  thread a {
    repeat 200 { print "a" }
  }
  thread b {
    repeat 200 { print "b" }
  }
}`);
    const a = program.objects.findIndex((o) => o.kind === 'thread' && o.name === 'a');
    const { kernel, events } = run(withFaults(program, [{ trigger: { kind: 'time', time: 2_000 }, action: { kind: 'kill-thread', object: a }, loc }]));
    const prints = events.filter((e) => e.kind === 'print');
    const as = prints.filter((e) => e.kind === 'print' && e.text === 'a').length;
    expect(as).toBeGreaterThan(10);
    expect(as).toBeLessThan(200);
    expect(prints.filter((e) => e.kind === 'print' && e.text === 'b')).toHaveLength(200);
    expect(kernel.state.threads.find((x) => x?.name === 'p.a')).toMatchObject({ state: 4, exitState: 2 });
    expect(kernel.state.faultFired).toEqual([true]);
  });

  it('every fired fault is reported once, whatever its action (machine and link faults go to the fault engine)', () => {
    const program = compileScenario(`
process p {
  thread a { print "x" }
}`);
    const { events } = run(withFaults(program, [{ trigger: { kind: 'time', time: 0 }, action: { kind: 'crash-machine', machine: 0, restartAfter: -1 }, loc }]));
    const injected = events.filter((e) => e.kind === 'fault-injected');
    expect(injected).toHaveLength(1);
    expect(injected[0]).toMatchObject({ action: 'crash-machine', fault: 0 });
  });
});
