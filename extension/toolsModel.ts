// The logic behind the "Explore Interleavings", "Debug This Seed" and "Export Chrome Trace"
// commands, as plain functions (no VS Code import) so the unit tests run them directly.
import { configurationForFile, type KscnLaunchConfiguration } from './debugConfiguration';

/** One failing seed from `kscn explore --json`, as offered in the quick pick. */
export interface FailingSeed {
  readonly seed: number;
  readonly outcome: string;
  readonly message: string;
  readonly replay: string;
}

export interface ExploreSummary {
  readonly runs: number;
  readonly firstSeed: number;
  readonly singleCpu: boolean;
  readonly passed: number;
  readonly failures: readonly FailingSeed[];
}

/** Reads the JSON that `kscn explore --json` prints; undefined if it is not that shape. */
export function parseExploreJson(text: string): ExploreSummary | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const report = data as Record<string, unknown>;
  if (typeof report.runs !== 'number' || typeof report.firstSeed !== 'number' || !Array.isArray(report.failures)) return undefined;
  const failures: FailingSeed[] = [];
  for (const entry of report.failures as unknown[]) {
    if (typeof entry !== 'object' || entry === null) return undefined;
    const f = entry as Record<string, unknown>;
    if (typeof f.seed !== 'number') return undefined;
    failures.push({
      seed: f.seed,
      outcome: typeof f.outcome === 'string' ? f.outcome : 'failed',
      message: typeof f.message === 'string' ? f.message : '',
      replay: typeof f.replay === 'string' ? f.replay : '',
    });
  }
  const passed = Array.isArray(report.passedSeeds) ? report.passedSeeds.length : report.runs - failures.length;
  return { runs: report.runs, firstSeed: report.firstSeed, singleCpu: report.singleCpu === true, passed, failures };
}

/** The quick-pick line for a failing seed. */
export function describeFailingSeed(failure: FailingSeed): { label: string; description: string; detail: string } {
  return {
    label: `seed ${failure.seed}`,
    description: failure.outcome.replace(/-/g, ' '),
    detail: failure.message,
  };
}

/** The one-line outcome of an exploration, for a notification. */
export function summarizeExploration(summary: ExploreSummary, fileName: string): string {
  const last = summary.firstSeed + summary.runs - 1;
  const range = `seeds ${summary.firstSeed}..${last}`;
  if (summary.failures.length === 0) {
    const note = summary.singleCpu ? ' (one CPU: every seed gives the same interleaving)' : '';
    return `kscn: ${baseName(fileName)}: all ${summary.runs} interleavings passed (${range})${note}.`;
  }
  return `kscn: ${baseName(fileName)}: ${summary.failures.length} of ${summary.runs} interleavings failed (${range}).`;
}

/** A launch configuration that debugs one scenario under one seed ("Debug This Seed"). */
export function configurationForSeed(fileName: string, seed: number): KscnLaunchConfiguration {
  return { ...configurationForFile(fileName), name: `Debug ${baseName(fileName)} (seed ${seed})`, seed };
}

/** The CLI arguments for an exploration. */
export function exploreArguments(fileName: string, runs: number, seed: number): string[] {
  return ['explore', fileName, '--runs', String(runs), '--seed', String(seed), '--json'];
}

/** The CLI arguments that write a Chrome trace of one run. */
export function chromeTraceArguments(fileName: string, output: string, seed: number | undefined): string[] {
  const args = ['trace', fileName, '--format', 'chrome', '-o', output];
  if (seed !== undefined) args.push('--seed', String(seed));
  return args;
}

/** Where the trace of `file.kscn` goes by default: `file.trace.json` beside it. */
export function defaultTracePath(fileName: string): string {
  return fileName.replace(/\.kscn$/i, '') + '.trace.json';
}

/** Validates the number of runs typed into the input box; undefined when it is fine. */
export function validateRuns(text: string): string | undefined {
  if (!/^\d+$/.test(text.trim())) return 'Enter a whole number of interleavings, for example 50.';
  const runs = Number(text.trim());
  if (runs < 1 || runs > 100_000) return 'Enter between 1 and 100000.';
  return undefined;
}

function baseName(fileName: string): string {
  const parts = fileName.split(/[\\/]/);
  return parts[parts.length - 1] ?? fileName;
}
