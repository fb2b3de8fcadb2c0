// The `kscn` command: exit codes, diagnostics format, trace and JSON output, bad input.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runCli, type CliIo } from '../../cli/commands';

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
