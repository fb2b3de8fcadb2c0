// The kernel library's public API: the emulated hardware and ChCore-model kernel, its events,
// traces, and the shared IR, tables and constants.

export { Kernel, StepResult, clonePlain, stateName, STACK_TOP, STACK_STRIDE, STACK_SIZE } from './kernel';
export type { KernelOptions, StepReport, StepKind, FrameInfo, VariableInfo, EvaluateResult, ThreadInfo } from './kernel';
export type * from './events';
export type * from './state';
export { ObjectKind, IpcConfigKind, OBJECT_KIND_NAMES, IPC_CONFIG_KIND_NAMES } from './state';
export { DEFAULT_COST_MODEL, type CostModel } from './cost';
export { formatEvent, summarizeState, formatTrace, objectName } from './trace';
export * from './constants';
export * from './program';
export * from './syscalls';
