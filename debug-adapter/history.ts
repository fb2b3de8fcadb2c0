// The time-travel history: what the debugger needs to move the kernel to any earlier moment.
//
// A moment ("position") is the number of kernel steps the runtime has run since boot: position p
// is the state after p steps, before step p. The history keeps, for every recorded step, a few
// numbers (which thread ran, statement or kernel step, the line or kernel step, flags for the
// events it emitted, the event count), and checkpoints: copies of the whole `kernel.state` every
// `checkpointInterval` steps. Any position is reached by restoring the nearest checkpoint at or
// before it and re-executing forward; the kernel is deterministic, so the re-execution reproduces
// the recorded run. Checkpoints share unchanged parts with the previous checkpoint (a generic
// structural sharing over the plain-data state: identical arrays, objects and memory pages are
// kept once), so memory grows with what changes, not with the state's size.
//
// Knows nothing of DAP and nothing of the kernel's internals: it copies whatever plain data the
// kernel state holds.

import { Buffer } from 'node:buffer';
import type { KernelState } from '../kernel/state';

/** Step kinds in the low two bits of a step's flags. */
export const StepFlag = {
  IDLE: 0,
  STATEMENT: 1,
  KERNEL_STEP: 2,
  KIND_MASK: 3,
  /** A syscall statement of an IPC family (chcore-ipc, mach, mach-rpc, xnu-node, tock). */
  IPC_SYSCALL: 1 << 2,
  /** The step emitted a `syscall-entry` event (function breakpoints). */
  SYSCALL_ENTRY: 1 << 3,
  /** A syscall returned a negative result. */
  SYSCALL_ERROR: 1 << 4,
  EXPECT_FAILED: 1 << 5,
  THREAD_FAULT: 1 << 6,
  KERNEL_FAULT: 1 << 7,
} as const;

export const MigrationDirection = { TO_SERVER: 0, TO_REGISTER: 1, TO_CLIENT: 2 } as const;

export interface HistoryOptions {
  /** Steps kept; older history is dropped. 0 turns time travel off. */
  readonly maxSteps: number;
  /** Steps between checkpoints. */
  readonly checkpointInterval: number;
  /** Bytes the checkpoints may use before every other one is dropped and the interval doubles. */
  readonly checkpointBudget?: number;
}

export const DEFAULT_HISTORY_SIZE = 1_000_000;
export const DEFAULT_CHECKPOINT_INTERVAL = 1000;
/** Checkpoint memory (estimated) beyond which checkpoints are thinned out: 192 MB. */
export const DEFAULT_CHECKPOINT_BUDGET = 192 * 1024 * 1024;

interface Checkpoint {
  readonly position: number;
  /** The kernel state in the checkpoint representation (large arrays in shared chunks): see `materialize`. */
  readonly state: unknown;
  /** Estimated bytes this checkpoint added (parts shared with the previous one are not counted). */
  bytes: number;
  /** The user edited the state at this position: reaching it by stepping must load this state. */
  readonly barrier: boolean;
}

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
/** Bytes per recorded step: thread (4), flags (1), line (4), events before the step (8). */
const STEP_BYTES = 17;

interface Chunk {
  readonly thread: Int32Array;
  readonly flags: Uint8Array;
  readonly line: Int32Array;
  readonly eventsBefore: Float64Array;
}

/** Per-step records in chunks of 65,536 steps; old chunks are dropped as the horizon moves. */
class StepLog {
  private readonly chunks = new Map<number, Chunk>();
  start = 0;
  end = 0;

  private chunkFor(position: number, create: boolean): Chunk | undefined {
    const index = position >>> 0 === position ? position >>> CHUNK_BITS : Math.floor(position / CHUNK);
    let chunk = this.chunks.get(index);
    if (!chunk && create) {
      chunk = { thread: new Int32Array(CHUNK), flags: new Uint8Array(CHUNK), line: new Int32Array(CHUNK), eventsBefore: new Float64Array(CHUNK) };
      this.chunks.set(index, chunk);
    }
    return chunk;
  }

