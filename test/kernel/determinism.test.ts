// Determinism: the same program and seed give the same event stream; the seed only changes how
// ties between CPUs at equal virtual time are broken, which changes a multi-CPU interleaving.
import { describe, expect, it } from 'vitest';
import { Kernel, type KernelEvent } from '../../kernel/index';
import { machRoundTripScenario } from '../../kernel/mach/bench-scenario';
import { CHCORE_RAW_CALL, chcoreRoundTripScenario } from '../../kernel/chcore-bench-scenario';
import type { ScenarioProgram } from '../../kernel/program';
import { compileScenario } from './helpers';

/** The ChCore round-trip benchmark's scenario (bench/main.ts), each iteration a raw-message and a data call. */
function chcoreRoundTrips(calls: number): string {
  return chcoreRoundTripScenario(calls, [CHCORE_RAW_CALL, 'ipc_call(conn, data: [i, i * 3])']);
}

/** The state as comparable text (pages as plain arrays). */
function stateText(kernel: Kernel): string {
  return JSON.stringify(kernel.state, (_key, value: unknown) => (value instanceof Uint8Array ? Array.from(value) : value));
}

/**
 * Runs `program` four ways: run() with nobody listening (the burst fast path), run() with a
 * listener, step() by step with recording, step() by step without. Returns the kernels, and the
 * event batches of the two recording runs.
 */
function fourWays(program: ScenarioProgram, seed: number) {
  const quiet = new Kernel(program, { seed, record: false });
  quiet.run();
  const listened = new Kernel(program, { seed });
  const runBatches: KernelEvent[][] = [];
  listened.onEvents = (batch) => void runBatches.push([...batch]);
  listened.run();
  const stepped = new Kernel(program, { seed });
  const stepBatches: KernelEvent[][] = [];
  stepped.onEvents = (batch) => void stepBatches.push([...batch]);
  while (!stepped.halt) stepped.step();
  const steppedQuiet = new Kernel(program, { seed, record: false });
  while (!steppedQuiet.halt) steppedQuiet.step();
  return { quiet, listened, stepped, steppedQuiet, runBatches, stepBatches };
}

const SCENARIO = `
machine board {
  cpus 2
  memory 16MiB
  timeslice 2_000
}
process server badge 1 {
  thread main {
    let r = register_server(register_thread: reg, routine: serve)
  }
  thread reg register runs on_register
  thread handler shadow runs serve
  routine on_register(d) {
    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000 + cap_count(server) * 0x10_0000)
  }
  routine serve(msg, badge) {
    ipc_return(msg_data(msg, 0) + badge)
  }
}
process a badge 10 {
  pmo shm size 4KiB
  thread main {
    let conn = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    let total = 0
    repeat 20 {
      let r = ipc_call(conn, data: [1])
      if r > 0 { total = total + r }
    }
    print "a ", total
  }
}
process b badge 20 {
  pmo shm size 4KiB
  thread main {
    let conn = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    let total = 0
    repeat 20 {
      let r = ipc_call(conn, data: [1])
      if r > 0 { total = total + r }
    }
    print "b ", total
  }
}
`;

function events(seed: number): KernelEvent[] {
  const kernel = new Kernel(compileScenario(SCENARIO), { seed });
  const out: KernelEvent[] = [];
  kernel.onEvents = (batch) => out.push(...batch);
  kernel.run(1_000_000);
  expect(kernel.halt?.reason).toBe('finished');
  return out;
}

