// The launch arguments of a `kscn` debug session: one TypeScript type for the debug adapter and
// the extension, and the canonical attribute list that package.json's debugger schema is tested
// against (test/extension/manifest.test.ts), so the schema and the adapter cannot drift apart.
// Imports nothing, so the debug adapter can use it without pulling in VS Code.

/** The arguments of a `kscn` launch request, as the debug adapter receives them. */
export interface KscnLaunchArguments {
  /** Absolute path of the `.kscn` scenario to run. */
  program: string;
  /** Stop before the first statement of the first thread to run. Default false. */
  stopOnEntry?: boolean;
  /** Seed of the emulated hardware's choices (integer ≥ 0). Default 1, as `kscn run`. */
  seed?: number;
  /** Stop the run after this many kernel steps (integer ≥ 1). Default 10,000,000, as `kscn run`. */
  maxSteps?: number;
  /** Capability-table capacity of every process (integer ≥ 1). Default 1024, the kernel's. */
  capTableSize?: number;
  /** Steps of time-travel history kept (integer ≥ 0; 0 turns time travel off). Default 1,000,000. */
  historySize?: number;
  /** Steps between time-travel checkpoints (integer ≥ 1). Default 1000. */
  checkpointInterval?: number;
}

/** A JSON-schema type that a launch attribute may have. */
export type LaunchAttributeType = 'string' | 'boolean' | 'integer';

/** One launch attribute as package.json's `configurationAttributes.launch` must describe it. */
export interface LaunchAttribute {
  readonly type: LaunchAttributeType;
  readonly required: boolean;
  /** Inclusive lower bound, for integers. */
  readonly minimum?: number;
  readonly default?: string | boolean | number;
}

/** The canonical list: every property of {@link KscnLaunchArguments}, with its JSON-schema shape. */
export const launchAttributes = {
  program: { type: 'string', required: true, default: '${file}' },
  stopOnEntry: { type: 'boolean', required: false, default: false },
  seed: { type: 'integer', required: false, minimum: 0, default: 1 },
  maxSteps: { type: 'integer', required: false, minimum: 1, default: 10_000_000 },
  capTableSize: { type: 'integer', required: false, minimum: 1, default: 1024 },
  historySize: { type: 'integer', required: false, minimum: 0, default: 1_000_000 },
  checkpointInterval: { type: 'integer', required: false, minimum: 1, default: 1000 },
} as const satisfies Record<keyof KscnLaunchArguments, LaunchAttribute>;

/** The default of `seed`, the same as `kscn run --seed`. */
export const DEFAULT_SEED = launchAttributes.seed.default;
/** The default of `maxSteps`, the same as `kscn run --max-steps`. */
export const DEFAULT_MAX_STEPS = launchAttributes.maxSteps.default;

// Compile-time checks that the list and the interface agree both ways: the same keys, the same
// required keys and, for each key, a TypeScript type that matches the JSON-schema type.
type TypeOfAttribute<T extends LaunchAttributeType> = T extends 'string'
  ? string
  : T extends 'boolean'
    ? boolean
    : number;
type RequiredKeysOf<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];
type Listed = typeof launchAttributes;
type RequiredInList = { [K in keyof Listed]: Listed[K]['required'] extends true ? K : never }[keyof Listed];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type LaunchSchemaChecks = [
  Assert<Same<keyof Listed, keyof KscnLaunchArguments>>,
  Assert<Same<RequiredInList, RequiredKeysOf<KscnLaunchArguments>>>,
  Assert<
    Same<
      { [K in keyof Listed]-?: TypeOfAttribute<Listed[K]['type']> },
      Required<KscnLaunchArguments>
    >
  >,
];