  append(thread: number, flags: number, line: number, eventsBefore: number): void {
    const chunk = this.chunkFor(this.end, true)!;
    const i = this.end % CHUNK;
    chunk.thread[i] = thread;
    chunk.flags[i] = flags;
    chunk.line[i] = line;
    chunk.eventsBefore[i] = eventsBefore;
    this.end++;
  }

  /** Adds flags to an already recorded step (events arrive after the step is appended). */
  addFlags(position: number, flags: number): void {
    const chunk = this.chunkFor(position, false);
    if (chunk) chunk.flags[position % CHUNK] |= flags;
  }

  thread(position: number): number {
    return this.chunkFor(position, false)?.thread[position % CHUNK] ?? 0;
  }

  flags(position: number): number {
    return this.chunkFor(position, false)?.flags[position % CHUNK] ?? 0;
  }

  line(position: number): number {
    return this.chunkFor(position, false)?.line[position % CHUNK] ?? 0;
  }

  eventsBefore(position: number): number {
    return this.chunkFor(position, false)?.eventsBefore[position % CHUNK] ?? 0;
  }

  truncate(position: number): void {
    if (position >= this.end) return;
    this.end = Math.max(this.start, position);
    for (const index of [...this.chunks.keys()]) if (index * CHUNK >= this.end) this.chunks.delete(index);
  }

  dropBefore(position: number): void {
    if (position <= this.start) return;
    this.start = Math.min(position, this.end);
    for (const index of [...this.chunks.keys()]) if ((index + 1) * CHUNK <= this.start) this.chunks.delete(index);
  }

  get bytes(): number {
    return this.chunks.size * CHUNK * STEP_BYTES;
  }

  /** Scans positions in [from, to) backwards: the last one `test` accepts, or -1. */
  findLast(from: number, to: number, test: (thread: number, flags: number, line: number) => boolean): number {
    const low = Math.max(from, this.start);
    for (let p = Math.min(to, this.end) - 1; p >= low; ) {
      const chunk = this.chunkFor(p, false);
      const base = p - (p & CHUNK_MASK);
      if (!chunk) {
        p = base - 1;
        continue;
      }
      const stop = Math.max(low, base);
      for (; p >= stop; p--) {
        const i = p - base;
        if (test(chunk.thread[i]!, chunk.flags[i]!, chunk.line[i]!)) return p;
      }
    }
    return -1;
  }

  /** Scans positions in [from, to) forwards: the first one `test` accepts, or -1. */
  findFirst(from: number, to: number, test: (thread: number, flags: number, line: number) => boolean): number {
    const high = Math.min(to, this.end);
    for (let p = Math.max(from, this.start); p < high; p++) {
      if (test(this.thread(p), this.flags(p), this.line(p))) return p;
    }
    return -1;
  }
}

/** Migration events (the step that emitted them), for reverse step out and activation starts. */
class MigrationLog {
  private step = new Float64Array(1024);
  private client = new Int32Array(1024);
  private handler = new Int32Array(1024);
  private direction = new Uint8Array(1024);
  private first = 0;
  length = 0;

  add(step: number, direction: number, client: number, handler: number): void {
    if (this.length === this.step.length) this.grow();
    this.step[this.length] = step;
    this.client[this.length] = client;
    this.handler[this.length] = handler;
    this.direction[this.length] = direction;
    this.length++;
  }

  private grow(): void {
    const live = this.length - this.first;
    const capacity = Math.max(1024, live * 2);
    const copy = <T extends Float64Array | Int32Array | Uint8Array>(array: T, make: (n: number) => T): T => {
      const out = make(capacity);
      out.set(array.subarray(this.first, this.length));
      return out;
    };
    this.step = copy(this.step, (n) => new Float64Array(n));
    this.client = copy(this.client, (n) => new Int32Array(n));
    this.handler = copy(this.handler, (n) => new Int32Array(n));
    this.direction = copy(this.direction, (n) => new Uint8Array(n));
    this.length = live;
    this.first = 0;
  }

