// Helpers for the XNU node-table and fault tests: compile a scenario, then give its machines a
// node table size / byte order / data model and add links and faults to the IR (for syntax the
// language has not grown yet), run it with the invariant checker, and collect a trace.
import { Kernel, formatEvent, type FaultAction, type FaultDecl, type FaultTrigger, type KernelEvent, type ScenarioProgram, type SourceLocation, type HaltInfo } from '../../kernel/index';
import { checkInvariants } from '../../kernel/invariants';
import { compileScenario } from './helpers';

const loc: SourceLocation = { file: 'test.kscn', line: 1, column: 1, endLine: 1, endColumn: 1 };

export interface MachineProps {
  readonly nodes?: number;
  readonly byteOrder?: number;
  readonly dataModel?: number;
}

export interface XnuSetup {
  readonly machines?: Readonly<Record<string, MachineProps>>;
  /** `[a, b, latency]` by machine name. */
  readonly links?: readonly (readonly [string, string, number])[];
  readonly faults?: readonly { trigger: FaultTrigger; action: FaultAction }[];
}

export function buildProgram(text: string, setup: XnuSetup = {}): ScenarioProgram {
  const program = compileScenario(text);
  const index = (name: string): number => program.machines.findIndex((m) => m.name === name);
  const machines = program.machines.map((m) => {
    const props = setup.machines?.[m.name] ?? {};
    return { ...m, nodeTableSize: props.nodes ?? m.nodeTableSize, byteOrder: props.byteOrder ?? m.byteOrder, dataModel: props.dataModel ?? m.dataModel };
  });
  const links = program.links.length > 0 ? program.links : (setup.links ?? []).map(([a, b, latency]) => ({ a: index(a), b: index(b), latency, loc }));
  const faults: FaultDecl[] = program.faults.length > 0 ? [...program.faults] : (setup.faults ?? []).map((f) => ({ ...f, loc }));
  return { ...program, machines, links, faults };
}

/** Object index of `process.thread` (for fault triggers and kill actions). */
export function objectIndex(program: ScenarioProgram, qualified: string): number {
  const [p, o] = qualified.split('.');
  return program.objects.findIndex((x) => x.name === o && program.processes[x.owner]!.name === p);
}

export interface XnuRun {
  readonly kernel: Kernel;
  readonly events: KernelEvent[];
  readonly halt: HaltInfo | undefined;
  /** Interesting lines: syscalls, node, link, machine, fault, expect, print, kernel-fault, halt. */
  readonly trace: string;
  readonly failures: string[];
  /** Invariant violations found after any step (empty = none). */
  readonly violations: string[];
}

const SHOW = new Set(['syscall-exit', 'node', 'link', 'machine', 'fault-injected', 'print', 'kernel-fault', 'halt', 'thread-fault']);

export function runProgram(program: ScenarioProgram, options: { invariants?: boolean; maxSteps?: number } = {}): XnuRun {
  const kernel = new Kernel(program, { seed: 1 });
  const events: KernelEvent[] = [];
  kernel.onEvents = (batch) => events.push(...batch);
  const violations: string[] = [];
  const max = options.maxSteps ?? 200_000;
  if (options.invariants) {
    for (let i = 0; i < max && kernel.halt === undefined; i++) {
      kernel.step();
      const found = checkInvariants(kernel);
      if (found.length > 0 && violations.length < 20) violations.push(...found.map((v) => `step ${i}: ${v}`));
    }
  } else kernel.run(max);
  const trace = events
    .filter((e) => SHOW.has(e.kind) && !(e.kind === 'syscall-exit' && e.syscall === 'yield'))
    .map((e) => formatEvent(e, program).replace(/^\s*\d+ (cpu\d+|    ) /, ''))
    .join('\n');
  return {
    kernel,
    events,
    halt: kernel.halt,
    trace,
    failures: events.filter((e) => e.kind === 'expect' && !e.pass).map((e) => formatEvent(e, program)),
    violations,
  };
}

export function runXnu(text: string, setup: XnuSetup = {}, options: { invariants?: boolean; maxSteps?: number } = {}): XnuRun {
  return runProgram(buildProgram(text, setup), options);
}
