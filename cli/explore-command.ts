// `kscn explore FILE [--runs N] [--seed S] [--max-steps N] [--json]`: runs a scenario under N
// seeds (S, S+1, ... S+N-1) and reports the seeds whose run failed, grouped by what went wrong,
// each with the command that replays it.
import { explore, type ExploreGroup, type ExploreOutcome, type ExploreReport } from '../kernel/explore';
import { allowFlags, DEFAULT_MAX_STEPS, EXIT_FAILED, EXIT_OK, EXIT_USAGE, integerFlag, loadProgram, shellQuote, UsageError, type CliIo, type ParsedArgs } from './io';

export const DEFAULT_EXPLORE_RUNS = 20;

const OUTCOME_TITLES: Record<ExploreOutcome, string> = {
  'kernel-fault': 'kernel fault',
  'thread-fault': 'thread fault',
  'expectation-failed': 'expectation failed',
  deadlock: 'deadlock',
  'step-limit': 'step limit reached',
  passed: 'passed',
};

/** The command that replays one seed: `kscn run FILE --seed K` (with --max-steps if not the default). */
export function replayCommand(file: string, seed: number, maxSteps = DEFAULT_MAX_STEPS): string {
  return `kscn run ${shellQuote(file)} --seed ${seed}${maxSteps !== DEFAULT_MAX_STEPS ? ` --max-steps ${maxSteps}` : ''}`;
}

/** Seeds as a short list: `1, 3-5, 9`. */
export function seedRanges(seeds: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < seeds.length) {
    let j = i;
    while (j + 1 < seeds.length && seeds[j + 1] === seeds[j]! + 1) j++;
    parts.push(j === i ? String(seeds[i]) : `${seeds[i]}-${seeds[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatExploreReport(report: ExploreReport, file: string): string {
  const lines: string[] = [];
  const last = report.firstSeed + report.runs - 1;
  lines.push(
    `kscn explore ${file}: ${plural(report.runs, 'run')}, seeds ${report.firstSeed}..${last}, ${plural(report.cpus, 'CPU')}, ${plural(report.distinctRuns, 'distinct final state')}`,
  );
  if (report.singleCpu) {
    lines.push('note: the scenario has one CPU; the seed only breaks ties between CPUs, so every seed gives the same interleaving');
  }
  if (report.failedSeeds.length === 0) {
    lines.push(`all ${plural(report.runs, 'seed')} passed`);
    return lines.join('\n') + '\n';
  }
  lines.push(`FAILED: ${report.failedSeeds.length} of ${plural(report.runs, 'seed')}`);
  for (const group of report.groups) lines.push('', ...formatGroup(group, report, file));
  lines.push('', report.passedSeeds.length > 0 ? `passed: ${plural(report.passedSeeds.length, 'seed')} (${seedRanges(report.passedSeeds)})` : 'passed: no seed');
  return lines.join('\n') + '\n';
}

function formatGroup(group: ExploreGroup, report: ExploreReport, file: string): string[] {
  const first = group.first;
  const lines = [
    `${OUTCOME_TITLES[group.outcome]}: ${group.headline}${group.where ? `  [${group.where}]` : ''}  (${plural(group.seeds.length, 'seed')})`,
    `  seeds: ${seedRanges(group.seeds)}`,
    `  seed ${first.seed}: ${first.problem?.message ?? first.halt}`,
  ];
  if (group.description.length > 0) {
    lines.push(`  how seed ${first.seed} got there:`);
    for (const line of group.description) lines.push(`    ${line}`);
  }
  lines.push(`  replay: ${replayCommand(file, first.seed, report.maxSteps)}`);
  if (!first.runFails) lines.push('  note: a thread fault alone does not fail `kscn run` (it exits 0); the replay shows the THREAD FAULT line');
  return lines;
}

export function exploreCommand(args: ParsedArgs, io: CliIo): number {
  allowFlags(args, 'explore', ['--runs', '--seed', '--max-steps', '--json']);
  if (args.positional.length !== 1) throw new UsageError('explore needs exactly one FILE');
  const file = args.positional[0]!;
  const runs = integerFlag(args, '--runs', DEFAULT_EXPLORE_RUNS, 1);
  const seed = integerFlag(args, '--seed', 1, 0);
  const maxSteps = integerFlag(args, '--max-steps', DEFAULT_MAX_STEPS, 1);
  if (seed + runs - 1 > 0xffff_ffff) throw new UsageError('seeds must stay below 2^32 (--seed + --runs)');

  const program = loadProgram(io, file);
  if (!program) return EXIT_USAGE;
  const report = explore(program, { runs, seed, maxSteps });
  if (args.flags.has('--json')) {
    const json = {
      ...report,
      groups: report.groups.map((g) => ({ ...g, replay: replayCommand(file, g.first.seed, maxSteps) })),
      failures: report.results
        .filter((r) => r.outcome !== 'passed')
        .map((r) => ({ seed: r.seed, outcome: r.outcome, message: r.problem?.message ?? r.halt, replay: replayCommand(file, r.seed, maxSteps) })),
    };
    io.stdout(JSON.stringify(json, null, 2) + '\n');
  } else {
    io.stdout(formatExploreReport(report, file));
  }
  return report.failedSeeds.length > 0 ? EXIT_FAILED : EXIT_OK;
}
