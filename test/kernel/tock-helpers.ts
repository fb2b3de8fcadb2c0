// Helpers for the Tock tests: compile a scenario, optionally reconfigure the board (NUM_PROCS,
// process slots), run it, and collect the Tock lines of the trace without times.
import { Kernel, formatEvent, type KernelEvent, type ScenarioProgram } from '../../kernel/index';
import { compileScenario } from './helpers';

export interface TockRun {
  readonly kernel: Kernel;
  readonly events: KernelEvent[];
  /** `tock`, `thread-fault`, `kernel-fault`, `print` and failed `expect` lines, without times. */
  readonly lines: string[];
  readonly text: string;
  readonly passed: number;
  readonly failed: number;
  readonly failures: string[];
  readonly halt: string;
}

export interface TockRunOptions {
  readonly seed?: number;
  /** The board's NUM_PROCS (process slots stay as booted, at least 4). */
  readonly numProcs?: number;
  /** Extra empty process slots. */
  readonly extraSlots?: number;
  readonly program?: (program: ScenarioProgram) => ScenarioProgram;
  /** Called after each step until it returns true (state injection for rows needing a race). */
  readonly onStep?: (kernel: Kernel) => boolean;
  readonly maxSteps?: number;
}

const SHOWN = new Set(['tock', 'thread-fault', 'kernel-fault', 'print']);

/** The event line without its time and CPU columns. */
export function bare(event: KernelEvent): string {
  return formatEvent(event).slice(14).trimStart();
}

export function runTock(text: string, options: TockRunOptions = {}): TockRun {
  let program = compileScenario(text, 'tock.kscn');
  if (options.program) program = options.program(program);
  const kernel = new Kernel(program, { seed: options.seed ?? 1 });
  for (const board of kernel.state.tock.boards) {
    if (board.slots.length === 0) continue;
    if (options.numProcs !== undefined) board.numProcs = options.numProcs;
    for (let i = 0; i < (options.extraSlots ?? 0); i++) board.slots.push(-1);
  }
  const events: KernelEvent[] = [];
  kernel.onEvents = (batch) => {
    events.push(...batch);
  };
  const max = options.maxSteps ?? 200_000;
  if (options.onStep) {
    let done = false;
    for (let i = 0; i < max && !kernel.halt; i++) {
      kernel.step();
      if (!done) done = options.onStep(kernel);
    }
  } else {
    kernel.run(max);
  }
  const lines = events
    .filter((e) => SHOWN.has(e.kind) || (e.kind === 'expect' && !e.pass))
    .map(bare);
  return {
    kernel,
    events,
    lines,
    text: lines.join('\n'),
    passed: kernel.state.expectPassed,
    failed: kernel.state.expectFailed,
    failures: events.filter((e) => e.kind === 'expect' && !e.pass).map((e) => formatEvent(e)),
    halt: kernel.halt ? kernel.halt.message : 'running',
  };
}

/** The Tock process named `name`. */
export function tockProcess(run: TockRun, name: string) {
  const p = run.kernel.state.tock.processes.find((x) => x.name === name);
  if (!p) throw new Error(`no Tock process ${name}`);
  return p;
}

/** A service that subscribes its service upcall (slot = its own index) and serves `count` upcalls. */
export function service(options: { name?: string; count?: number; body?: string; upcall?: string; extra?: string; slot?: number } = {}): string {
  const name = options.name ?? 'svc';
  return `
process ${name} tock {
${options.extra ?? ''}
  thread main {
    let s = tock_subscribe(driver: 0x10000, num: ${options.slot ?? 0}, routine: on_notify, userdata: 7)
    expect s == 130
${options.body ?? ''}
    repeat ${options.count ?? 1} {
      tock_yield()
    }
  }
  routine on_notify(from, len, addr, userdata) {
${options.upcall ?? '    print "notified by ", from, " len ", len, " addr ", addr, " userdata ", userdata'}
  }
}
`;
}
