// The XNU node layer and the fault engine keep the kernel deterministic and its state plain data:
// the same program gives the same events; a snapshot taken while threads are parked in XNU waits
// (and with a crash pending restart) restores to the same continuation.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Kernel, formatEvent, type KernelEvent } from '../../kernel/index';
import { buildProgram } from './xnu-helpers';

const FAULTS = readFileSync('examples/faults.kscn', 'utf8');
const NODES = readFileSync('examples/mach-nodes.kscn', 'utf8');
const CRASHY = `${NODES}
fault at 2000 crash b restart after 1500
`;

function trace(kernel: Kernel, steps = Infinity): string[] {
  const events: KernelEvent[] = [];
  kernel.onEvents = (batch) => events.push(...batch);
  if (steps === Infinity) kernel.run(1_000_000);
  else for (let i = 0; i < steps && kernel.halt === undefined; i++) kernel.step();
  kernel.onEvents = null;
  return events.map((e) => formatEvent(e));
}

describe('determinism', () => {
  for (const [name, text] of [['mach-nodes', NODES], ['faults', FAULTS], ['mach-nodes with a crash', CRASHY]] as const) {
    it(`${name}: two runs give the same events`, () => {
      const program = buildProgram(text);
      expect(trace(new Kernel(program))).toEqual(trace(new Kernel(program)));
    });

    it(`${name}: a snapshot mid-run (threads parked in XNU waits) restores to the same continuation`, () => {
      const program = buildProgram(text);
      const kernel = new Kernel(program);
      trace(kernel, 60);
      const snapshot = kernel.snapshot();
      expect(structuredClone(snapshot)).toEqual(snapshot);
      const rest = trace(kernel);
      kernel.restore(snapshot);
      expect(trace(kernel)).toEqual(rest);
    });
  }

  it('the crash scenario crashes and restarts b, and stays consistent', () => {
    const kernel = new Kernel(buildProgram(CRASHY));
    const lines = trace(kernel);
    expect(lines.some((l) => l.includes('MACHINE b crash'))).toBe(true);
    expect(lines.some((l) => l.includes('MACHINE b restart'))).toBe(true);
  });
});
