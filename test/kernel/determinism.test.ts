// Determinism: the same program and seed give the same event stream; the seed only changes how
// ties between CPUs at equal virtual time are broken, which changes a multi-CPU interleaving.
import { describe, expect, it } from 'vitest';
import { Kernel, type KernelEvent } from '../../kernel/index';
import { compileScenario } from './helpers';

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
