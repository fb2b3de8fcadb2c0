// The DAP translation: requests become runtime calls, runtime stops and output become DAP events,
// kernel positions become 1-based-or-not lines and sources. The only file here that knows DAP.

import {
  Breakpoint,
  DebugSession,
  Event,
  ExitedEvent,
  InitializedEvent,
  OutputEvent,
  Source,
  StoppedEvent,
  TerminatedEvent,
  ThreadEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as path from 'node:path';
import { PAGE_SIZE } from '../kernel/constants';
import type { SourceLocation } from '../kernel/program';
import type { PhysicalMemoryObject, Thread } from '../kernel/state';
import { compile } from '../language/core/index';
import { EXCEPTION_FILTERS, type DataBreakpoint, type FunctionBreakpoint } from './breakpoints';
import { KernelEnvironment, QUERY_FUNCTIONS } from './evaluation';
import { evaluateText, isRecord } from './expression';
import { nodeFileAccessor, type FileAccessor } from './fileAccess';
import { implementations, isLive, threadDisplayName } from './inspect';
import { kernelSourceByReference, kernelSourceName, kernelSourceReference, kernelStepAtLine, kernelStepLine } from './kernelSource';
import type { KscnLaunchArguments } from './launchArguments';
import { ScenarioRuntime, type Moment, type OutputInfo, type ReverseKind, type ReversePlan, type StepInTarget, type StopInfo } from './runtime';
import { stateDigest } from './history';
import { buildStack, type FrameView } from './stack';
import { readDataId } from './statePath';
import { pmoOfMemoryReference, VariableStore } from './variables';
import { IPC_EVENTS_CHANGED_EVENT, ViewsService } from './views';

export interface KscnSessionOptions {
  readonly files?: FileAccessor;
}

/** Error ids of our error responses (DAP wants a number per message kind). */
const ErrorId = {
  LAUNCH: 1001,
  NOT_RUNNING: 1002,
  UNKNOWN_THREAD: 1003,
  UNKNOWN_FRAME: 1004,
  UNKNOWN_REFERENCE: 1005,
  UNKNOWN_SOURCE: 1006,
  EVALUATE: 1007,
  NO_EXCEPTION: 1008,
  MEMORY: 1009,
  SET_VARIABLE: 1010,
  TIME_TRAVEL: 1011,
  UNKNOWN_REQUEST: 1012,
} as const;

/** The custom reverse steps: request name → runtime operation. Arguments: `{ threadId }`. */
const REVERSE_REQUESTS: Readonly<Record<string, ReverseKind>> = {
  'kscn/reverseNext': 'reverseNext',
  'kscn/reverseStepOut': 'reverseStepOut',
  'kscn/backToPreviousIpc': 'backToPreviousIpc',
};

const STEP_IN_TARGET_IDS: Record<StepInTarget, number> = { handler: 1, kernel: 2, over: 3 };
const STEP_IN_TARGETS_BY_ID: Record<number, StepInTarget> = { 1: 'handler', 2: 'kernel', 3: 'over' };

interface FrameRecord {
  readonly view: FrameView;
}

export class KscnDebugSession extends DebugSession {
  private readonly files: FileAccessor;
  private runtime: ScenarioRuntime | undefined;
  private launchArgs: KscnLaunchArguments | undefined;
  private programPath = '';
  private variables: VariableStore | undefined;
  private views: ViewsService | undefined;
  private frames: FrameRecord[] = [];
  private frameIds = new Map<string, number>();
  private configurationDone: Promise<void>;
  private resolveConfigurationDone: () => void = () => undefined;
  // The last breakpoint requests, re-applied on restart.
  private lineRequests: DebugProtocol.SetBreakpointsArguments | undefined;
  private kernelSourceRequests = new Map<number, DebugProtocol.SetBreakpointsArguments>();
  private functionRequests: DebugProtocol.FunctionBreakpoint[] = [];
  private exceptionRequests: { filterId: string; condition?: string }[] | undefined;
  private dataRequests: DebugProtocol.DataBreakpoint[] = [];
  private readonly dataDescriptions = new Map<string, string>();

  constructor(options?: KscnSessionOptions | boolean) {
    super();
    this.files = typeof options === 'object' && options.files ? options.files : nodeFileAccessor;
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.configurationDone = new Promise((resolve) => (this.resolveConfigurationDone = resolve));
  }

  /** Stops the runtime for good (the connection went away). */
  override dispose(): void {
    this.runtime?.dispose();
    super.dispose();
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsBreakpointLocationsRequest: true,
      supportsEvaluateForHovers: true,
      supportsStepInTargetsRequest: true,
      supportsSteppingGranularity: true,
      supportsInstructionBreakpoints: false,
      supportsExceptionInfoRequest: true,
      supportsExceptionFilterOptions: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({
        filter: f.filter,
        label: f.label,
        description: f.description,
        default: 'default' in f ? f.default : false,
        ...('supportsCondition' in f ? { supportsCondition: f.supportsCondition, conditionDescription: f.conditionDescription } : {}),
      })),
      supportsDataBreakpoints: true,
      supportsCompletionsRequest: true,
      completionTriggerCharacters: ['.', '('],
      supportsSetVariable: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsValueFormattingOptions: false,
      supportsDelayedStackTraceLoading: true,
      supportsLoadedSourcesRequest: false,
      supportsSingleThreadExecutionRequests: false,
      supportsStepBack: true,
    };
    this.sendResponse(response);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.resolveConfigurationDone();
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: KscnLaunchArguments): Promise<void> {
    const problem = await this.load(args);
    if (problem !== undefined) {
      this.sendErrorResponse(response, { id: ErrorId.LAUNCH, format: problem, showUser: true });
      return;
    }
    this.sendEvent(new InitializedEvent());
    await this.configurationDone;
    this.sendResponse(response);
    this.runtime?.start(args.stopOnEntry === true);
  }

  /** Reads, compiles and boots the scenario; returns a message saying what went wrong and where. */
  private async load(args: KscnLaunchArguments): Promise<string | undefined> {
    if (!args || typeof args.program !== 'string' || args.program.trim() === '') return 'launch: "program" must be the path of a .kscn scenario';
    const file = this.files.normalize(args.program);
    let text: string;
    try {
      text = await this.files.readFile(file);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return `cannot read the scenario ${file}: ${reason}`;
    }
    for (const [name, value] of [['seed', args.seed], ['maxSteps', args.maxSteps], ['capTableSize', args.capTableSize], ['historySize', args.historySize], ['checkpointInterval', args.checkpointInterval]] as const) {
      if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0)) return `launch: "${name}" must be a non-negative integer`;
    }
    let output: ReturnType<typeof compile>;
    try {
      output = compile(text, file);
    } catch (error) {
      return `${file}: the language core failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    const errors = output.diagnostics.filter((d) => d.severity === 'error');
    if (!output.program || errors.length > 0) {
      const lines = errors.slice(0, 3).map((d) => `${file}:${d.range.start.line}:${d.range.start.column}: error: ${d.message}`);
      const more = errors.length > 3 ? `\n(${errors.length - 3} more errors)` : '';
      return `the scenario has errors:\n${lines.join('\n')}${more}`;
    }
    this.runtime?.dispose();
    try {
      this.runtime = new ScenarioRuntime(
        output.program,
        {
          ...(args.seed !== undefined ? { seed: args.seed } : {}),
          ...(args.maxSteps !== undefined ? { maxSteps: args.maxSteps } : {}),
          ...(args.capTableSize !== undefined ? { capTableSize: args.capTableSize } : {}),
          ...(args.historySize !== undefined ? { historySize: args.historySize } : {}),
          ...(args.checkpointInterval !== undefined ? { checkpointInterval: Math.max(1, args.checkpointInterval) } : {}),
        },
        {
          stopped: (stop) => this.onStopped(stop),
          output: (out) => this.onOutput(out),
          threadStarted: (id) => this.sendEvent(new ThreadEvent('started', id)),
          threadExited: (id) => this.sendEvent(new ThreadEvent('exited', id)),
          terminated: () => this.onTerminated(),
        },
      );
    } catch (error) {
      return `${file}: the kernel could not boot the scenario: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.launchArgs = args;
    this.programPath = file;
    this.variables = new VariableStore(this.runtime.kernel);
    const generation = this.views ? this.views.generation + 1 : 0;
    this.views?.dispose();
    this.views = new ViewsService(this.runtime.kernel, output.program, this.runtime, generation);
    this.resetReferences();
    return undefined;
  }

  protected override attachRequest(response: DebugProtocol.AttachResponse): void {
    this.sendErrorResponse(response, { id: ErrorId.LAUNCH, format: 'kscn debugs scenarios it launches; use "request": "launch"', showUser: true });
  }

  protected override async restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): Promise<void> {
    const launch = (args.arguments as KscnLaunchArguments | undefined) ?? this.launchArgs;
    if (!launch) {
      this.sendErrorResponse(response, { id: ErrorId.NOT_RUNNING, format: 'restart: nothing was launched' });
      return;
    }
    const old = this.runtime;
    const problem = await this.load(launch);
    if (problem !== undefined) {
      this.sendErrorResponse(response, { id: ErrorId.LAUNCH, format: problem, showUser: true });
      return;
    }
    if (old) for (const id of old.kernel.state.threadIds) this.sendEvent(new ThreadEvent('exited', id));
    this.reapplyBreakpoints();
    this.sendResponse(response);
    this.runtime!.start(launch.stopOnEntry === true);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.runtime?.dispose();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.runtime?.dispose();
    this.sendResponse(response);
  }

  private onStopped(stop: StopInfo): void {
    this.resetReferences();
    const event = new StoppedEvent(stop.reason, stop.thread) as DebugProtocol.StoppedEvent;
    event.body.allThreadsStopped = true;
    if (stop.description !== undefined) event.body.description = stop.description;
    if (stop.exception) event.body.text = stop.exception.description;
    if (stop.hitBreakpointIds) event.body.hitBreakpointIds = [...stop.hitBreakpointIds];
    this.sendEvent(event);
    this.sendTimeTravel(stop.thread);
    if (this.views) this.sendEvent(new Event(IPC_EVENTS_CHANGED_EVENT, this.views.changed()));
  }

  /** `kscn/timeTravel`: where the stop is on the recorded timeline (the extension shows "⟲ past"). */
  private sendTimeTravel(threadId: number): void {
    const runtime = this.runtime;
    if (!runtime) return;
    this.sendEvent(new Event('kscn/timeTravel', { ...runtime.timeTravelInfo(), threadId }));
  }

  /** After setVariable/writeMemory: the edit becomes part of the timeline; a recorded future is dropped. */
  private afterEdit(runtime: ScenarioRuntime, threadId: number | undefined): void {
    const dropped = runtime.stateEdited();
    if (dropped > 0) {
      this.sendEvent(new OutputEvent(`time travel: the state was edited at step ${runtime.currentStep}; the recorded future after it (${dropped} steps) is discarded and will be re-run from the edited state\n`, 'console'));
    }
    if (runtime.history) this.sendTimeTravel(threadId ?? 0);
  }

  private onOutput(out: OutputInfo): void {
    const event = new OutputEvent(out.text, out.category) as DebugProtocol.OutputEvent;
    if (out.loc) {
      event.body.source = this.scenarioSource();
      event.body.line = this.convertDebuggerLineToClient(out.loc.line);
      event.body.column = this.convertDebuggerColumnToClient(out.loc.column);
    }
    this.sendEvent(event);
  }

  private onTerminated(): void {
    const failed = this.runtime?.kernel.state.expectFailed ?? 0;
    const halt = this.runtime?.kernel.halt;
    this.sendEvent(new ExitedEvent(failed > 0 || (halt !== undefined && halt.reason !== 'finished') ? 1 : 0));
    this.sendEvent(new TerminatedEvent());
  }

  private resetReferences(): void {
    this.variables?.reset();
    this.frames = [];
    this.frameIds.clear();
  }

  private scenarioSource(): Source {
    return new Source(path.basename(this.programPath), this.convertDebuggerPathToClient(this.programPath));
  }

  /** The runtime, or an error response saying nothing is being debugged. */
  private live(response: DebugProtocol.Response): ScenarioRuntime | undefined {
    if (!this.runtime) {
      this.sendErrorResponse(response, { id: ErrorId.NOT_RUNNING, format: 'no scenario is being debugged' });
      return undefined;
    }
    return this.runtime;
  }

  private thread(response: DebugProtocol.Response, runtime: ScenarioRuntime, id: number): Thread | undefined {
    const thread = Number.isInteger(id) ? runtime.kernel.threadById(id) : undefined;
    if (!thread) {
      this.sendErrorResponse(response, { id: ErrorId.UNKNOWN_THREAD, format: `unknown thread ${id}` });
      return undefined;
    }
    return thread;
  }

  // -------------------------------------------------------------------------------------------
  // Breakpoints

  private isScenario(source: DebugProtocol.Source): boolean {
    if (!source.path) return false;
    return this.files.normalize(this.convertClientPathToDebugger(source.path)) === this.programPath;
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    response.body = { breakpoints: this.applyBreakpoints(args) };
    this.sendResponse(response);
  }

  private applyBreakpoints(args: DebugProtocol.SetBreakpointsArguments): DebugProtocol.Breakpoint[] {
    const runtime = this.runtime;
    const requests: DebugProtocol.SourceBreakpoint[] = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
    if (!runtime) return requests.map(() => ({ verified: false, message: 'no scenario is loaded yet' }));
    const reference = args.source.sourceReference ?? 0;
    if (reference > 0) {
      this.kernelSourceRequests.set(reference, args);
      return this.applyKernelSourceBreakpoints(runtime, reference);
    }
    if (!this.isScenario(args.source)) {
      return requests.map(() => ({ verified: false, message: `${args.source.path ?? args.source.name ?? 'this source'} is not the scenario being debugged` }));
    }
    this.lineRequests = args;
    const set = runtime.breakpoints.setLineBreakpoints(
      requests.map((b) => ({
        line: this.convertClientLineToDebugger(b.line),
        ...(b.column !== undefined ? { column: this.convertClientColumnToDebugger(b.column) } : {}),
        ...(b.condition ? { condition: b.condition } : {}),
        ...(b.hitCondition ? { hitCondition: b.hitCondition } : {}),
        ...(b.logMessage ? { logMessage: b.logMessage } : {}),
      })),
    );
    return set.map((b) => {
      const bp = new Breakpoint(b.verified, this.convertDebuggerLineToClient(b.line), b.column !== undefined ? this.convertDebuggerColumnToClient(b.column) : undefined, this.scenarioSource()) as DebugProtocol.Breakpoint;
      bp.id = b.id;
      if (b.message) bp.message = b.message;
      return bp;
    });
  }

  /** Breakpoints in kernel pseudo-code become step breakpoints of that syscall. */
  private applyKernelSourceBreakpoints(runtime: ScenarioRuntime, requested: number): DebugProtocol.Breakpoint[] {
    const all: FunctionBreakpoint[] = [];
    let result: DebugProtocol.Breakpoint[] = [];
    for (const [reference, args] of this.kernelSourceRequests) {
      const source = kernelSourceByReference(reference);
      const requests = args.breakpoints ?? [];
      const views = requests.map((b) => {
        const line = this.convertClientLineToDebugger(b.line);
        const step = source ? kernelStepAtLine(source.implementation, line) : -1;
        const id = runtime.breakpoints.allocateId();
        if (!source || step < 0) return { id, verified: false, line: b.line, message: source ? `line ${line} is not a kernel step` : `unknown kernel source ${reference}` } as DebugProtocol.Breakpoint;
        all.push({
          id,
          name: `${source.implementation.kernelName}:${source.implementation.stepNames[step]}`,
          targets: [{ kind: 'step', syscall: source.implementation.kernelName, step: source.implementation.stepNames[step]! }],
          hits: 0,
          verified: true,
          ...(b.condition ? { condition: b.condition } : {}),
          ...(b.hitCondition ? { hitCondition: b.hitCondition } : {}),
          ...(b.logMessage ? { logMessage: b.logMessage } : {}),
        });
        return { id, verified: true, line: b.line } as DebugProtocol.Breakpoint;
      });
      if (reference === requested) result = views;
    }
    runtime.breakpoints.setKernelSourceBreakpoints(all);
    return result;
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    const runtime = this.runtime;
    const breakpoints: DebugProtocol.BreakpointLocation[] = [];
    if (runtime && this.isScenario(args.source)) {
      const from = this.convertClientLineToDebugger(args.line);
      const to = args.endLine !== undefined ? this.convertClientLineToDebugger(args.endLine) : from;
      for (let line = from; line <= to; line++) {
        for (const column of runtime.statementLines.get(line) ?? []) {
          breakpoints.push({ line: this.convertDebuggerLineToClient(line), column: this.convertDebuggerColumnToClient(column) });
        }
      }
    }
    response.body = { breakpoints };
    this.sendResponse(response);
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.functionRequests = args.breakpoints ?? [];
    response.body = { breakpoints: this.applyFunctionBreakpoints() };
    this.sendResponse(response);
  }

  private applyFunctionBreakpoints(): DebugProtocol.Breakpoint[] {
    const runtime = this.runtime;
    if (!runtime) return this.functionRequests.map(() => ({ verified: false, message: 'no scenario is loaded yet' }));
    const set = runtime.breakpoints.setFunctionBreakpoints(
      this.functionRequests.map((b) => ({ name: b.name, ...(b.condition ? { condition: b.condition } : {}), ...(b.hitCondition ? { hitCondition: b.hitCondition } : {}) })),
      implementations(),
    );
    return set.map((b) => ({ id: b.id, verified: b.verified, ...(b.message ? { message: b.message } : {}) }));
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    const filters = [
      ...(args.filters ?? []).map((filterId) => ({ filterId })),
      ...(args.filterOptions ?? []).map((o) => ({ filterId: o.filterId, ...(o.condition ? { condition: o.condition } : {}) })),
    ];
    this.exceptionRequests = filters;
    const runtime = this.runtime;
    if (!runtime) {
      this.sendResponse(response);
      return;
    }
    const problems = runtime.breakpoints.setExceptionFilters(filters);
    response.body = { breakpoints: filters.map((f) => {
      const problem = problems.find((p) => p.includes(`'${f.filterId}'`));
      return { verified: problem === undefined, ...(problem ? { message: problem } : {}) };
    }) };
    this.sendResponse(response);
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    const runtime = this.runtime;
    const store = this.variables;
    if (!runtime || !store) {
      response.body = { dataId: null, description: 'no scenario is being debugged' };
      this.sendResponse(response);
      return;
    }
    let info: { dataId: string; description: string } | string;
    if (args.variablesReference !== undefined && args.variablesReference > 0) {
      info = store.dataIdOf(args.variablesReference, args.name);
    } else {
      // An expression: it must name kernel state (a record from `cap(client, 3)`, `thread("server/main")`, ...).
      const frame = args.frameId !== undefined ? this.frames[args.frameId - 1] : undefined;
      const result = evaluateText(args.name, new KernelEnvironment(runtime.kernel, { thread: frame?.view.thread, kind: 'scenario' }));
      info = 'error' in result ? result.error : isRecord(result.value) ? { dataId: `state:${JSON.stringify(result.value.path)}`, description: args.name } : `'${args.name}' is not kernel state`;
    }
    if (typeof info === 'string') {
      response.body = { dataId: null, description: info };
    } else {
      this.dataDescriptions.set(info.dataId, info.description);
      response.body = { dataId: info.dataId, description: info.description, accessTypes: ['write'], canPersist: false };
    }
    this.sendResponse(response);
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    this.dataRequests = args.breakpoints ?? [];
    response.body = { breakpoints: this.applyDataBreakpoints() };
    this.sendResponse(response);
  }

  private applyDataBreakpoints(): DebugProtocol.Breakpoint[] {
    const runtime = this.runtime;
    if (!runtime) return this.dataRequests.map(() => ({ verified: false, message: 'no scenario is loaded yet' }));
    const set: DataBreakpoint[] = this.dataRequests.map((b) => {
      const value = readDataId(runtime.kernel, b.dataId);
      return {
        id: runtime.breakpoints.allocateId(),
        dataId: b.dataId,
        hits: 0,
        verified: value !== undefined,
        last: value ?? '',
        message: this.dataDescriptions.get(b.dataId) ?? b.dataId,
        ...(b.condition ? { condition: b.condition } : {}),
        ...(b.hitCondition ? { hitCondition: b.hitCondition } : {}),
      };
    });
    runtime.breakpoints.setDataBreakpoints(set);
    return set.map((b) => ({ id: b.id, verified: b.verified, ...(b.verified ? {} : { message: `unknown data id ${b.dataId}` }) }));
  }

  /** Applies the last breakpoint requests to a new runtime (restart). */
  private reapplyBreakpoints(): void {
    const runtime = this.runtime;
    if (!runtime) return;
    if (this.lineRequests) this.applyBreakpoints(this.lineRequests);
    for (const args of [...this.kernelSourceRequests.values()]) this.applyBreakpoints(args);
    this.applyFunctionBreakpoints();
    if (this.exceptionRequests) runtime.breakpoints.setExceptionFilters(this.exceptionRequests);
    this.applyDataBreakpoints();
  }

  // -------------------------------------------------------------------------------------------
  // Threads, stacks, scopes, variables

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const runtime = this.runtime;
    const kernel = runtime?.kernel;
    response.body = {
      threads: kernel
        ? kernel.state.threadIds.map((id) => kernel.state.threads[id]!).filter(isLive).map((t) => ({ id: t.id, name: threadDisplayName(kernel, t) }))
        : [],
    };
    this.sendResponse(response);
  }

  private frameId(threadId: number, index: number, view: FrameView): number {
    const key = `${threadId}:${index}`;
    let id = this.frameIds.get(key);
    if (id === undefined) {
      this.frames.push({ view });
      id = this.frames.length;
      this.frameIds.set(key, id);
    }
    return id;
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const runtime = this.live(response);
    if (!runtime) return;
    const thread = this.thread(response, runtime, args.threadId);
    if (!thread) return;
    const views = buildStack(runtime.kernel, thread);
    const start = Math.max(0, args.startFrame ?? 0);
    const levels = args.levels !== undefined && args.levels > 0 ? args.levels : views.length;
    const frames: DebugProtocol.StackFrame[] = [];
    for (let i = start; i < Math.min(views.length, start + levels); i++) {
      const view = views[i]!;
      const id = this.frameId(thread.id, i, view);
      frames.push(this.stackFrame(id, view));
    }
    response.body = { stackFrames: frames, totalFrames: views.length };
    this.sendResponse(response);
  }

  private stackFrame(id: number, view: FrameView): DebugProtocol.StackFrame {
    if (view.kind === 'migration') return { id, name: view.name, line: 0, column: 0, presentationHint: 'label' };
    if (view.kind === 'kernel') {
      const impl = implementations()[view.syscallIndex];
      const source: DebugProtocol.Source = {
        name: impl ? kernelSourceName(impl) : 'kernel',
        sourceReference: kernelSourceReference(view.syscallIndex),
        origin: 'kernel pseudo-code',
        presentationHint: 'deemphasize',
      };
      return { id, name: view.name, source, line: this.convertDebuggerLineToClient(kernelStepLine(view.step)), column: this.convertDebuggerColumnToClient(5), presentationHint: 'subtle' };
    }
    const loc: SourceLocation | undefined = view.loc;
    if (!loc) return { id, name: view.name, line: 0, column: 0 };
    return {
      id,
      name: view.name,
      source: this.scenarioSource(),
      line: this.convertDebuggerLineToClient(loc.line),
      column: this.convertDebuggerColumnToClient(loc.column),
      endLine: this.convertDebuggerLineToClient(loc.endLine),
      endColumn: this.convertDebuggerColumnToClient(loc.endColumn),
    };
  }

  private frame(response: DebugProtocol.Response, frameId: number): FrameRecord | undefined {
    const frame = Number.isInteger(frameId) ? this.frames[frameId - 1] : undefined;
    if (!frame) this.sendErrorResponse(response, { id: ErrorId.UNKNOWN_FRAME, format: `unknown stack frame ${frameId} (frames are valid until the next resume)` });
    return frame;
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const runtime = this.live(response);
    if (!runtime || !this.variables) return;
    const frame = this.frame(response, args.frameId);
    if (!frame) return;
    const view = frame.view;
    if (view.kind === 'migration') {
      response.body = { scopes: [] };
      this.sendResponse(response);
      return;
    }
    const store = this.variables;
    const thread = view.thread;
    const group = runtime.kernel.state.groups[thread.group]!;
    const slotsReference = store.add({ kind: 'state', path: ['groups', group.id, 'slots'] });
    const scopes: DebugProtocol.Scope[] = [
      view.kind === 'scenario' && view.callerDepth !== undefined
        ? { name: 'Locals (saved by the passive call)', presentationHint: 'locals', variablesReference: store.add({ kind: 'caller-locals', thread: thread.id, depth: view.callerDepth }), expensive: false }
        : { name: view.kind === 'kernel' ? 'Locals (kernel frame)' : 'Locals', presentationHint: 'locals', variablesReference: store.add({ kind: 'locals', thread: thread.id, frame: view.kind }), expensive: false },
      { name: 'Registers', presentationHint: 'registers', variablesReference: store.add({ kind: 'registers', thread: thread.id }), expensive: false },
      { name: 'Thread', variablesReference: store.add({ kind: 'thread', thread: thread.id }), expensive: false },
      { name: `Capability group (${group.name})`, variablesReference: slotsReference, ...store.counts(slotsReference), expensive: false },
      { name: 'Kernel', variablesReference: store.add({ kind: 'kernel' }), expensive: true },
    ];
    response.body = { scopes };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const store = this.variables;
    const children = store?.children(args.variablesReference, args.start ?? 0, args.count ?? 0, args.filter);
    if (!children) {
      this.sendErrorResponse(response, { id: ErrorId.UNKNOWN_REFERENCE, format: `unknown variables reference ${args.variablesReference} (references are valid until the next resume)` });
      return;
    }
    response.body = { variables: children };
    this.sendResponse(response);
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    const runtime = this.live(response);
    if (!runtime || !this.variables) return;
    const container = this.variables.get(args.variablesReference);
    if (!container || container.kind !== 'locals' || container.frame !== 'scenario') {
      this.sendErrorResponse(response, { id: ErrorId.SET_VARIABLE, format: 'only locals of scenario frames can be set' });
      return;
    }
    const thread = runtime.kernel.threadById(container.thread);
    const routine = thread && thread.routine >= 0 ? runtime.kernel.compiled.routines[thread.routine] : undefined;
    const slot = routine ? routine.slotNames.lastIndexOf(args.name) : -1;
    if (!thread || slot < 0) {
      this.sendErrorResponse(response, { id: ErrorId.SET_VARIABLE, format: `no local '${args.name}'` });
      return;
    }
    const result = evaluateText(args.value, new KernelEnvironment(runtime.kernel, { thread, kind: 'scenario' }));
    if ('error' in result || typeof result.value === 'string' || isRecord(result.value)) {
      this.sendErrorResponse(response, { id: ErrorId.SET_VARIABLE, format: 'error' in result ? result.error : 'a local holds a number' });
      return;
    }
    const value = typeof result.value === 'boolean' ? (result.value ? 1 : 0) : result.value;
    thread.locals[slot] = value;
    response.body = { value: String(value) };
    this.sendResponse(response);
    this.afterEdit(runtime, thread.id);
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    const reference = args.source?.sourceReference ?? args.sourceReference;
    const source = reference > 0 ? kernelSourceByReference(reference) : undefined;
    if (!source) {
      this.sendErrorResponse(response, { id: ErrorId.UNKNOWN_SOURCE, format: `unknown source reference ${reference}` });
      return;
    }
    response.body = { content: source.text, mimeType: 'text/plain' };
    this.sendResponse(response);
  }

  // -------------------------------------------------------------------------------------------
  // Evaluation

  private environmentFor(runtime: ScenarioRuntime, frameId: number | undefined): KernelEnvironment | string {
    if (frameId === undefined) return new KernelEnvironment(runtime.kernel, { thread: undefined, kind: 'scenario' });
    const frame = this.frames[frameId - 1];
    if (!frame) return `unknown stack frame ${frameId}`;
    if (frame.view.kind === 'migration') return new KernelEnvironment(runtime.kernel, { thread: frame.view.thread, kind: 'scenario' });
    return new KernelEnvironment(runtime.kernel, { thread: frame.view.thread, kind: frame.view.kind });
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    const runtime = this.live(response);
    if (!runtime || !this.variables) return;
    const environment = this.environmentFor(runtime, args.frameId);
    if (typeof environment === 'string') {
      this.sendErrorResponse(response, { id: ErrorId.UNKNOWN_FRAME, format: environment });
      return;
    }
    const result = evaluateText(args.expression, environment);
    if ('error' in result) {
      this.sendErrorResponse(response, { id: ErrorId.EVALUATE, format: result.error, showUser: false });
      return;
    }
    const view = this.variables.viewOfValue(args.expression, result.value);
    response.body = {
      result: view.value,
      variablesReference: view.variablesReference,
      ...(view.indexedVariables !== undefined ? { indexedVariables: view.indexedVariables } : {}),
      ...(view.memoryReference !== undefined ? { memoryReference: view.memoryReference } : {}),
    };
    this.sendResponse(response);
  }

  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    const runtime = this.runtime;
    const targets: DebugProtocol.CompletionItem[] = [];
    if (runtime) {
      const column = this.convertClientColumnToDebugger(args.column) - 1;
      const before = args.text.slice(0, Math.max(0, column));
      const word = /[A-Za-z_][A-Za-z0-9_]*$/.exec(before)?.[0] ?? '';
      const start = before.length - word.length;
      const dotted = /([A-Za-z_][A-Za-z0-9_.()", /]*)\.$/.exec(before.slice(0, start));
      const environment = this.environmentFor(runtime, args.frameId);
      const candidates = new Map<string, DebugProtocol.CompletionItemType>();
      if (dotted && typeof environment !== 'string') {
        const target = evaluateText(dotted[1]!, environment);
        const processIndex = runtime.program.processes.findIndex((p) => p.name === dotted[1]);
        if (processIndex >= 0) for (const o of runtime.program.objects) if (o.owner === processIndex) candidates.set(o.name, 'field');
        if (!('error' in target)) {
          let data: unknown = isRecord(target.value) ? target.value.data : undefined;
          if (typeof target.value === 'number') {
            try {
              const record = environment.call('object_of', [target.value]);
              data = isRecord(record) ? record.data : undefined;
            } catch {
              data = undefined;
            }
          }
          if (data && typeof data === 'object' && !Array.isArray(data)) for (const key of Object.keys(data)) candidates.set(key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), 'field');
        }
      } else {
        const thread = typeof environment !== 'string' ? this.frameThread(args.frameId) : undefined;
        const routine = thread && thread.routine >= 0 ? runtime.kernel.compiled.routines[thread.routine] : undefined;
        for (const name of routine?.slotNames ?? []) candidates.set(name, 'variable');
        for (const name of ['pc', 'sp', 'arg0', 'arg1', 'arg2', 'arg3', 'ret', 'badge', 'process', 'thread', 'state', 'now']) candidates.set(name, 'property');
        for (const p of runtime.program.processes) candidates.set(p.name, 'module');
        if (thread) for (const o of runtime.program.objects) if (o.owner === thread.process) candidates.set(o.name, 'reference');
        for (const name of QUERY_FUNCTIONS) candidates.set(name, 'function');
        for (const name of ['EINVAL', 'EIPCRETRY', 'ECAPBILITY', 'ENOMEM', 'ESRCH', 'TS_INIT', 'TS_READY', 'TS_INTER', 'TS_RUNNING', 'TS_EXIT', 'TS_WAITING', 'TE_RUNNING', 'TE_EXITING', 'TE_EXITED', 'KBASE', 'PAGE_SIZE']) candidates.set(name, 'value');
      }
      for (const [label, type] of candidates) {
        if (!label.startsWith(word)) continue;
        targets.push({ label, type, start: this.convertDebuggerColumnToClient(start + 1), length: word.length });
      }
    }
    response.body = { targets };
    this.sendResponse(response);
  }

  private frameThread(frameId: number | undefined): Thread | undefined {
    return frameId !== undefined ? this.frames[frameId - 1]?.view.thread : undefined;
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, args: DebugProtocol.ExceptionInfoArguments): void {
    const runtime = this.live(response);
    if (!runtime) return;
    const exception = runtime.exceptionOf(args.threadId);
    if (!exception) {
      this.sendErrorResponse(response, { id: ErrorId.NO_EXCEPTION, format: `thread ${args.threadId} did not stop on an exception` });
      return;
    }
    response.body = {
      exceptionId: exception.id,
      description: exception.description,
      breakMode: 'always',
      details: { message: exception.details, typeName: exception.filter, fullTypeName: `kscn.${exception.filter}` },
    };
    this.sendResponse(response);
  }

  // -------------------------------------------------------------------------------------------
  // Memory (PMOs)

  /** The live PMO a DAP memory reference names, or an error response. */
  private memoryPmo(response: DebugProtocol.Response, memoryReference: string): { runtime: ScenarioRuntime; pmo: PhysicalMemoryObject } | undefined {
    const runtime = this.live(response);
    if (!runtime) return undefined;
    const pmo = runtime.kernel.state.pmos[pmoOfMemoryReference(memoryReference)];
    if (!pmo || pmo.freed) {
      this.sendErrorResponse(response, { id: ErrorId.MEMORY, format: `unknown memory reference ${memoryReference}` });
      return undefined;
    }
    return { runtime, pmo };
  }

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    const pmo = this.memoryPmo(response, args.memoryReference)?.pmo;
    if (!pmo) return;
    const start = Math.max(0, (args.offset ?? 0));
    const end = Math.min(pmo.size, start + Math.max(0, args.count));
    const bytes = new Uint8Array(Math.max(0, end - start));
    forEachPageChunk(start, end, (page, within, length, address) => {
      const data = pmo.pages[page];
      if (data) bytes.set(data.subarray(within, within + length), address - start);
    });
    response.body = {
      address: `0x${start.toString(16)}`,
      data: Buffer.from(bytes).toString('base64'),
      ...(args.count > bytes.length ? { unreadableBytes: args.count - bytes.length } : {}),
    };
    this.sendResponse(response);
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): void {
    const found = this.memoryPmo(response, args.memoryReference);
    if (!found) return;
    const { runtime, pmo } = found;
    const data = Buffer.from(args.data, 'base64');
    const start = Math.max(0, args.offset ?? 0);
    const end = Math.min(pmo.size, start + data.length);
    forEachPageChunk(start, end, (page, within, length, address) => {
      const target = pmo.pages[page] ?? (pmo.pages[page] = new Uint8Array(PAGE_SIZE));
      target.set(data.subarray(address - start, address - start + length), within);
    });
    response.body = { bytesWritten: Math.max(0, end - start) };
    this.sendResponse(response);
    if (end > start) this.afterEdit(runtime, undefined);
  }

  // -------------------------------------------------------------------------------------------
  // Execution control

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    const runtime = this.live(response);
    if (!runtime) return;
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    this.resetReferences();
    runtime.continue();
  }

  private stepRequest(response: DebugProtocol.Response, threadId: number, kind: 'next' | 'stepIn' | 'stepOut', granularity: DebugProtocol.SteppingGranularity | undefined, target?: StepInTarget): void {
    const runtime = this.live(response);
    if (!runtime) return;
    if (!this.thread(response, runtime, threadId)) return;
    this.sendResponse(response);
    this.resetReferences();
    runtime.step(threadId, kind, granularity === 'instruction' ? 'instruction' : 'statement', target);
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.stepRequest(response, args.threadId, 'next', args.granularity);
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    const target = args.targetId !== undefined ? STEP_IN_TARGETS_BY_ID[args.targetId] : undefined;
    this.stepRequest(response, args.threadId, 'stepIn', args.granularity, target);
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.stepRequest(response, args.threadId, 'stepOut', args.granularity);
  }

  protected override stepInTargetsRequest(response: DebugProtocol.StepInTargetsResponse, args: DebugProtocol.StepInTargetsArguments): void {
    const runtime = this.live(response);
    if (!runtime) return;
    const frame = this.frame(response, args.frameId);
    if (!frame) return;
    const targets = frame.view.kind === 'scenario' ? runtime.stepInTargets(frame.view.thread.id) : [];
    response.body = { targets: targets.map((t) => ({ id: STEP_IN_TARGET_IDS[t.target], label: t.label })) };
    this.sendResponse(response);
  }

  // -------------------------------------------------------------------------------------------
  // Time travel

  /** Answers a checked reverse operation, then runs it (its stop follows the response). */
  private runPlan(response: DebugProtocol.Response, plan: ReversePlan | string, body?: unknown): void {
    if (typeof plan === 'string') {
      this.sendErrorResponse(response, { id: ErrorId.TIME_TRAVEL, format: plan, showUser: true });
      return;
    }
    if (body !== undefined) response.body = body;
    this.sendResponse(response);
    this.resetReferences();
    plan.run();
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    const runtime = this.live(response);
    if (!runtime || !this.thread(response, runtime, args.threadId)) return;
    this.runPlan(response, runtime.reverse('stepBack', args.threadId, args.granularity === 'instruction' ? 'instruction' : 'statement'));
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    const runtime = this.live(response);
    if (!runtime) return;
    const problem = runtime.reverseContinue();
    if (problem !== undefined) {
      this.sendErrorResponse(response, { id: ErrorId.TIME_TRAVEL, format: problem, showUser: true });
      return;
    }
    this.sendResponse(response);
    this.resetReferences();
  }

  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    const runtime = this.live(response);
    if (!runtime) return;
    // The extension's IPC sequence and kernel objects views (views.ts).
    const views = this.views?.handle(command, args);
    if (views !== undefined) {
      if ('error' in views) this.sendErrorResponse(response, { id: ErrorId.UNKNOWN_REQUEST, format: views.error });
      else {
        response.body = views.body;
        this.sendResponse(response);
      }
      return;
    }
    const record = (args ?? {}) as Record<string, unknown>;
    const reverse = REVERSE_REQUESTS[command];
    if (reverse !== undefined) {
      const threadId = Number(record.threadId);
      if (!this.thread(response, runtime, threadId)) return;
      this.runPlan(response, runtime.reverse(reverse, threadId));
      return;
    }
    switch (command) {
      case 'kscn/goToMoment': {
        let moment: Moment | string;
        if (typeof record.eventIndex === 'number') {
          const at = record.at;
          moment = at === undefined || at === 'before' || at === 'after' ? { eventIndex: record.eventIndex, ...(at ? { at } : {}) } : `"at" must be "before" or "after", got ${JSON.stringify(at)}`;
        } else if (typeof record.step === 'number') {
          moment = { step: record.step };
        } else {
          moment = 'kscn/goToMoment needs { "step": n } or { "eventIndex": n, "at"?: "before" | "after" }';
        }
        const plan = typeof moment === 'string' ? moment : runtime.goTo(moment);
        this.runPlan(response, plan, typeof plan === 'string' ? undefined : { step: plan.step });
        return;
      }
      case 'kscn/historyInfo': {
        const info = runtime.timeTravelInfo();
        response.body = { ...info, stateDigest: stateDigest(runtime.kernel.state) };
        this.sendResponse(response);
        return;
      }
      default:
        this.sendErrorResponse(response, { id: ErrorId.UNKNOWN_REQUEST, format: `unknown request ${command}` });
    }
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    const runtime = this.live(response);
    if (!runtime) return;
    this.sendResponse(response);
    runtime.pause();
  }
}

/** Walks [start, end) of a PMO a page at a time: `visit(page, offset in the page, length, address)`. */
function forEachPageChunk(start: number, end: number, visit: (page: number, within: number, length: number, address: number) => void): void {
  for (let address = start; address < end; ) {
    const page = Math.floor(address / PAGE_SIZE);
    const within = address - page * PAGE_SIZE;
    const length = Math.min(PAGE_SIZE - within, end - address);
    visit(page, within, length, address);
    address += length;
  }
}
