// The `kscn` command: exit codes, diagnostics format, trace and JSON output, bad input.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { buildSync } from 'esbuild';
import path from 'node:path';
import { runCli, type CliIo } from '../../cli/commands';
import { validateChromeTrace } from './chrome-trace-validator';

const root = path.resolve(__dirname, '../..');

function fakeIo(files: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    readFile: (p) => {
      if (p in files) return files[p]!;
      if (p.startsWith('examples/')) return readFileSync(path.join(root, p), 'utf8');
      throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    },
    writeFile: (p, text) => {
      files[p] = text;
    },
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

const PASSING = `
process server badge 1 {
  thread main {
    register_server(register_thread: reg)
  }
  thread reg register runs on_register
  thread handler shadow runs serve
  routine on_register(declared) {
    ipc_register_cb_return(handler: handler, server_shm: 0x5000_0000)
  }
  routine serve(msg, badge) {
    ipc_return(msg_data(msg, 0) * 2)
  }
}
process client badge 2 {
  pmo shm size 4KiB
  thread main {
    let conn = register_client(server: server.main, shm: shm, addr: 0x4000_0000)
    let r = ipc_call(conn, data: [21])
    expect r == 42
  }
}
`;

const FAILING = PASSING.replace('expect r == 42', 'expect r == 43');

describe('kscn check', () => {
  it('prints nothing and exits 0 for a clean file', () => {
    const t = fakeIo({ 'ok.kscn': PASSING });
    expect(runCli(['check', 'ok.kscn'], t.io)).toBe(0);
    expect(t.out()).toBe('');
  });

  it('prints file:line:col: error: message and exits 1', () => {
    const t = fakeIo({ 'bad.kscn': 'process p {\n  thread main {\n    ipc_cal(1)\n  }\n}\n' });
    expect(runCli(['check', 'bad.kscn'], t.io)).toBe(1);
    expect(t.out()).toMatch(/^bad\.kscn:3:5: error: .*ipc_cal.*ipc_call/m);
  });

  it('checks every file and reports an unreadable one with exit 2', () => {
    const t = fakeIo({ 'ok.kscn': PASSING });
    expect(runCli(['check', 'ok.kscn', 'missing.kscn'], t.io)).toBe(2);
    expect(t.err()).toContain('cannot read missing.kscn: ENOENT');
  });

  it('accepts every bundled example', () => {
    const examples = readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.kscn'));
    expect(examples.length).toBeGreaterThan(0);
    const t = fakeIo({});
    expect(runCli(['check', ...examples.map((f) => `examples/${f}`)], t.io)).toBe(0);
    expect(t.out()).toBe('');
  });
});

describe('kscn run', () => {
  it('runs a passing scenario: trace, summary, exit 0', () => {
    const t = fakeIo({ 'ok.kscn': PASSING });
    expect(runCli(['run', 'ok.kscn'], t.io)).toBe(0);
    const out = t.out();
    expect(out).toMatch(/ipc_call/);
    expect(out).toMatch(/register_client/);
    expect(out).toMatch(/expect r == 42/);
  });

  it('exits 1 when an expectation fails', () => {
    const t = fakeIo({ 'bad.kscn': FAILING });
    expect(runCli(['run', 'bad.kscn'], t.io)).toBe(1);
    expect(t.out()).toMatch(/expect r == 43/);
  });

  it('prints one JSON event per line with --json', () => {
    const t = fakeIo({ 'ok.kscn': PASSING });
    expect(runCli(['run', 'ok.kscn', '--json'], t.io)).toBe(0);
    const lines = t.out().trim().split('\n');
    expect(lines.length).toBeGreaterThan(5);
    const events = lines.map((l) => JSON.parse(l) as { kind: string });
    expect(events.some((e) => e.kind === 'syscall-entry')).toBe(true);
    expect(events.some((e) => e.kind === 'migration')).toBe(true);
  });

  it('stops at --max-steps with a clear message and exit 1', () => {
    const looping = `process p {\n  thread main {\n    repeat 1_000_000 {\n      let x = 1\n    }\n  }\n}\n`;
    const t = fakeIo({ 'loop.kscn': looping });
    expect(runCli(['run', 'loop.kscn', '--max-steps', '100'], t.io)).toBe(1);
    expect(t.err()).toContain('--max-steps 100');
  });

  it('exits 2 on a parse error, naming file:line:col', () => {
    const t = fakeIo({ 'broken.kscn': 'process p {\n  thread main {\n    let = 3\n  }\n}\n' });
    expect(runCli(['run', 'broken.kscn'], t.io)).toBe(2);
    expect(t.err()).toMatch(/^broken\.kscn:3:\d+: error: /m);
  });

  it('exits 2 on usage errors', () => {
    for (const argv of [[], ['frobnicate'], ['run'], ['run', 'a', 'b'], ['run', 'ok.kscn', '--seed'], ['run', 'ok.kscn', '--seed', 'x'], ['run', 'ok.kscn', '--bogus']]) {
      const t = fakeIo({ 'ok.kscn': PASSING });
      expect(runCli(argv, t.io), argv.join(' ')).toBe(2);
      expect(t.err()).toContain('usage:');
    }
  });

  it('gives the same trace for the same seed', () => {
    const a = fakeIo({ 'ok.kscn': PASSING });
    const b = fakeIo({ 'ok.kscn': PASSING });
    runCli(['run', 'ok.kscn', '--json', '--seed', '5'], a.io);
    runCli(['run', 'ok.kscn', '--json', '--seed', '5'], b.io);
    expect(a.out()).toBe(b.out());
  });
});

describe('the bundled kscn command', () => {
  it('runs the default example end to end as a child process', () => {
    const out = execFileSync(process.execPath, [path.join(root, 'bin/kscn.js'), 'run', 'examples/echo.kscn'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out).toMatch(/echo done/);
  });

  it('exits 2 for a missing file', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin/kscn.js'), 'run', 'nope.kscn'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cannot read nope.kscn');
  });
});

