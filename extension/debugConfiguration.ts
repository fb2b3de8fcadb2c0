// The extension's debug-configuration logic as plain functions (no VS Code import), so the unit
// tests run it directly: the initial launch.json entry, filling in F5 without a launch.json, and
// checking the launch arguments against the canonical list in launchSchema.ts.
import { launchAttributes, type KscnLaunchArguments } from './launchSchema';

/** The debug type contributed in package.json and served by dist/debug-adapter.js. */
export const DEBUG_TYPE = 'kscn';
/** The language id contributed in package.json. */
export const LANGUAGE_ID = 'kscenario';

/** A launch configuration as VS Code hands it over: anything the user wrote. */
export interface LaunchConfiguration {
  type?: string;
  request?: string;
  name?: string;
  [attribute: string]: unknown;
}

/** A complete `kscn` launch configuration. */
export type KscnLaunchConfiguration = KscnLaunchArguments & {
  type: typeof DEBUG_TYPE;
  request: 'launch';
  name: string;
};

/** The editor that is active when the user presses F5, if any. */
export interface ActiveDocument {
  languageId: string;
  fileName: string;
}

/** The configuration written into a new launch.json and offered by "Add Configuration". */
export function initialConfiguration(): KscnLaunchConfiguration {
  return {
    type: DEBUG_TYPE,
    request: 'launch',
    name: 'Debug scenario',
    program: '${file}',
    stopOnEntry: false,
  };
}

/** A launch configuration that debugs one scenario file, as the "Debug Scenario" command runs. */
export function configurationForFile(fileName: string, stopOnEntry = false): KscnLaunchConfiguration {
  return {
    type: DEBUG_TYPE,
    request: 'launch',
    name: `Debug ${baseName(fileName)}`,
    program: fileName,
    stopOnEntry,
  };
}

/**
 * Completes a configuration before variables are substituted. With no launch.json (F5 on an open
 * scenario, an empty configuration) it debugs the active `.kscn` file; a configuration without
 * `program` gets `${file}` when the active editor is a scenario. Returns a message for the user
 * when there is nothing to debug.
 */
export function resolveConfiguration(
  configuration: LaunchConfiguration,
  active: ActiveDocument | undefined,
): { configuration: LaunchConfiguration } | { error: string } {
  const activeScenario = active !== undefined && active.languageId === LANGUAGE_ID;
  const empty = configuration.type === undefined && configuration.request === undefined && configuration.name === undefined;
  if (empty) {
    if (!activeScenario) return { error: 'Open a .kscn scenario to debug it, or add a "kscn" configuration to launch.json.' };
    return { configuration: { ...initialConfiguration(), name: `Debug ${baseName(active.fileName)}` } };
  }
  const completed: LaunchConfiguration = { ...configuration, type: configuration.type ?? DEBUG_TYPE };
  if (completed.request === undefined) completed.request = 'launch';
  if (completed.name === undefined) completed.name = 'Debug scenario';
  if (completed.program === undefined || completed.program === '') {
    if (!activeScenario) return { error: 'The launch configuration has no "program", and the active editor is not a .kscn scenario.' };
    completed.program = '${file}';
  }
  return { configuration: completed };
}

/**
 * Checks a configuration after variable substitution against the canonical attribute list:
 * required attributes present, JSON types and minimums respected, `program` a `.kscn` file.
 * Returns one message per problem; an empty list means the adapter may launch it.
 */
export function launchArgumentProblems(launchConfiguration: object): string[] {
  const configuration = launchConfiguration as LaunchConfiguration;
  const problems: string[] = [];
  if (configuration.request !== 'launch') problems.push(`"request" must be "launch", got ${JSON.stringify(configuration.request)}`);
  for (const [name, attribute] of Object.entries(launchAttributes)) {
    const value = configuration[name];
    if (value === undefined) {
      if (attribute.required) problems.push(`"${name}" is required`);
      continue;
    }
    switch (attribute.type) {
      case 'string':
        if (typeof value !== 'string' || value === '') problems.push(`"${name}" must be a non-empty string`);
        break;
      case 'boolean':
        if (typeof value !== 'boolean') problems.push(`"${name}" must be true or false`);
        break;
      case 'integer': {
        const minimum = 'minimum' in attribute ? attribute.minimum : Number.MIN_SAFE_INTEGER;
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
          problems.push(`"${name}" must be an integer ≥ ${minimum}, got ${JSON.stringify(value)}`);
        }
        break;
      }
    }
  }
  const program = configuration.program;
  if (typeof program === 'string' && program !== '' && !program.toLowerCase().endsWith('.kscn')) {
    problems.push(`"program" must be a .kscn scenario, got ${program}`);
  }
  return problems;
}

function baseName(fileName: string): string {
  return fileName.split(/[\\/]/).pop() ?? fileName;
}
