// Interleaving exploration: run one scenario under many seeds and report the seeds whose run went
// wrong (an expectation failed, a thread or the kernel faulted, a deadlock, the step limit),
// grouped by what went wrong. Pure and deterministic: the same program and options give the same
// report.
//
// What the seed changes: the kernel's xorshift32 PRNG (state.prng) breaks ties between CPUs whose
// virtual clocks are equal (Kernel.chooseCpu), and fills XNU kalloc'd message words. Nothing else
// draws from it, so with one CPU in the whole scenario every seed gives the same interleaving.
//
// Runs go with recording off (only failed expectations, faults and the halt are queued); the first
// seed of each group is run again with recording on to describe it (the trace lines that lead to
// the failure).

import { Kernel } from './kernel';
import type { KernelEvent } from './events';
import type { ScenarioProgram, SourceLocation } from './program';
import { describeChCoreResult } from './constants';
import { formatEvent } from './trace';

export type ExploreOutcome = 'passed' | 'kernel-fault' | 'thread-fault' | 'expectation-failed' | 'deadlock' | 'step-limit';

/** Worst first: a run's outcome is the worst problem it had. */
export const OUTCOME_ORDER: readonly ExploreOutcome[] = ['kernel-fault', 'thread-fault', 'expectation-failed', 'deadlock', 'step-limit', 'passed'];

export interface ExploreProblem {
  readonly outcome: Exclude<ExploreOutcome, 'passed'>;
  /** One line: `expect conn >= 0 (conn = -EIPCRETRY)`, `kernel fault CH-MIG-03 (...): ...`. */
  readonly message: string;
  /** What identifies the problem across seeds (no values): `expect conn >= 0`. */
  readonly headline: string;
  /** Scenario position (1-based), file '' when unknown. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The thread concerned ('' when none). */
  readonly thread: string;
  /** Virtual time (cycles) of the CPU where it happened. */
  readonly time: number;
}

export interface SeedRun {
  readonly seed: number;
  readonly outcome: ExploreOutcome;
  /** The first problem of the outcome's kind (absent when passed). */
  readonly problem?: ExploreProblem;
  /** The problems, in order (the first 20, and the first of each outcome). */
  readonly problems: readonly ExploreProblem[];
  readonly passed: number;
  readonly failed: number;
  readonly steps: number;
  /** The largest CPU clock at the end (cycles). */
  readonly time: number;
  /** The halt message (or the step-limit message). */
  readonly halt: string;
  /** A hash of the final state: equal fingerprints are (almost surely) the same run. */
  readonly fingerprint: string;
  /**
   * Whether `kscn run` fails (exit 1) on this seed: a failed expectation, a kernel fault, a
   * deadlock or the step limit. A thread fault alone fails exploration but not `run`.
   */
  readonly runFails: boolean;
}

export interface ExploreGroup {
  readonly outcome: Exclude<ExploreOutcome, 'passed'>;
  readonly headline: string;
  /** `file:line` of the problem, '' when unknown. */
  readonly where: string;
  readonly seeds: readonly number[];
  /** The first seed's run. */
  readonly first: SeedRun;
  /** Trace lines leading to the failure, from re-running the first seed with recording on. */
  readonly description: readonly string[];
}

export interface ExploreReport {
  readonly file: string;
  readonly firstSeed: number;
  readonly runs: number;
  readonly maxSteps: number;
  /** CPUs in the whole scenario; with one, the seed cannot change the interleaving. */
  readonly cpus: number;
  readonly singleCpu: boolean;
  /** How many different final states the runs reached. */
  readonly distinctRuns: number;
  readonly passedSeeds: readonly number[];
  readonly failedSeeds: readonly number[];
  /** Worst outcome first, then by the first seed. */
  readonly groups: readonly ExploreGroup[];
  /** Every run, by seed. */
  readonly results: readonly SeedRun[];
}

export interface ExploreOptions {
  /** How many seeds: seed, seed + 1, ... seed + runs - 1. */
  readonly runs: number;
  /** First seed. Default 1. */
  readonly seed?: number;
  /** Step limit per run. Default 10,000,000. */
  readonly maxSteps?: number;
  /** Re-run the first seed of each group with recording on to describe it. Default true. */
  readonly describe?: boolean;
  /** Trace lines in a description. Default 12. */
  readonly contextLines?: number;
}

export const DEFAULT_EXPLORE_MAX_STEPS = 10_000_000;

/** Total CPUs the kernel boots for the program (a program without machines gets one). */
export function cpuCount(program: ScenarioProgram): number {
  if (program.machines.length === 0) return 1;
  return program.machines.reduce((n, m) => n + Math.max(1, m.cpus), 0);
}

function fromLoc(loc: SourceLocation | undefined): { file: string; line: number; column: number } {
  return loc && loc.file !== undefined ? { file: loc.file, line: loc.line, column: loc.column } : { file: '', line: 0, column: 0 };
}

function hash(text: string): string {
  // FNV-1a, 32 bits.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function valueText(value: number): string {
  return describeChCoreResult(value);
}