const RACE = 'examples/race-registration.kscn';

describe('kscn trace', () => {
  it('writes a valid Chrome trace with -o and reports what it wrote', () => {
    const files: Record<string, string> = { 'ok.kscn': PASSING };
    const t = fakeIo(files);
    expect(runCli(['trace', 'ok.kscn', '--format', 'chrome', '-o', 'out.json'], t.io)).toBe(0);
    expect(t.out()).toMatch(/^kscn: wrote \d+ trace events to out\.json \(seed 1; finished: 1 expectations passed, 0 failed\)\n$/);
    const trace = JSON.parse(files['out.json']!) as { traceEvents: { ph: string; cat?: string }[]; displayTimeUnit: string; metadata: Record<string, unknown> };
    expect(validateChromeTrace(trace)).toEqual([]);
    expect(trace.displayTimeUnit).toBe('ns');
    expect(trace.metadata).toMatchObject({ source: 'kscn', scenario: 'ok.kscn', seed: 1 });
    expect(trace.traceEvents.some((e) => e.ph === 's' && e.cat === 'ipc')).toBe(true);
  });

  it('defaults to the chrome format on stdout', () => {
    const t = fakeIo({ 'ok.kscn': PASSING });
    expect(runCli(['trace', 'ok.kscn'], t.io)).toBe(0);
    expect(validateChromeTrace(JSON.parse(t.out()))).toEqual([]);
  });

  it('writes the event stream as a JSON array with --format json', () => {
    const files: Record<string, string> = { 'ok.kscn': PASSING };
    const t = fakeIo(files);
    expect(runCli(['trace', 'ok.kscn', '--format=json', '--output', 'events.json'], t.io)).toBe(0);
    const events = JSON.parse(files['events.json']!) as { kind: string }[];
    expect(Array.isArray(events)).toBe(true);
    expect(events.some((e) => e.kind === 'migration')).toBe(true);
    expect(events.at(-1)!.kind).toBe('halt');
    // The same stream `run --json` prints, line by line.
    const r = fakeIo({ 'ok.kscn': PASSING });
    runCli(['run', 'ok.kscn', '--json'], r.io);
    expect(r.out().trim().split('\n').map((l) => JSON.parse(l))).toEqual(events);
  });

  it('follows --seed: a failing seed of the race gives its FAIL instant and exit 1', () => {
    const files: Record<string, string> = {};
    const t = fakeIo(files);
    expect(runCli(['trace', RACE, '--seed', '3', '-o', 'race.json'], t.io)).toBe(1);
    const trace = JSON.parse(files['race.json']!) as { traceEvents: { ph: string; name: string }[]; metadata: { seed: number } };
    expect(validateChromeTrace(trace)).toEqual([]);
    expect(trace.metadata.seed).toBe(3);
    expect(trace.traceEvents.some((e) => e.ph === 'i' && e.name === 'FAIL expect conn >= 0')).toBe(true);
  });

  it('stops at --max-steps, still writes the trace, exit 1', () => {
    const looping = `process p {\n  thread main {\n    repeat 1_000_000 {\n      let x = 1\n    }\n  }\n}\n`;
    const files: Record<string, string> = { 'loop.kscn': looping };
    const t = fakeIo(files);
    expect(runCli(['trace', 'loop.kscn', '--max-steps', '50', '-o', 'loop.json'], t.io)).toBe(1);
    expect(t.err()).toContain('--max-steps 50');
    expect(validateChromeTrace(JSON.parse(files['loop.json']!))).toEqual([]);
  });

  it('exits 2 on usage errors and parse errors', () => {
    for (const argv of [['trace'], ['trace', 'a', 'b'], ['trace', 'ok.kscn', '--format', 'svg'], ['trace', 'ok.kscn', '-o'], ['trace', 'ok.kscn', '--runs', '3'], ['trace', 'ok.kscn', '--json']]) {
      const t = fakeIo({ 'ok.kscn': PASSING });
      expect(runCli(argv, t.io), argv.join(' ')).toBe(2);
      expect(t.err()).toContain('usage:');
    }
    const t = fakeIo({ 'broken.kscn': 'process p {\n  thread main {\n    let = 3\n  }\n}\n' });
    expect(runCli(['trace', 'broken.kscn', '-o', 'x.json'], t.io)).toBe(2);
    expect(t.err()).toMatch(/^broken\.kscn:3:\d+: error: /m);
    const missing = fakeIo({});
    expect(runCli(['trace', 'missing.kscn'], missing.io)).toBe(2);
    expect(missing.err()).toContain('cannot read missing.kscn');
  });
});

