// A validator for the Chrome trace-event format (JSON object form) as Perfetto and
// chrome://tracing read it: a structural, JSON-schema-like check of every event by phase, then the
// format's semantic rules (flows matched, slices nested per track, metadata for every track).
import type { ChromeTrace } from '../../kernel/export/chrome-trace';

type FieldType = 'string' | 'number' | 'integer' | 'object' | 'enum';
interface FieldRule {
  readonly type: FieldType;
  readonly values?: readonly string[];
}

const COMMON: Record<string, FieldRule> = {
  name: { type: 'string' },
  ph: { type: 'string' },
  ts: { type: 'number' },
  pid: { type: 'integer' },
  tid: { type: 'integer' },
  cat: { type: 'string' },
  args: { type: 'object' },
};

/** Per phase: the fields it must have and the extra fields it may have. */
const SCHEMA: Record<string, { required: readonly string[]; optional: Record<string, FieldRule> }> = {
  X: { required: ['name', 'ph', 'ts', 'pid', 'tid', 'dur'], optional: { dur: { type: 'number' }, cat: COMMON.cat!, args: COMMON.args! } },
  B: { required: ['name', 'ph', 'ts', 'pid', 'tid'], optional: { cat: COMMON.cat!, args: COMMON.args! } },
  E: { required: ['ph', 'ts', 'pid', 'tid'], optional: { name: COMMON.name!, cat: COMMON.cat!, args: COMMON.args! } },
  i: { required: ['name', 'ph', 'ts', 'pid', 'tid'], optional: { s: { type: 'enum', values: ['t', 'p', 'g'] }, cat: COMMON.cat!, args: COMMON.args! } },
  I: { required: ['name', 'ph', 'ts', 'pid', 'tid'], optional: { s: { type: 'enum', values: ['t', 'p', 'g'] }, cat: COMMON.cat!, args: COMMON.args! } },
  s: { required: ['name', 'ph', 'ts', 'pid', 'tid', 'id', 'cat'], optional: { id: { type: 'integer' }, cat: COMMON.cat!, bp: { type: 'enum', values: ['e'] }, args: COMMON.args! } },
  t: { required: ['name', 'ph', 'ts', 'pid', 'tid', 'id', 'cat'], optional: { id: { type: 'integer' }, cat: COMMON.cat!, bp: { type: 'enum', values: ['e'] }, args: COMMON.args! } },
  f: { required: ['name', 'ph', 'ts', 'pid', 'tid', 'id', 'cat'], optional: { id: { type: 'integer' }, cat: COMMON.cat!, bp: { type: 'enum', values: ['e'] }, args: COMMON.args! } },
  M: { required: ['name', 'ph', 'pid', 'tid', 'args'], optional: { ts: COMMON.ts!, args: COMMON.args! } },
};

const METADATA_NAMES = new Set(['process_name', 'process_labels', 'process_sort_index', 'thread_name', 'thread_sort_index']);
const EPSILON = 1e-6;

function checkType(value: unknown, rule: FieldRule): boolean {
  switch (rule.type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'enum':
      return typeof value === 'string' && rule.values!.includes(value);
  }
}

function finiteNumbers(value: unknown, path: string, errors: string[]): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) errors.push(`${path} is not finite`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => finiteNumbers(v, `${path}[${i}]`, errors));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) finiteNumbers(v, `${path}.${k}`, errors);
  } else if (value === undefined) {
    errors.push(`${path} is undefined`);
  }
}