  truncate(position: number): void {
    while (this.length > this.first && this.step[this.length - 1]! >= position) this.length--;
  }

  dropBefore(position: number): void {
    while (this.first < this.length && this.step[this.first]! < position) this.first++;
  }

  get bytes(): number {
    return this.step.length * 17;
  }

  /** The latest migration before `position` that involves `handler` as the passive thread. */
  lastIntoHandler(handler: number, position: number): { step: number; direction: number; client: number } | undefined {
    for (let i = this.length - 1; i >= this.first; i--) {
      if (this.step[i]! >= position) continue;
      if (this.handler[i] === handler) return { step: this.step[i]!, direction: this.direction[i]!, client: this.client[i]! };
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Structural sharing between checkpoints

interface Counter {
  bytes: number;
}

/** Arrays at least this long are kept in chunks, each shared with the previous checkpoint when unchanged. */
const CHUNKED_MIN = 1024;
const ARRAY_CHUNK = 256;

/** A large array in a checkpoint: its elements in chunks of ARRAY_CHUNK. */
class ChunkedArray {
  constructor(
    readonly length: number,
    readonly chunks: readonly (readonly unknown[])[],
  ) {}
}

const ARRAY_BYTES = 16;
const OBJECT_BYTES = 24;
const SLOT_BYTES = 8;
const TYPED_ARRAY_BYTES = 96;

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/**
 * A deep copy of `value` that reuses the parts of `previous` (the last checkpoint's copy at the
 * same place) that are equal: unchanged memory pages, arrays and records are kept once. The
 * result must never be mutated (restoring copies it again).
 */
export function shareClone(value: unknown, previous: unknown, counter: Counter): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) {
    if (previous instanceof Uint8Array && sameBytes(value, previous)) return previous;
    counter.bytes += TYPED_ARRAY_BYTES + value.byteLength;
    return new Uint8Array(value);
  }
  if (ArrayBuffer.isView(value)) {
    counter.bytes += TYPED_ARRAY_BYTES + value.byteLength;
    return structuredClone(value);
  }
  if (Array.isArray(value) && value.length >= CHUNKED_MIN) return shareChunks(value, previous, counter);
  if (Array.isArray(value)) {
    const before = Array.isArray(previous) ? (previous as unknown[]) : undefined;
    let same = before !== undefined && before.length === value.length;
    const out = new Array<unknown>(value.length);
    const mark = counter.bytes;
    for (let i = 0; i < value.length; i++) {
      const element = value[i];
      const child = element === null || typeof element !== 'object' ? element : shareClone(element, before?.[i], counter);
      out[i] = child;
      if (same && child !== before![i]) same = false;
    }
    if (same) {
      counter.bytes = mark;
      return before;
    }
    counter.bytes += ARRAY_BYTES + SLOT_BYTES * value.length;
    return out;
  }
  if (!isPlainObject(value)) {
    // Not plain data (the kernel state should hold none): copied whole, never shared.
    counter.bytes += OBJECT_BYTES;
    return structuredClone(value);
  }
  const before = previous !== null && typeof previous === 'object' && !Array.isArray(previous) && isPlainObject(previous) ? previous : undefined;
  const keys = Object.keys(value);
  let same = before !== undefined && Object.keys(before).length === keys.length;
  const out: Record<string, unknown> = {};
  const mark = counter.bytes;
  for (const key of keys) {
    const child = shareClone(value[key], before?.[key], counter);
    out[key] = child;
    if (same && (child !== before![key] || !(key in before!))) same = false;
  }
  if (same) {
    counter.bytes = mark;
    return before;
  }
  counter.bytes += OBJECT_BYTES + SLOT_BYTES * keys.length;
  return out;
}

/** A large array as chunks: a capability table of 100,000 slots costs one chunk per change, not 800 KB. */
function shareChunks(value: readonly unknown[], previous: unknown, counter: Counter): ChunkedArray {
  const before = previous instanceof ChunkedArray ? previous : undefined;
  const chunks: (readonly unknown[])[] = [];
  let same = before !== undefined && before.length === value.length;
  for (let start = 0, c = 0; start < value.length; start += ARRAY_CHUNK, c++) {
    const end = Math.min(value.length, start + ARRAY_CHUNK);
    const old = before?.chunks[c];
    let chunkSame = old !== undefined && old.length === end - start;
    const mark = counter.bytes;
    const out = new Array<unknown>(end - start);
    for (let i = start; i < end; i++) {
      const element = value[i];
      const child = element === null || typeof element !== 'object' ? element : shareClone(element, old?.[i - start], counter);
      out[i - start] = child;
      if (chunkSame && child !== old![i - start]) chunkSame = false;
    }
    if (chunkSame) {
      counter.bytes = mark;
      chunks.push(old!);
    } else {
      counter.bytes += ARRAY_BYTES + SLOT_BYTES * out.length;
      chunks.push(out);
      same = false;
    }
  }
  if (same && before!.chunks.length === chunks.length) return before!;
  counter.bytes += OBJECT_BYTES + ARRAY_BYTES + SLOT_BYTES * chunks.length;
  return new ChunkedArray(value.length, chunks);
}

type RecordBuilder = (value: Record<string, unknown>, copy: (value: unknown) => unknown) => Record<string, unknown>;
const builders = new Map<string, RecordBuilder>();

/**
 * A builder per record shape: one object literal with every key, so copies get all their fields
 * in-object (V8 keeps only a few in-object for `{}` filled key by key, and the kernel's hot code
 * reads these records at every step).
 */
function builderFor(keys: readonly string[]): RecordBuilder {
  const id = keys.join('\u0000');
  let builder = builders.get(id);
  if (!builder) {
    const fields = keys.map((key) => `${JSON.stringify(key)}: c(v[${JSON.stringify(key)}])`).join(', ');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a literal per shape, built from the state's own keys
    builder = new Function('v', 'c', `return { ${fields} };`) as RecordBuilder;
    builders.set(id, builder);
  }
  return builder;
}

/** A fresh plain-data copy of a checkpoint's state, with all its records' fields in-object. */
export function materialize(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof ChunkedArray) {
    const out = new Array<unknown>(value.length);
    let k = 0;
    for (const chunk of value.chunks) for (const child of chunk) out[k++] = materialize(child);
    return out;
  }
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return structuredClone(value);
  if (Array.isArray(value)) return value.map(materialize);
  if (!isPlainObject(value)) return structuredClone(value);
  return builderFor(Object.keys(value))(value, materialize);
}

