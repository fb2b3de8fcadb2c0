// The XNU and fault examples run green, with the invariant checker after every step.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runXnu } from './xnu-helpers';

describe('examples', () => {
  it('examples/mach-nodes.kscn: instantiate, register, publish, raise links, FLIPC, terminate, register again', () => {
    const run = runXnu(readFileSync('examples/mach-nodes.kscn', 'utf8'), {}, { invariants: true });
    expect(run.failures).toEqual([]);
    expect(run.violations).toEqual([]);
    expect(run.halt?.reason).toBe('finished');
    expect(run.kernel.state.expectPassed).toBe(25);
    expect(run.trace).toMatchSnapshot();
  });

  it('examples/faults.kscn: a server killed mid-call, a link lost mid-message', () => {
    const run = runXnu(readFileSync('examples/faults.kscn', 'utf8'), {}, { invariants: true });
    expect(run.failures).toEqual([]);
    expect(run.violations).toEqual([]);
    expect(run.halt?.reason).toBe('finished');
    expect(run.kernel.state.expectPassed).toBe(7);
    expect(run.trace).toMatchSnapshot();
  });
});