/** Every rule broken, as readable lines (empty when the trace is valid). */
export function validateChromeTrace(trace: unknown): string[] {
  const errors: string[] = [];
  if (typeof trace !== 'object' || trace === null || Array.isArray(trace)) return ['the trace is not a JSON object'];
  const top = trace as Partial<ChromeTrace> & Record<string, unknown>;
  if (!Array.isArray(top.traceEvents)) return ['traceEvents is not an array'];
  if (top.displayTimeUnit !== undefined && top.displayTimeUnit !== 'ms' && top.displayTimeUnit !== 'ns') errors.push(`displayTimeUnit '${String(top.displayTimeUnit)}' is not ms or ns`);
  if (top.metadata !== undefined && (typeof top.metadata !== 'object' || top.metadata === null)) errors.push('metadata is not an object');
  for (const key of Object.keys(top)) if (!['traceEvents', 'displayTimeUnit', 'metadata'].includes(key)) errors.push(`unknown top-level key ${key}`);
  finiteNumbers(top.metadata, 'metadata', errors);

  const processNames = new Set<number>();
  const threadNames = new Set<string>();
  const used = new Map<string, { pid: number; tid: number }>();
  const slicesByTrack = new Map<string, { ts: number; end: number; name: string }[]>();
  const lastSliceTs = new Map<string, number>();
  const openB = new Map<string, number>();
  const flows = new Map<number, { ph: string; ts: number; cat: string; name: string; track: string; bp?: string }[]>();

  top.traceEvents.forEach((raw, index) => {
    const at = `event ${index}`;
    if (typeof raw !== 'object' || raw === null) {
      errors.push(`${at} is not an object`);
      return;
    }
    const e = raw as unknown as Record<string, unknown>;
    const ph = e.ph;
    const schema = typeof ph === 'string' ? SCHEMA[ph] : undefined;
    if (!schema) {
      errors.push(`${at}: unknown phase ${String(ph)}`);
      return;
    }
    for (const field of schema.required) if (!(field in e)) errors.push(`${at} (${String(ph)}): missing ${field}`);
    for (const [key, value] of Object.entries(e)) {
      const rule = schema.optional[key] ?? COMMON[key];
      if (!rule) errors.push(`${at} (${String(ph)}): unexpected field ${key}`);
      else if (key !== 'ph' && !checkType(value, rule)) errors.push(`${at} (${String(ph)}): ${key} = ${JSON.stringify(value)} is not a valid ${rule.type}`);
    }
    if ("args" in e) finiteNumbers(e.args, `${at}.args`, errors);
    if (typeof e.ts === 'number' && e.ts < 0) errors.push(`${at}: negative ts`);
    const pid = e.pid as number;
    const tid = e.tid as number;
    const track = `${pid}:${tid}`;
    if (ph === 'M') {
      if (!METADATA_NAMES.has(e.name as string)) errors.push(`${at}: unknown metadata ${String(e.name)}`);
      const args = e.args as Record<string, unknown>;
      if ((e.name === 'process_name' || e.name === 'thread_name') && (typeof args.name !== 'string' || args.name === '')) errors.push(`${at}: ${String(e.name)} without a name`);
      if ((e.name === 'process_sort_index' || e.name === 'thread_sort_index') && !Number.isSafeInteger(args.sort_index)) errors.push(`${at}: ${String(e.name)} without an integer sort_index`);
      if (e.name === 'process_name') processNames.add(pid);
      if (e.name === 'thread_name') threadNames.add(track);
      return;
    }
    used.set(track, { pid, tid });
    const ts = e.ts as number;
    if (ph === 'X') {
      const dur = e.dur as number;
      if (!(dur >= 0)) errors.push(`${at}: negative dur`);
      const last = lastSliceTs.get(track) ?? -Infinity;
      if (ts < last) errors.push(`${at}: X '${String(e.name)}' at ${ts} comes after one at ${last} on track ${track}`);
      lastSliceTs.set(track, ts);
      const list = slicesByTrack.get(track) ?? [];
      list.push({ ts, end: ts + dur, name: e.name as string });
      slicesByTrack.set(track, list);
    } else if (ph === 'B') {
      openB.set(track, (openB.get(track) ?? 0) + 1);
    } else if (ph === 'E') {
      const n = (openB.get(track) ?? 0) - 1;
      if (n < 0) errors.push(`${at}: E without B on track ${track}`);
      openB.set(track, n);
    } else if (ph === 's' || ph === 't' || ph === 'f') {
      const id = e.id as number;
      const list = flows.get(id) ?? [];
      list.push({ ph, ts, cat: e.cat as string, name: e.name as string, track, ...(typeof e.bp === 'string' ? { bp: e.bp } : {}) });
      flows.set(id, list);
    }
  });

  for (const [track, n] of openB) if (n !== 0) errors.push(`track ${track}: ${n} B event(s) without E`);

  // Slices on one track nest or are disjoint.
  for (const [track, slices] of slicesByTrack) {
    const sorted = [...slices].sort((a, b) => a.ts - b.ts || b.end - a.end);
    const stack: { ts: number; end: number; name: string }[] = [];
    for (const s of sorted) {
      while (stack.length > 0 && stack[stack.length - 1]!.end <= s.ts + EPSILON) stack.pop();
      const parent = stack[stack.length - 1];
      if (parent && s.end > parent.end + EPSILON) errors.push(`track ${track}: '${s.name}' [${s.ts}, ${s.end}] overlaps '${parent.name}' [${parent.ts}, ${parent.end}] without nesting`);
      stack.push(s);
    }
  }

  // Flows: one s first, one f last, t between; one cat and name; each point inside a slice of its track.
  // Strictly before the slice's end (a viewer closes a slice at its end before binding a flow
  // there), except in a zero-length slice.
  const enclosed = (track: string, ts: number): boolean =>
    (slicesByTrack.get(track) ?? []).some((s) => s.ts - EPSILON <= ts && (ts < s.end - EPSILON || (s.end - s.ts < EPSILON && ts <= s.end + EPSILON)));
  for (const [id, points] of flows) {
    const phases = points.map((p) => p.ph).join('');
    if (!/^st*f$/.test(phases)) errors.push(`flow ${id}: phases ${phases}, expected s, t..., f`);
    if (new Set(points.map((p) => p.cat)).size !== 1) errors.push(`flow ${id}: categories differ`);
    if (new Set(points.map((p) => p.name)).size !== 1) errors.push(`flow ${id}: names differ`);
    for (let i = 1; i < points.length; i++) if (points[i]!.ts < points[i - 1]!.ts) errors.push(`flow ${id}: goes back in time`);
    for (const p of points) {
      if (!enclosed(p.track, p.ts)) errors.push(`flow ${id} (${p.ph} '${p.name}') at ${p.ts} on track ${p.track} is in no slice`);
    }
  }

  for (const { pid, tid } of used.values()) {
    if (!processNames.has(pid)) errors.push(`pid ${pid} has no process_name`);
    if (!threadNames.has(`${pid}:${tid}`)) errors.push(`track ${pid}:${tid} has no thread_name`);
  }
  return errors;
}
