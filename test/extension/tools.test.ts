// The logic behind Explore Interleavings / Debug This Seed / Export Chrome Trace, fed with the
// real output of the CLI's explore command.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, type CliIo } from '../../cli/commands';
import {
  chromeTraceArguments,
  configurationForSeed,
  defaultTracePath,
  describeFailingSeed,
  exploreArguments,
  parseExploreJson,
  summarizeExploration,
  validateRuns,
} from '../../extension/toolsModel';

const root = path.resolve(__dirname, '../..');

function cliOutput(argv: string[]): { code: number; stdout: string } {
  let stdout = '';
  const io: CliIo = {
    readFile: (p) => readFileSync(path.resolve(root, p), 'utf8'),
    writeFile: () => undefined,
    stdout: (t) => void (stdout += t),
    stderr: () => undefined,
  };
  return { code: runCli(argv, io), stdout };
}

describe('explore results in the extension', () => {
  it('reads the failing seeds of the registration race from kscn explore --json', () => {
    const { code, stdout } = cliOutput(exploreArguments('examples/race-registration.kscn', 20, 1));
    expect(code).toBe(1);
    const summary = parseExploreJson(stdout)!;
    expect(summary).toBeDefined();
    expect(summary.runs).toBe(20);
    expect(summary.failures.length).toBeGreaterThan(0);
    expect(summary.failures.length + summary.passed).toBe(20);
    const first = summary.failures[0]!;
    expect(first.replay).toContain(`--seed ${first.seed}`);
    expect(describeFailingSeed(first).label).toBe(`seed ${first.seed}`);
    expect(summarizeExploration(summary, '/w/race-registration.kscn')).toMatch(/^kscn: race-registration\.kscn: \d+ of 20 interleavings failed \(seeds 1\.\.20\)\.$/);
  });

  it('says when every interleaving passed, and why a one-CPU scenario cannot vary', () => {
    const { code, stdout } = cliOutput(exploreArguments('examples/echo.kscn', 3, 1));
    expect(code).toBe(0);
    const summary = parseExploreJson(stdout)!;
    expect(summary.failures).toEqual([]);
    expect(summarizeExploration(summary, 'echo.kscn')).toContain('all 3 interleavings passed');
    expect(summarizeExploration(summary, 'echo.kscn')).toContain('one CPU');
  });

  it('rejects output that is not an exploration report', () => {
    expect(parseExploreJson('not json')).toBeUndefined();
    expect(parseExploreJson('{"runs": "x"}')).toBeUndefined();
    expect(parseExploreJson('{"runs": 2, "firstSeed": 1, "failures": [{"seed": "a"}]}')).toBeUndefined();
  });

  it('debugs a seed with a launch configuration that carries it', () => {
    const config = configurationForSeed('/w/race.kscn', 7);
    expect(config).toMatchObject({ type: 'kscn', request: 'launch', program: '/w/race.kscn', seed: 7 });
    expect(config.name).toBe('Debug race.kscn (seed 7)');
  });

  it('validates the number of runs', () => {
    expect(validateRuns('50')).toBeUndefined();
    expect(validateRuns('0')).toBeDefined();
    expect(validateRuns('abc')).toBeDefined();
    expect(validateRuns('1000001')).toBeDefined();
  });
});

describe('chrome trace export from the extension', () => {
  it('passes the session seed through to kscn trace', () => {
    expect(chromeTraceArguments('/w/a.kscn', '/w/a.trace.json', 3)).toEqual(['trace', '/w/a.kscn', '--format', 'chrome', '-o', '/w/a.trace.json', '--seed', '3']);
    expect(chromeTraceArguments('/w/a.kscn', '/w/a.trace.json', undefined)).not.toContain('--seed');
    expect(defaultTracePath('/w/echo.kscn')).toBe('/w/echo.trace.json');
  });

  it('the arguments it builds are ones the CLI accepts', () => {
    const written: Record<string, string> = {};
    const io: CliIo = {
      readFile: (p) => readFileSync(path.resolve(root, p), 'utf8'),
      writeFile: (p, t) => void (written[p] = t),
      stdout: () => undefined,
      stderr: () => undefined,
    };
    expect(runCli(chromeTraceArguments('examples/echo.kscn', 'out.json', 1), io)).toBe(0);
    const trace = JSON.parse(written['out.json']!) as { traceEvents: unknown[] };
    expect(trace.traceEvents.length).toBeGreaterThan(10);
  });
});