/** Estimated bytes of a whole value. */
function deepBytes(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  if (value instanceof ChunkedArray) return OBJECT_BYTES + deepBytes(value.chunks);
  if (ArrayBuffer.isView(value)) return TYPED_ARRAY_BYTES + value.byteLength;
  if (Array.isArray(value)) {
    let bytes = ARRAY_BYTES + SLOT_BYTES * value.length;
    for (const child of value) bytes += deepBytes(child);
    return bytes;
  }
  let bytes = OBJECT_BYTES;
  for (const child of Object.values(value)) bytes += SLOT_BYTES + deepBytes(child);
  return bytes;
}

/** Estimated bytes of the parts of `value` not in `seen` (which then holds them). */
function unseenBytes(value: unknown, seen: Set<object>): number {
  if (value === null || typeof value !== 'object' || seen.has(value)) return 0;
  seen.add(value);
  if (value instanceof ChunkedArray) return OBJECT_BYTES + unseenBytes(value.chunks, seen);
  if (ArrayBuffer.isView(value)) return TYPED_ARRAY_BYTES + value.byteLength;
  if (Array.isArray(value)) {
    let bytes = ARRAY_BYTES + SLOT_BYTES * value.length;
    for (const child of value) bytes += unseenBytes(child, seen);
    return bytes;
  }
  let bytes = OBJECT_BYTES;
  for (const child of Object.values(value)) bytes += SLOT_BYTES + unseenBytes(child, seen);
  return bytes;
}