/** The problem an event reports, if any. */
function problemOf(kernel: Kernel, event: KernelEvent): ExploreProblem | null {
  switch (event.kind) {
    case 'expect': {
      if (event.pass) return null;
      const values = event.values.filter(([n]) => !/^-?(0x[0-9a-f_]+|[0-9_]+)$/i.test(n)).map(([n, v]) => `${n} = ${valueText(v)}`).join(', ');
      return {
        outcome: 'expectation-failed',
        headline: `expect ${event.text}`,
        message: `expect ${event.text}${values ? ` (${values})` : ''} failed in ${event.threadName}`,
        ...fromLoc(event.loc),
        thread: event.threadName,
        time: event.time,
      };
    }
    case 'thread-fault':
      return {
        outcome: 'thread-fault',
        headline: event.reason,
        message: `${event.threadName} faulted: ${event.reason} at 0x${event.address.toString(16)}`,
        ...fromLoc(event.loc),
        thread: event.threadName,
        time: event.time,
      };
    case 'kernel-fault':
      return {
        outcome: 'kernel-fault',
        headline: `${event.row} (${event.seedFile}:${event.seedLine})`,
        message: `kernel fault ${event.row} (${event.seedFile}:${event.seedLine}): ${event.message}`,
        ...fromLoc(event.thread > 0 ? kernel.threadLocation(event.thread) : undefined),
        thread: event.threadName,
        time: event.time,
      };
    default:
      return null;
  }
}

/** Where the first thread named in a deadlock message is stuck. */
function deadlockProblem(kernel: Kernel, message: string, time: number): ExploreProblem {
  const name = /^deadlock: (\S+) waits/.exec(message)?.[1] ?? '';
  const thread = kernel.threads().find((t) => t.name === name);
  return { outcome: 'deadlock', headline: message.replace(/^deadlock: /, ''), message, ...fromLoc(thread?.loc), thread: name, time };
}

function stepLimitProblem(kernel: Kernel, message: string): ExploreProblem {
  const next = kernel.peek();
  return {
    outcome: 'step-limit',
    headline: message,
    message,
    ...fromLoc(next?.loc),
    thread: next?.threadName ?? '',
    time: next?.time ?? 0,
  };
}

function fingerprint(kernel: Kernel, reason: string): string {
  const s = kernel.state;
  const threads = s.threadIds.map((id) => {
    const t = s.threads[id]!;
    return `${t.state}/${t.exitState}/${t.ret}/${t.routine}:${t.ip}`;
  });
  return hash(JSON.stringify([s.steps, s.cpus.map((c) => c.time), s.expectPassed, s.expectFailed, reason, threads]));
}

/** Runs one seed; `record` builds every event (for describing a run). */
export function runSeed(program: ScenarioProgram, seed: number, options: { maxSteps?: number; record?: boolean; onEvents?: (events: readonly KernelEvent[]) => void } = {}): SeedRun {
  const maxSteps = options.maxSteps ?? DEFAULT_EXPLORE_MAX_STEPS;
  const kernel = new Kernel(program, { seed, record: options.record ?? false });
  const problems: ExploreProblem[] = [];
  kernel.onEvents = (events) => {
    for (const event of events) {
      const problem = problemOf(kernel, event);
      // At most 20, but always the first of each outcome.
      if (problem && (problems.length < 20 || !problems.some((p) => p.outcome === problem.outcome))) problems.push(problem);
    }
    options.onEvents?.(events);
  };
  const halt = kernel.run(maxSteps);
  const stats = kernel.expectationStats();
  let haltText: string;
  if (halt === undefined) {
    haltText = `stopped after --max-steps ${maxSteps} steps without finishing`;
    problems.push(stepLimitProblem(kernel, haltText));
  } else {
    haltText = halt.message;
    if (halt.reason === 'deadlock') problems.push(deadlockProblem(kernel, halt.message, halt.time));
    else if (halt.reason === 'step-limit') problems.push(stepLimitProblem(kernel, halt.message));
    else if (halt.reason === 'fault' && !problems.some((p) => p.outcome === 'kernel-fault')) {
      problems.push({ outcome: 'kernel-fault', headline: halt.message, message: halt.message, file: '', line: 0, column: 0, thread: '', time: halt.time });
    }
  }
  let outcome: ExploreOutcome = 'passed';
  for (const candidate of OUTCOME_ORDER) {
    if (candidate === 'passed' || problems.some((p) => p.outcome === candidate)) {
      outcome = candidate;
      break;
    }
  }
  // A failed expectation counted by the kernel but not seen as an event cannot happen (failed
  // expectations are always queued), but keep the counts authoritative.
  if (outcome === 'passed' && stats.failed > 0) outcome = 'expectation-failed';
  const problem = problems.find((p) => p.outcome === outcome);
  let time = 0;
  for (const cpu of kernel.state.cpus) if (cpu.time > time) time = cpu.time;
  return {
    seed,
    outcome,
    ...(problem ? { problem } : {}),
    problems,
    passed: stats.passed,
    failed: stats.failed,
    steps: kernel.state.steps,
    time,
    halt: haltText,
    fingerprint: fingerprint(kernel, halt ? halt.reason : 'max-steps'),
    runFails: halt === undefined || halt.reason !== 'finished' || stats.failed > 0,
  };
}

