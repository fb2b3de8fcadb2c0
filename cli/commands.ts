// The `kscn` commands (check, run), written against a small I/O interface so that tests can
// drive them without a process or a file system.
import { compile } from '../language/core/index';
import type { Diagnostic } from '../language/core/index';
import { Kernel } from '../kernel/index';
import type { KernelEvent } from '../kernel/index';
import { formatEvent, summarizeState } from '../kernel/trace';

export interface CliIo {
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
  stdout(text: string): void;
  stderr(text: string): void;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const DEFAULT_MAX_STEPS = 10_000_000;

const USAGE = `usage:
  kscn check FILE...                                   report diagnostics
  kscn run FILE [--json] [--max-steps N] [--seed N]    run a scenario and print its trace
  kscn help                                            show this message
`;

interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
}

class UsageError extends Error {}

const FLAGS_WITH_VALUES = new Set(['--max-steps', '--seed', '--format', '-o', '--runs']);
const BOOLEAN_FLAGS = new Set(['--json', '--quiet']);

function parseArgs(argv: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('-') && arg !== '-') {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(0, eq) : arg;
      if (FLAGS_WITH_VALUES.has(name)) {
        const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`option ${name} needs a value`);
        flags.set(name, value);
      } else if (BOOLEAN_FLAGS.has(name) && eq < 0) {
        flags.set(name, true);
      } else {
        throw new UsageError(`unknown option ${arg}`);
      }
    } else {
      positional.push(arg);
    }
  }
  return { positional, flags };
}

function integerFlag(args: ParsedArgs, name: string, fallback: number, min: number): number {
  const raw = args.flags.get(name);
  if (raw === undefined) return fallback;
  if (raw === true || !/^-?\d+$/.test(raw)) throw new UsageError(`option ${name} needs an integer, got '${String(raw)}'`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new UsageError(`option ${name} must be an integer >= ${min}`);
  return value;
}

export function formatDiagnostic(file: string, d: Diagnostic): string {
  return `${file}:${d.range.start.line}:${d.range.start.column}: ${d.severity}: ${d.message}`;
}

function readSource(io: CliIo, file: string): string | undefined {
  try {
    return io.readFile(file);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String((error as { code: unknown }).code) : String(error);
    io.stderr(`kscn: cannot read ${file}: ${reason}\n`);
    return undefined;
  }
}

function checkCommand(args: ParsedArgs, io: CliIo): number {
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
  if (args.positional.length !== 1) throw new UsageError('run needs exactly one FILE');
  const file = args.positional[0]!;
  const json = args.flags.has('--json');
  const maxSteps = integerFlag(args, '--max-steps', DEFAULT_MAX_STEPS, 1);
  const seed = integerFlag(args, '--seed', 1, 0);

  const text = readSource(io, file);
  if (text === undefined) return EXIT_USAGE;
  const { program, diagnostics } = compile(text, file);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!program || errors.length > 0) {
    for (const d of errors) io.stderr(formatDiagnostic(file, d) + '\n');
    return EXIT_USAGE;
  }

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