/** Bytes of the parts `next` shares with `dropped` (they stay alive when `dropped` goes). */
function sharedBytes(next: unknown, dropped: unknown): number {
  if (next === null || typeof next !== 'object' || dropped === null || typeof dropped !== 'object') return 0;
  if (next === dropped) return deepBytes(next);
  if (ArrayBuffer.isView(next)) return 0;
  if (next instanceof ChunkedArray) return dropped instanceof ChunkedArray ? sharedBytes(next.chunks, dropped.chunks) : 0;
  if (Array.isArray(next)) {
    if (!Array.isArray(dropped)) return 0;
    let bytes = 0;
    for (let i = 0; i < next.length; i++) bytes += sharedBytes(next[i], dropped[i]);
    return bytes;
  }
  let bytes = 0;
  for (const [key, child] of Object.entries(next)) bytes += sharedBytes(child, (dropped as Record<string, unknown>)[key]);
  return bytes;
}

/** A digest of a whole plain-data value (FNV-1a over a canonical walk), to tell two states apart. */
export function stateDigest(value: unknown): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const mix = (text: string): void => {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
    }
  };
  const walk = (v: unknown): void => {
    if (v === null || v === undefined) return mix(v === null ? 'n;' : 'u;');
    if (typeof v !== 'object') return mix(`${typeof v}:${String(v)};`);
    if (v instanceof Uint8Array) {
      mix(`b${v.length}:`);
      let run = 0x811c9dc5;
      for (let i = 0; i < v.length; i++) run = Math.imul(run ^ v[i]!, 0x01000193) >>> 0;
      return mix(`${run};`);
    }
    if (Array.isArray(v)) {
      mix(`[${v.length}`);
      for (const child of v) walk(child);
      return mix(']');
    }
    mix('{');
    for (const key of Object.keys(v).sort()) {
      mix(`${key}=`);
      walk((v as Record<string, unknown>)[key]);
    }
    mix('}');
  };
  walk(value);
  return `${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`;
}

// ---------------------------------------------------------------------------------------------

export interface HistoryInfo {
  readonly enabled: boolean;
  /** The oldest position still reachable. */
  readonly oldestStep: number;
  /** The newest recorded position (the present). */
  readonly totalSteps: number;
  readonly maxSteps: number;
  readonly checkpointInterval: number;
  readonly checkpoints: number;
  /** Estimated bytes of the step records and the checkpoints. */
  readonly historyBytes: number;
  readonly stepBytes: number;
  readonly checkpointBytes: number;
}

export class History {
  readonly maxSteps: number;
  /** Steps between checkpoints; doubles when the checkpoints outgrow their budget. */
  checkpointInterval: number;
  private readonly checkpointBudget: number;
  private readonly log = new StepLog();
  private readonly migrations = new MigrationLog();
  private checkpoints: Checkpoint[] = [];
  private checkpointBytes = 0;
  /** Checkpoints that hold an edited state. */
  private barriers = 0;
  /** Events delivered before the present (the event count at `head`). */
  private eventTotal = 0;

  constructor(options: HistoryOptions, initial: KernelState) {
    this.maxSteps = Math.max(1, Math.floor(options.maxSteps));
    // At least two checkpoints fit in the history, so dropping the oldest leaves one to start from.
    this.checkpointInterval = Math.max(1, Math.min(Math.floor(options.checkpointInterval), Math.floor(this.maxSteps / 2)));
    this.checkpointBudget = options.checkpointBudget ?? DEFAULT_CHECKPOINT_BUDGET;
    this.addCheckpoint(0, initial, false);
  }

  /** The present: the number of recorded steps. */
  get head(): number {
    return this.log.end;
  }

  /** The oldest reachable position. */
  get horizon(): number {
    return this.checkpoints[0]!.position;
  }

  /** Events delivered up to `position` (the index the next event would have). */
  eventsAt(position: number): number {
    return position >= this.log.end ? this.eventTotal : this.log.eventsBefore(position);
  }