/** `file:line` of a problem, '' when unknown. */
export function problemWhere(problem: ExploreProblem | undefined): string {
  return problem && problem.file ? `${problem.file}:${problem.line}` : '';
}

const CONTEXT_KINDS = new Set(['syscall-entry', 'syscall-exit', 'migration', 'expect', 'print', 'thread-fault', 'kernel-fault', 'mach-msg', 'tock', 'node', 'link', 'fault-injected', 'machine']);

/**
 * Re-runs a seed with recording on and returns the trace lines that lead to its problem: every
 * thread's syscalls, kernel steps, migrations and messages from the failing thread's last syscall
 * entry up to the problem (the other CPUs' events at the same virtual times show the race), or,
 * for deadlocks and step limits, the last events and the halt message.
 */
export function describeSeed(program: ScenarioProgram, seed: number, options: { maxSteps?: number; contextLines?: number } = {}): string[] {
  const limit = Math.max(1, options.contextLines ?? 12);
  const events: KernelEvent[] = [];
  const run = runSeed(program, seed, { maxSteps: options.maxSteps, record: true, onEvents: (batch) => void events.push(...batch) });
  const problem = run.problem;
  if (!problem) return [];
  const format = (e: KernelEvent): string => formatEvent(e, program).trimStart();
  const failAt = events.findIndex((e) => e.time === problem.time && problemOf(dummyKernel, e)?.message === problem.message);
  if (failAt < 0 || problem.outcome === 'deadlock' || problem.outcome === 'step-limit') {
    const tail = events.filter((e) => CONTEXT_KINDS.has(e.kind)).slice(-limit).map(format);
    if (problem.outcome === 'deadlock' || problem.outcome === 'step-limit') tail.push(run.halt);
    return tail;
  }
  const thread = problem.thread;
  let entry = -1;
  for (let i = failAt; i >= 0; i--) {
    const e = events[i]!;
    if (e.kind === 'syscall-entry' && e.threadName === thread) {
      entry = i;
      break;
    }
  }
  let window: KernelEvent[];
  if (entry < 0) {
    window = events.slice(0, failAt + 1).filter((e) => CONTEXT_KINDS.has(e.kind));
  } else {
    const since = events[entry]!.time;
    window = events
      .slice(Math.max(0, entry - 256), failAt + 1)
      .filter((e) => e.time >= since && (CONTEXT_KINDS.has(e.kind) || e.kind === 'kernel-step'));
    if (window.length > limit) {
      // Too long: keep the failing thread's events and the others' syscalls and migrations.
      window = window.filter((e) => e.kind !== 'kernel-step' || e.threadName === thread);
    }
  }
  return window.slice(-limit).map(format);
}

// problemOf only reads the kernel for kernel faults' locations; descriptions match by message.
const dummyKernel = { threadLocation: () => undefined } as unknown as Kernel;

/** Runs the program under `runs` seeds and groups the failures. */
export function explore(program: ScenarioProgram, options: ExploreOptions): ExploreReport {
  const runs = Math.max(0, Math.floor(options.runs));
  const firstSeed = Math.max(0, Math.floor(options.seed ?? 1));
  const maxSteps = options.maxSteps ?? DEFAULT_EXPLORE_MAX_STEPS;
  const results: SeedRun[] = [];
  for (let i = 0; i < runs; i++) results.push(runSeed(program, firstSeed + i, { maxSteps }));

  const groups = new Map<string, { outcome: Exclude<ExploreOutcome, 'passed'>; headline: string; where: string; seeds: number[]; first: SeedRun }>();
  for (const run of results) {
    if (run.outcome === 'passed' || !run.problem) continue;
    const where = problemWhere(run.problem);
    const key = `${run.outcome}\u0000${where}\u0000${run.problem.headline}`;
    const group = groups.get(key);
    if (group) group.seeds.push(run.seed);
    else groups.set(key, { outcome: run.problem.outcome, headline: run.problem.headline, where, seeds: [run.seed], first: run });
  }
  const ordered = [...groups.values()].sort((a, b) => OUTCOME_ORDER.indexOf(a.outcome) - OUTCOME_ORDER.indexOf(b.outcome) || a.seeds[0]! - b.seeds[0]!);
  const describe = options.describe ?? true;
  const cpus = cpuCount(program);
  return {
    file: program.file,
    firstSeed,
    runs,
    maxSteps,
    cpus,
    singleCpu: cpus === 1,
    distinctRuns: new Set(results.map((r) => r.fingerprint)).size,
    passedSeeds: results.filter((r) => r.outcome === 'passed').map((r) => r.seed),
    failedSeeds: results.filter((r) => r.outcome !== 'passed').map((r) => r.seed),
    groups: ordered.map((g) => ({
      ...g,
      description: describe ? describeSeed(program, g.first.seed, { maxSteps, contextLines: options.contextLines }) : [],
    })),
    results,
  };
}