describe('determinism', () => {
  it('same program and seed give an identical event stream', () => {
    expect(JSON.stringify(events(7))).toBe(JSON.stringify(events(7)));
  });

  it('different seeds change a multi-CPU interleaving', () => {
    const streams = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => JSON.stringify(events(seed).map((e) => [e.kind, e.cpu]))));
    expect(streams.size).toBeGreaterThan(1);
  });

  it('run() gives the same execution with and without a listener, and step() by step', () => {
    const text = `
machine m {
  cpus 1
  memory 1MiB
  timeslice 700
}
${SCENARIO.slice(SCENARIO.indexOf('process server'))}`;
    const program = compileScenario(text);
    const quiet = new Kernel(program, { seed: 4, record: false });
    quiet.run();
    const listened = new Kernel(program, { seed: 4 });
    listened.onEvents = () => undefined;
    listened.run();
    const stepped = new Kernel(program, { seed: 4, record: false });
    while (!stepped.halt) stepped.step();
    for (const other of [listened, stepped]) {
      expect(other.state.steps).toBe(quiet.state.steps);
      expect(other.state.cpus.map((c) => c.time)).toEqual(quiet.state.cpus.map((c) => c.time));
      expect(other.state.scs.map((sc) => sc?.budget)).toEqual(quiet.state.scs.map((sc) => sc?.budget));
    }
    expect(quiet.halt?.reason).toBe('finished');
  });

  it('the benchmark scenarios (ChCore and Mach round trips) run identically through run() fast paths and step()', () => {
    for (const text of [chcoreRoundTrips(25), machRoundTripScenario(25, 'raw'), machRoundTripScenario(25, 'data')]) {
      const { quiet, listened, stepped, steppedQuiet, runBatches, stepBatches } = fourWays(compileScenario(text), 5);
      expect(quiet.halt?.reason).toBe('finished');
      expect(quiet.state.expectFailed).toBe(0);
      // The whole state, not only the clocks: memory pages, objects, queues, the PRNG.
      const reference = stateText(steppedQuiet);
      for (const other of [quiet, listened, stepped]) expect(stateText(other)).toBe(reference);
      // run() delivers each step's events after that step, exactly as step() does.
      expect(runBatches.length).toBe(stepBatches.length);
      expect(JSON.stringify(runBatches)).toBe(JSON.stringify(stepBatches));
    }
  });

  it('run() without a listener fires time faults between the kernel steps of a syscall, as step() does', () => {
    const base = compileScenario(chcoreRoundTrips(6));
    const handler = base.objects.findIndex((o) => o.name === 'handler');
    const client = base.objects.findIndex((o) => o.name === 'main' && base.processes[o.owner]!.name === 'client');
    const loc = { file: 'test.kscn', line: 1, column: 1, endLine: 1, endColumn: 1 };
    for (let time = 1500; time < 4000; time += 45) {
      for (const action of [
        { kind: 'kill-thread' as const, object: handler },
        { kind: 'kill-thread' as const, object: client },
        { kind: 'crash-machine' as const, machine: 0, restartAfter: 700 },
      ]) {
        const program: ScenarioProgram = { ...base, faults: [{ trigger: { kind: 'time', time }, action, loc }] };
        const quiet = new Kernel(program, { seed: 2, record: false });
        quiet.run();
        const stepped = new Kernel(program, { seed: 2, record: false });
        while (!stepped.halt) stepped.step();
        expect(stateText(quiet), `${action.kind} at ${time}`).toBe(stateText(stepped));
      }
    }
  });

  it('time faults on an idle machine fire identically through run() fast paths and step() (one CPU and several)', () => {
    // One CPU: the round trips, plus a process that blocks for good; once the round trips are
    // done the machine is idle and its time faults fire by advancing its clock (no deadlock).
    const sleeper = `
process sleeper badge 3 {
  thread main {
    let bs = host_set_node_port()
    let m0 = noded_receive(bs)
    let m = noded_receive(bs)
  }
}`;
    const base = compileScenario(`
machine m {
  cpus 1
  timeslice 700
}
${chcoreRoundTrips(6)}${sleeper}`);
    const sleeperProcess = base.processes.findIndex((p) => p.name === 'sleeper');
    const loc = { file: 'test.kscn', line: 1, column: 1, endLine: 1, endColumn: 1 };
    let idleFired = 0;
    for (let time = 1000; time < 40_000; time += 3100) {
      const program: ScenarioProgram = {
        ...base,
        faults: [
          { trigger: { kind: 'time', time }, action: { kind: 'crash-machine', machine: 0, restartAfter: 700 }, loc },
          { trigger: { kind: 'time', time: 60_000 }, action: { kind: 'kill-process', process: sleeperProcess }, loc },
        ],
      };
      const { quiet, listened, stepped, steppedQuiet, runBatches, stepBatches } = fourWays(program, 3);
      expect(quiet.halt?.reason, `crash at ${time}`).toBe('finished');
      expect(quiet.state.faultFired).toEqual([true, true]);
      const reference = stateText(steppedQuiet);
      for (const other of [quiet, listened, stepped]) expect(stateText(other), `crash at ${time}`).toBe(reference);
      expect(JSON.stringify(runBatches)).toBe(JSON.stringify(stepBatches));
      const events = stepBatches.flat();
      const faults = events.filter((e) => e.kind === 'fault-injected');
      // The kill of the blocked sleeper fires at 60,000 (exactly, when the machine is idle then).
      expect(faults[1]!.time).toBeGreaterThanOrEqual(60_000);
      expect(faults[1]!.time).toBeLessThan(60_200);
      if (faults[0]!.time === time) idleFired++;
    }
    // Some crash times fall after the round trips, when the machine is idle: they fire at exactly T.
    expect(idleFired).toBeGreaterThan(0);

    // Several machines and CPUs, several seeds: a crash of an idle machine while another runs.
    const multi = compileScenario(`
machine a {
  cpus 2
  timeslice 700
}
machine b {
  cpus 1
}
${chcoreRoundTrips(4).replace('process server badge 1', 'process server on a badge 1').replace('process client badge 2', 'process client on a badge 2')}${sleeper.replace('process sleeper badge 3', 'process sleeper on b badge 3')}
fault at 2500 crash b restart after 1000
fault at 8000 kill sleeper
`);
    for (let seed = 1; seed <= 6; seed++) {
      const { quiet, listened, stepped, steppedQuiet, runBatches, stepBatches } = fourWays(multi, seed);
      expect(quiet.halt?.reason).toBe('finished');
      const reference = stateText(steppedQuiet);
      for (const other of [quiet, listened, stepped]) expect(stateText(other), `seed ${seed}`).toBe(reference);
      expect(JSON.stringify(runBatches)).toBe(JSON.stringify(stepBatches));
      const machine = stepBatches.flat().filter((e) => e.kind === 'machine').map((e) => [e.kind === 'machine' ? e.action : '', e.time]);
      expect(machine).toEqual([['crash', 2500], ['restart', 3500]]);
    }
  });

  it('syscall-entry events of repeated calls carry equal argument lists', () => {
    const program = compileScenario(chcoreRoundTrips(3));
    const kernel = new Kernel(program, { seed: 1 });
    const entries: KernelEvent[] = [];
    kernel.onEvents = (batch) => {
      for (const e of batch) if (e.kind === 'syscall-entry' && e.syscall === 'ipc_call') entries.push(e);
    };
    kernel.run();
    expect(entries).toHaveLength(6);
    const args = entries.map((e) => (e.kind === 'syscall-entry' ? e.args.map(([n, v]) => `${n}=${v}`).join(',') : ''));
    // Both forms pass the same message pointer (the data form writes the shm first).
    expect(new Set(args)).toEqual(new Set([args[0]]));
    expect(args[0]).toMatch(/^conn_cap=\d+,ipc_msg=1073741824,cap_num=0$/);

    // Different values give different lists, also after a repeat.
    const sizes = new Kernel(compileScenario(`
process p {
  thread main {
    repeat 2 {
      repeat 3 as i {
        let x = pmo_create(size: 4096 * (i + 1))
      }
    }
    let y = pmo_create(size: -0)
  }
}`), { seed: 1 });
    const seen: number[] = [];
    sizes.onEvents = (batch) => {
      for (const e of batch) if (e.kind === 'syscall-entry') seen.push(e.args[0]![1]);
    };
    sizes.run();
    expect(seen.slice(0, 6)).toEqual([4096, 8192, 12288, 4096, 8192, 12288]);
    expect(seen).toHaveLength(7);
  });

  it('recording does not change the execution', () => {
    const program = compileScenario(SCENARIO);
    const quiet = new Kernel(program, { seed: 3, record: false });
    const loud = new Kernel(program, { seed: 3, record: true });
    quiet.run(1_000_000);
    loud.run(1_000_000);
    expect(quiet.state.steps).toBe(loud.state.steps);
    expect(quiet.state.cpus.map((c) => c.time)).toEqual(loud.state.cpus.map((c) => c.time));
    expect(quiet.state.prng).toBe(loud.state.prng);
  });
});