  info(): HistoryInfo {
    return {
      enabled: true,
      oldestStep: this.horizon,
      totalSteps: this.head,
      maxSteps: this.maxSteps,
      checkpointInterval: this.checkpointInterval,
      checkpoints: this.checkpoints.length,
      historyBytes: this.log.bytes + this.migrations.bytes + this.checkpointBytes,
      stepBytes: this.log.bytes + this.migrations.bytes,
      checkpointBytes: this.checkpointBytes,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Recording

  /** Records the step at the head; `events` is how many events it delivered. */
  record(thread: number, flags: number, line: number): void {
    this.log.append(thread, flags, line, this.eventTotal);
  }

  /** Adds what the events of the just-recorded step say. */
  noteEvents(position: number, count: number, flags: number): void {
    if (position !== this.log.end - 1) return;
    this.eventTotal += count;
    if (flags !== 0) this.log.addFlags(position, flags);
  }

  noteMigration(position: number, direction: number, client: number, handler: number): void {
    if (position === this.log.end - 1) this.migrations.add(position, direction, client, handler);
  }

  /** The recorded thread of a step, to check that re-execution follows the recorded run. */
  recordedThread(position: number): number {
    return this.log.thread(position);
  }

  /** After a new step reached `position` (== head): a checkpoint when due, and the bound. */
  afterStep(position: number, state: () => KernelState): void {
    const last = this.checkpoints[this.checkpoints.length - 1]!;
    if (position - last.position >= this.checkpointInterval) {
      this.addCheckpoint(position, state(), false);
      if (this.checkpointBytes > this.checkpointBudget) this.thin();
    }
    this.enforceBound();
  }

  /**
   * Too much memory (a run that rewrites many memory pages): every other checkpoint goes (not the
   * oldest, the newest or edited ones) and the interval doubles. Reaching a moment then re-executes
   * up to twice as many steps.
   */
  private thin(): void {
    const last = this.checkpoints.length - 1;
    this.checkpoints = this.checkpoints.filter((checkpoint, index) => index === 0 || index === last || checkpoint.barrier || index % 2 === 0);
    this.checkpointInterval = Math.min(this.checkpointInterval * 2, Math.max(1, Math.floor(this.maxSteps / 2)));
    const seen = new Set<object>();
    this.checkpointBytes = 0;
    for (const checkpoint of this.checkpoints) {
      checkpoint.bytes = unseenBytes(checkpoint.state, seen);
      this.checkpointBytes += checkpoint.bytes;
    }
  }

  private addCheckpoint(position: number, state: KernelState, barrier: boolean): void {
    const previous = this.checkpoints[this.checkpoints.length - 1];
    const counter: Counter = { bytes: 0 };
    const copy = shareClone(state, previous?.state, counter);
    this.checkpoints.push({ position, state: copy, bytes: counter.bytes, barrier });
    this.checkpointBytes += counter.bytes;
    if (barrier) this.barriers++;
  }

  private enforceBound(): void {
    while (this.checkpoints.length > 1 && this.head - this.checkpoints[0]!.position > this.maxSteps) {
      const dropped = this.checkpoints.shift()!;
      if (dropped.barrier) this.barriers--;
      const next = this.checkpoints[0]!;
      // What the next checkpoint shares with the dropped one stays alive: it is its own now.
      const kept = sharedBytes(next.state, dropped.state);
      next.bytes += kept;
      this.checkpointBytes -= dropped.bytes - kept;
      this.log.dropBefore(next.position);
      this.migrations.dropBefore(next.position);
    }
  }

  private dropLast(): void {
    const last = this.checkpoints.pop()!;
    this.checkpointBytes -= last.bytes;
    if (last.barrier) this.barriers--;
  }

  /** Forgets everything after `position`: the recorded future no longer follows (an edit, a divergence). */
  truncate(position: number): number {
    const dropped = Math.max(0, this.head - position);
    if (position < this.log.end) {
      this.eventTotal = this.log.eventsBefore(position);
      this.log.truncate(position);
      this.migrations.truncate(position);
    }
    while (this.checkpoints.length > 1 && this.checkpoints[this.checkpoints.length - 1]!.position > position) this.dropLast();
    return dropped;
  }

  /**
   * The user changed the state at `position`: the future is forgotten, and the edited state
   * becomes the state at `position` (a barrier: stepping into `position` from before loads it).
   * Returns how many recorded steps were dropped.
   */
  edit(position: number, state: KernelState): number {
    const dropped = this.truncate(position);
    const last = this.checkpoints[this.checkpoints.length - 1]!;
    if (last.position === position) {
      // Replaced (when it is the only one, the horizon stays where it is).
      this.dropLast();
    }
    this.addCheckpoint(position, state, true);
    return dropped;
  }

  /** The edited state to load when stepping reaches `position`, if the user edited it. */
  barrierAt(position: number): KernelState | undefined {
    if (this.barriers === 0) return undefined;
    const checkpoint = this.checkpointAt(position);
    return checkpoint.position === position && checkpoint.barrier ? (materialize(checkpoint.state) as KernelState) : undefined;
  }

  /** The checkpoint to re-execute from to reach `position`, with a fresh copy of its state. */
  checkpointFor(position: number): { position: number; state: KernelState } {
    const checkpoint = this.checkpointAt(position);
    return { position: checkpoint.position, state: materialize(checkpoint.state) as KernelState };
  }

  private checkpointAt(position: number): Checkpoint {
    let low = 0;
    let high = this.checkpoints.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.checkpoints[mid]!.position <= position) low = mid;
      else high = mid - 1;
    }
    return this.checkpoints[low]!;
  }

