// The debugger's prediction of the next step must be exact, or breakpoints would be skipped:
// checked against what `Kernel.step()` then really runs, over every fixture.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../kernel/kernel';
import { compile } from '../../language/core/index';
import { nextStep, statementPositions } from '../../debug-adapter/inspect';
import { FIXTURES, fixture } from './harness';

const scenarios = readdirSync(FIXTURES).filter((f) => f.endsWith('.kscn') && !['errors.kscn', 'loop.kscn', 'bigcaps.kscn'].includes(f));

describe('nextStep', () => {
  it.each(scenarios)('predicts every step of %s', (name) => {
    const file = fixture(name);
    const program = compile(readFileSync(file, 'utf8'), file).program!;
    const kernel = new Kernel(program, { stepLimit: 20_000 });
    let steps = 0;
    const mismatches: string[] = [];
    for (;;) {
      const predicted = nextStep(kernel);
      const report = kernel.step();
      if (report.kind === 'halted') break;
      steps++;
      if (!predicted || predicted.thread !== report.thread || predicted.kind !== report.kind) {
        mismatches.push(`step ${steps}: predicted ${predicted?.thread}/${predicted?.kind}, ran ${report.thread}/${report.kind}`);
      }
    }
    expect(steps).toBeGreaterThan(0);
    expect(mismatches).toEqual([]);
  });

  it('statement positions exclude lines without statements', () => {
    const file = fixture('echo.kscn');
    const program = compile(readFileSync(file, 'utf8'), file).program!;
    const lines = statementPositions(new Kernel(program).compiled.routines);
    expect(lines.has(1)).toBe(false);
    const text = readFileSync(file, 'utf8').split('\n');
    const call = text.findIndex((l) => l.includes('# CALL')) + 1;
    expect(lines.get(call)).toEqual([5]);
  });
});
