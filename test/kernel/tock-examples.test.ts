// The Tock examples run green with readable Tock traces, and the race scenario is deterministic
// for a given seed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tockRaceScenario } from '../../kernel/tock/race-scenario';
import { runTock, tockProcess } from './tock-helpers';

describe('Tock examples', () => {
  it('examples/tock-ipc.kscn: discover, notify the service and the client, a shared buffer with its MPU region', () => {
    const run = runTock(readFileSync('examples/tock-ipc.kscn', 'utf8'));
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(9);
    expect(run.halt).toBe('finished: 9 expectations passed, 0 failed');
    expect(tockProcess(run, 'doubler').mpuRegions).toHaveLength(1);
    expect(run.text).toMatchSnapshot();
  });

  it('examples/tock-mpu-misaligned.kscn: the MPU cannot cover the buffer, visibly, and the reader faults', () => {
    const run = runTock(readFileSync('examples/tock-mpu-misaligned.kscn', 'utf8'));
    expect(run.failures).toEqual([]);
    expect(run.passed).toBe(5);
    expect(run.halt).toBe('finished: 5 expectations passed, 0 failed');
    expect(tockProcess(run, 'reader').state).toBe('Faulted');
    expect(run.lines.some((l) => l.startsWith('tock mpu reader: add_mpu_region(0x20010410, 48, 48) failed, ignored:'))).toBe(true);
    expect(run.text).toMatchSnapshot();
  });

  it('the race scenario gives the same events for the same seed', () => {
    const a = runTock(tockRaceScenario(), { seed: 7 });
    const b = runTock(tockRaceScenario(), { seed: 7 });
    expect(a.events).toEqual(b.events);
    expect(a.kernel.state).toEqual(b.kernel.state);
  });
});