  /** Checkpoint positions in [from, to), newest first: the segments a backward search replays. */
  segmentsBefore(to: number): { start: number; end: number }[] {
    const segments: { start: number; end: number }[] = [];
    for (let i = this.checkpoints.length - 1; i >= 0; i--) {
      const start = this.checkpoints[i]!.position;
      if (start >= to) continue;
      const next = this.checkpoints[i + 1]?.position ?? Infinity;
      segments.push({ start, end: Math.min(next, to) });
    }
    return segments;
  }

  // -------------------------------------------------------------------------------------------
  // Searching the recorded steps

  findLast(from: number, to: number, test: (thread: number, flags: number, line: number) => boolean): number {
    return this.log.findLast(from, to, test);
  }

  findFirst(from: number, to: number, test: (thread: number, flags: number, line: number) => boolean): number {
    return this.log.findFirst(from, to, test);
  }

  /** The last statement of `thread` before `position`, at or after `from`; -1 if none. */
  lastStatementOf(thread: number, position: number, from = 0): number {
    return this.log.findLast(from, position, (t, flags) => t === thread && (flags & StepFlag.KIND_MASK) === StepFlag.STATEMENT);
  }

  /** The last statement or kernel step of `thread` before `position`; -1 if none. */
  lastStepOf(thread: number, position: number, from = 0): number {
    return this.log.findLast(from, position, (t, flags) => t === thread && (flags & StepFlag.KIND_MASK) !== StepFlag.IDLE);
  }

  /**
   * How the current activation of `thread` began, if a migration brought it in (a handler
   * serving a call, a register thread serving a registration): the migrating step and the client.
   */
  activationOf(thread: number, position: number): { step: number; client: number } | undefined {
    const last = this.migrations.lastIntoHandler(thread, position);
    if (!last || last.direction === MigrationDirection.TO_CLIENT) return undefined;
    return { step: last.step, client: last.client };
  }

  /** The position whose step emitted event `index`, or -1 when the event is not in the history. */
  stepOfEvent(index: number): number {
    if (index < this.eventsAt(this.horizon) || index >= this.eventTotal) return -1;
    let low = this.horizon;
    let high = this.head - 1;
    // The last step whose eventsBefore <= index.
    while (low < high) {
      const mid = Math.floor((low + high + 1) / 2);
      if (this.log.eventsBefore(mid) <= index) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}
