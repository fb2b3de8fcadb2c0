// Interleaving exploration (kernel/explore.ts): the planted races are found at specific seeds,
// reports are deterministic, one-CPU scenarios are recognised, and every outcome is classified.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cpuCount, describeSeed, explore, runSeed } from '../../kernel/explore';
import { tockRaceScenario } from '../../kernel/tock/race-scenario';
import { client, compileScenario, server } from './helpers';

const root = path.resolve(__dirname, '../..');
const RACE_FILE = 'examples/race-registration.kscn';
const race = compileScenario(readFileSync(path.join(root, RACE_FILE), 'utf8'), RACE_FILE);
const echo = compileScenario(readFileSync(path.join(root, 'examples/echo.kscn'), 'utf8'), 'examples/echo.kscn');

/** The line of the first occurrence of `needle` in the example (1-based). */
function lineOf(file: string, needle: string, after = ''): number {
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const start = after ? lines.findIndex((l) => l.includes(after)) : 0;
  return lines.findIndex((l, i) => i >= start && l.includes(needle)) + 1;
}

describe('explore: the registration race (CH-RCLI-03)', () => {
  const report = explore(race, { runs: 50, seed: 1 });
  const bExpect = lineOf(RACE_FILE, 'expect conn >= 0', 'process b');

  it('passes at the default seed and fails at others', () => {
    expect(runSeed(race, 1).outcome).toBe('passed');
    expect(report.passedSeeds).toContain(1);
    expect(report.passedSeeds).toContain(2);
    for (const seed of [3, 5, 6, 8]) expect(report.failedSeeds).toContain(seed);
    expect(report.failedSeeds.length).toBeGreaterThan(5);
    expect(report.passedSeeds.length).toBeGreaterThan(5);
    expect(report.failedSeeds.length + report.passedSeeds.length).toBe(50);
  });

  it('groups the failures: one expectation, at b.main line, with -EIPCRETRY', () => {
    expect(report.groups).toHaveLength(1);
    const group = report.groups[0]!;
    expect(group.outcome).toBe('expectation-failed');
    expect(group.headline).toBe('expect conn >= 0');
    expect(group.where).toBe(`${RACE_FILE}:${bExpect}`);
    expect(group.seeds).toEqual(report.failedSeeds);
    expect(group.first.seed).toBe(report.failedSeeds[0]);
    expect(group.first.problem!.message).toBe('expect conn >= 0 (conn = -EIPCRETRY) failed in b.main');
    expect(group.first.problem!.thread).toBe('b.main');
  });

  it('describes the first failing seed from a recorded re-run: both clients reach the lock at once', () => {
    const text = report.groups[0]!.description.join('\n');
    expect(text).toMatch(/a\.main: +sys_register_client › try_lock\(register_lock\)/);
    expect(text).toMatch(/b\.main: +sys_register_client › try_lock\(register_lock\)/);
    expect(text).toMatch(/b\.main: register_client returns -EIPCRETRY/);
    expect(text).toMatch(/FAIL expect conn >= 0/);
  });

  it('reports the CPUs and distinct final states', () => {
    expect(report.cpus).toBe(3);
    expect(report.singleCpu).toBe(false);
    expect(report.distinctRuns).toBe(2);
    expect(report.results.map((r) => r.seed)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('is deterministic', () => {
    const again = explore(race, { runs: 50, seed: 1 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(report));
    // A window of the same seeds gives the same per-seed results.
    const window = explore(race, { runs: 10, seed: 21 });
    expect(window.results).toEqual(report.results.slice(20, 30));
  });

  it('records the same outcome with recording on and off', () => {
    for (const seed of [1, 3, 4, 5]) {
      const off = runSeed(race, seed);
      const on = runSeed(race, seed, { record: true });
      expect(on).toEqual(off);
    }
  });
});

describe('explore: the Tock notification race (kernel/tock/race-scenario.ts)', () => {
  const text = tockRaceScenario();
  // The service expects both notifications; a dropped one (the race) fails that expectation.
  const program = compileScenario(text, 'tock-race.kscn');

  it('finds seeds where a notification reaches the null upcall (TK-UPC-11)', () => {
    const report = explore(program, { runs: 30, seed: 1 });
    expect(report.failedSeeds.length).toBeGreaterThan(0);
    expect(report.passedSeeds.length).toBeGreaterThan(0);
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0]!.outcome).toBe('expectation-failed');
    expect(report.groups[0]!.first.problem!.message).toMatch(/^expect seen == limit \(seen = [01], limit = 2\)/);
    for (const seed of [2, 4, 5]) expect(report.failedSeeds).toContain(seed);
    for (const seed of [1, 3, 6]) expect(report.passedSeeds).toContain(seed);
    const description = describeSeed(program, report.failedSeeds[0]!, { contextLines: 40 }).join('\n');
    expect(description).toMatch(/FAIL expect seen == limit/);
  });

  it('reaches two different final states across seeds', () => {
    const report = explore(program, { runs: 10, seed: 1, describe: false });
    expect(report.distinctRuns).toBe(2);
  });
});

describe('explore: outcomes', () => {
  it('recognises a one-CPU scenario: every seed gives the same run', () => {
    const report = explore(echo, { runs: 5, seed: 1 });
    expect(cpuCount(echo)).toBe(1);
    expect(report.singleCpu).toBe(true);
    expect(report.distinctRuns).toBe(1);
    expect(report.failedSeeds).toEqual([]);
    expect(report.groups).toEqual([]);
  });

  it('classifies a deadlock with the waiting thread and its line', () => {
    const program = compileScenario(`process server badge 1 {
  thread main {
    register_server(register_thread: reg)
  }
  thread reg register runs on_register
  thread handler shadow runs serve
  routine on_register(declared) {
    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000)
  }
  routine serve(msg, badge) {
    print "handler gives up"
  }
}
process client badge 2 {
  pmo shm size 4KiB
  thread main {
    let conn = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    let r = ipc_call(conn, data: [21])
  }
}
`, 'dead.kscn');
    const report = explore(program, { runs: 3, seed: 1 });
    expect(report.failedSeeds).toEqual([1, 2, 3]);
    const group = report.groups[0]!;
    expect(group.outcome).toBe('deadlock');
    expect(group.first.problem!.message).toContain('client.main waits in sys_ipc_call');
    expect(group.where).toBe('dead.kscn:18');
    expect(group.description.at(-1)).toMatch(/^deadlock: /);
  });

  it('classifies the step limit with where the run was', () => {
    const program = compileScenario(`process p {\n  thread main {\n    repeat 1_000_000 {\n      let x = 1\n    }\n  }\n}\n`, 'loop.kscn');
    const report = explore(program, { runs: 2, seed: 7, maxSteps: 100 });
    expect(report.failedSeeds).toEqual([7, 8]);
    expect(report.groups[0]!.outcome).toBe('step-limit');
    expect(report.groups[0]!.first.problem!.file).toBe('loop.kscn');
    expect(report.groups[0]!.description.at(-1)).toMatch(/--max-steps 100/);
  });

  it('classifies a kernel fault with its seed row and the scenario line', () => {
    const text = `${server()}
${client('    let bad = register_client(server: server.handler, shm: secret, addr: 0x4100_0000)\n    print "not reached"')}`;
    const program = compileScenario(text, 'kfault.kscn');
    const report = explore(program, { runs: 2, seed: 1 });
    const group = report.groups[0]!;
    expect(group.outcome).toBe('kernel-fault');
    expect(group.headline).toBe('CH-RCLI-10 (chcore-ipc-connection.c.txt:509)');
    expect(group.first.problem!.message).toMatch(/^kernel fault CH-RCLI-10 \(chcore-ipc-connection\.c\.txt:509\): type confusion/);
    const line = text.split('\n').findIndex((l) => l.includes('let bad = register_client')) + 1;
    expect(group.where).toBe(`kfault.kscn:${line}`);
    expect(group.first.runFails).toBe(true);
  });

  it('classifies a thread fault with its line', () => {
    const program = compileScenario(`process p {\n  thread main {\n    let x = load32(0x10)\n  }\n}\n`, 'fault.kscn');
    const run = runSeed(program, 1);
    expect(run.outcome).toBe('thread-fault');
    expect(run.problem!.line).toBe(3);
    expect(run.problem!.message).toMatch(/p\.main faulted: read from an unmapped address/);
  });
});