describe('kscn explore', () => {
  it('finds the registration race: seeds grouped, message, file:line, replay command, exit 1', () => {
    const t = fakeIo({});
    expect(runCli(['explore', RACE, '--runs', '50'], t.io)).toBe(1);
    const out = t.out();
    expect(out).toMatch(/^kscn explore examples\/race-registration\.kscn: 50 runs, seeds 1\.\.50, 3 CPUs, 2 distinct final states$/m);
    expect(out).toMatch(/^FAILED: \d+ of 50 seeds$/m);
    expect(out).toMatch(/^expectation failed: expect conn >= 0 {2}\[examples\/race-registration\.kscn:\d+\] {2}\(\d+ seeds\)$/m);
    expect(out).toMatch(/^ {2}seeds: 3, 5-6, 8, /m);
    expect(out).toContain('  seed 3: expect conn >= 0 (conn = -EIPCRETRY) failed in b.main');
    expect(out).toContain('  replay: kscn run examples/race-registration.kscn --seed 3\n');
    expect(out).toMatch(/^passed: \d+ seeds \(1-2, 4, /m);
  });

  it('the replay command reproduces the failure (exit 1) and the default seed passes (exit 0)', () => {
    const t = fakeIo({});
    runCli(['explore', RACE, '--runs', '20', '--json'], t.io);
    const report = JSON.parse(t.out()) as { failures: { seed: number; replay: string }[]; passedSeeds: number[] };
    expect(report.failures.length).toBeGreaterThan(2);
    for (const failure of report.failures.slice(0, 4)) {
      const argv = failure.replay.split(' ').slice(1);
      expect(argv).toEqual(['run', RACE, '--seed', String(failure.seed)]);
      const replay = fakeIo({});
      expect(runCli(argv, replay.io), failure.replay).toBe(1);
      expect(replay.out()).toMatch(/FAIL expect conn >= 0 {2}\(conn = -EIPCRETRY/);
    }
    for (const seed of report.passedSeeds.slice(0, 3)) {
      expect(runCli(['run', RACE, '--seed', String(seed)], fakeIo({}).io)).toBe(0);
    }
    expect(runCli(['run', RACE], fakeIo({}).io)).toBe(0);
  });

  it('prints a deterministic JSON report with --json', () => {
    const a = fakeIo({});
    const b = fakeIo({});
    expect(runCli(['explore', RACE, '--runs', '12', '--seed', '3', '--json'], a.io)).toBe(1);
    expect(runCli(['explore', RACE, '--runs', '12', '--seed', '3', '--json'], b.io)).toBe(1);
    expect(a.out()).toBe(b.out());
    const report = JSON.parse(a.out()) as { firstSeed: number; runs: number; groups: { outcome: string; replay: string; seeds: number[] }[]; results: unknown[] };
    expect(report.firstSeed).toBe(3);
    expect(report.results).toHaveLength(12);
    expect(report.groups[0]!.outcome).toBe('expectation-failed');
    expect(report.groups[0]!.replay).toBe(`kscn run ${RACE} --seed ${report.groups[0]!.seeds[0]}`);
  });

  it('says so when the scenario has one CPU, and exits 0 when every seed passes', () => {
    const t = fakeIo({ 'ok.kscn': PASSING });
    expect(runCli(['explore', 'ok.kscn', '--runs', '4'], t.io)).toBe(0);
    expect(t.out()).toContain('note: the scenario has one CPU; the seed only breaks ties between CPUs, so every seed gives the same interleaving');
    expect(t.out()).toContain('all 4 seeds passed');
  });

  it('reports a failing scenario at every seed, with --max-steps in the replay command', () => {
    const looping = `process p {\n  thread main {\n    repeat 1_000_000 {\n      let x = 1\n    }\n  }\n}\n`;
    const t = fakeIo({ 'loop.kscn': looping });
    expect(runCli(['explore', 'loop.kscn', '--runs', '2', '--max-steps', '100'], t.io)).toBe(1);
    expect(t.out()).toMatch(/^step limit reached: stopped after --max-steps 100 steps without finishing {2}\[loop\.kscn:\d+\] {2}\(2 seeds\)$/m);
    expect(t.out()).toContain('replay: kscn run loop.kscn --seed 1 --max-steps 100');
    const fail = fakeIo({ 'bad.kscn': FAILING });
    expect(runCli(['explore', 'bad.kscn', '--runs', '3'], fail.io)).toBe(1);
    expect(fail.out()).toContain('expectation failed: expect r == 43  [bad.kscn:');
    expect(fail.out()).toContain('seeds: 1-3');
  });

  it('exits 2 on usage errors and parse errors', () => {
    for (const argv of [
      ['explore'],
      ['explore', 'a', 'b'],
      ['explore', 'ok.kscn', '--runs', '0'],
      ['explore', 'ok.kscn', '--runs', 'x'],
      ['explore', 'ok.kscn', '--seed', '-1'],
      ['explore', 'ok.kscn', '--format', 'chrome'],
      ['explore', 'ok.kscn', '-o', 'x'],
      ['run', 'ok.kscn', '--runs', '3'],
    ]) {
      const t = fakeIo({ 'ok.kscn': PASSING });
      expect(runCli(argv, t.io), argv.join(' ')).toBe(2);
      expect(t.err()).toContain('usage:');
    }
    const t = fakeIo({ 'broken.kscn': 'process p {\n  thread main {\n    let = 3\n  }\n}\n' });
    expect(runCli(['explore', 'broken.kscn'], t.io)).toBe(2);
    expect(t.err()).toMatch(/^broken\.kscn:3:\d+: error: /m);
    expect(t.out()).toBe('');
  });

  it('lists trace and explore in the help', () => {
    const t = fakeIo({});
    expect(runCli(['help'], t.io)).toBe(0);
    expect(t.out()).toMatch(/kscn trace FILE \[--format chrome\|json\] \[-o OUT\]/);
    expect(t.out()).toMatch(/kscn explore FILE \[--runs N\] \[--seed S\]/);
  });
});

describe('the bundled kscn command: trace and explore', () => {
  it('writes a Chrome trace file as a child process (node dist/cli.js trace)', () => {
    try {
      execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'pipe' });
    } catch {
      // Another bundle (adapter, server) is broken mid-edit: build the CLI bundle alone, as build.mjs does.
      buildSync({ entryPoints: [path.join(root, 'cli/main.ts')], outfile: path.join(root, 'dist/cli.js'), bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'linked', logLevel: 'error' });
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kscn-trace-'));
    try {
      const out = path.join(dir, 'echo.json');
      const r = spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), 'trace', 'examples/echo.kscn', '--format', 'chrome', '-o', out, '--seed', '2'], {
        cwd: root,
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`to ${out} (seed 2;`);
      const trace = JSON.parse(readFileSync(out, 'utf8')) as unknown;
      expect(validateChromeTrace(trace)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('explores as a child process with exit 1 for the race', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin/kscn.js'), 'explore', RACE, '--runs', '10'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('replay: kscn run examples/race-registration.kscn --seed 3');
  });
});
