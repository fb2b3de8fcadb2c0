// The `kscn` commands (check, run, trace, explore), written against a small I/O interface so that
// tests can drive them without a process or a file system.
import { compile } from '../language/core/index';
import { Kernel } from '../kernel/index';
import type { KernelEvent } from '../kernel/index';
import { formatEvent, summarizeState } from '../kernel/trace';
import {
  allowFlags,
  DEFAULT_MAX_STEPS,
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  formatDiagnostic,
  integerFlag,
  loadProgram,
  parseArgs,
  readSource,
  UsageError,
  type CliIo,
  type ParsedArgs,
} from './io';
import { traceCommand } from './trace-command';
import { exploreCommand } from './explore-command';

export { DEFAULT_MAX_STEPS, EXIT_FAILED, EXIT_OK, EXIT_USAGE, formatDiagnostic, type CliIo } from './io';
export { replayCommand, formatExploreReport } from './explore-command';

export const USAGE = `usage:
  kscn check FILE...                                   report diagnostics
  kscn run FILE [--json] [--max-steps N] [--seed N]    run a scenario and print its trace
  kscn trace FILE [--format chrome|json] [-o OUT] [--seed N] [--max-steps N]
                                                       export the run's events (Chrome trace
                                                       for Perfetto / chrome://tracing, or JSON)
  kscn explore FILE [--runs N] [--seed S] [--max-steps N] [--json]
                                                       run under seeds S..S+N-1 (default 1..20)
                                                       and report the seeds that fail
  kscn help                                            show this message
`;

function checkCommand(args: ParsedArgs, io: CliIo): number {
  allowFlags(args, 'check', ['--quiet']);
  if (args.positional.length === 0) throw new UsageError('check needs at least one FILE');
  let errors = 0;
  let unreadable = false;
  for (const file of args.positional) {
    const text = readSource(io, file);
    if (text === undefined) {
      unreadable = true;
      continue;
    }
    const { diagnostics } = compile(text, file);
    for (const d of diagnostics) {
      io.stdout(formatDiagnostic(file, d) + '\n');
      if (d.severity === 'error') errors++;
    }
  }
  if (unreadable) return EXIT_USAGE;
  return errors > 0 ? EXIT_FAILED : EXIT_OK;
}

function runCommand(args: ParsedArgs, io: CliIo): number {
  allowFlags(args, 'run', ['--json', '--max-steps', '--seed', '--quiet']);
  if (args.positional.length !== 1) throw new UsageError('run needs exactly one FILE');
  const file = args.positional[0]!;
  const json = args.flags.has('--json');
  const maxSteps = integerFlag(args, '--max-steps', DEFAULT_MAX_STEPS, 1);
  const seed = integerFlag(args, '--seed', 1, 0);

  const program = loadProgram(io, file);
  if (!program) return EXIT_USAGE;

  const kernel = new Kernel(program, { seed, record: true });
  const print = json
    ? (event: KernelEvent) => io.stdout(JSON.stringify(event) + '\n')
    : (event: KernelEvent) => io.stdout(formatEvent(event, program) + '\n');
  kernel.onEvents = (events) => {
    for (const event of events) print(event);
  };
  const halt = kernel.run(maxSteps);
  const stats = kernel.expectationStats();
  if (!halt) {
    io.stderr(`kscn: ${file}: stopped after --max-steps ${maxSteps} steps without finishing (raise --max-steps, or look for a loop that does not end)\n`);
  }
  if (!json) {
    io.stdout('\n' + summarizeState(kernel) + '\n');
  }
  const faulted = halt !== undefined && halt.reason !== 'finished';
  return halt === undefined || faulted || stats.failed > 0 ? EXIT_FAILED : EXIT_OK;
}

export function runCli(argv: readonly string[], io: CliIo): number {
  try {
    const [command, ...rest] = argv;
    const args = parseArgs(rest);
    switch (command) {
      case 'check':
        return checkCommand(args, io);
      case 'run':
        return runCommand(args, io);
      case 'trace':
        return traceCommand(args, io);
      case 'explore':
        return exploreCommand(args, io);
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return EXIT_OK;
      case undefined:
        io.stderr(USAGE);
        return EXIT_USAGE;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`kscn: ${error.message}\n${USAGE}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
