// The IPC sequence view's model, without VS Code: lifelines ordered and grouped by machine and
// capability group, one arrow per IPC event record of the adapter's `kscn/ipcEvents` (calls and
// returns with their migration, errors, Mach, FLIPC and Tock messages, unknown kinds generically),
// merged page by page, cut back when the adapter says its list changed generation.

import type { IpcCategory, IpcEventRecord, IpcEventsBody, LifelineInfo } from '../../debug-adapter/views';
import type { SourceLocation } from '../../kernel/program';

export const IPC_EVENTS_REQUEST = 'kscn/ipcEvents';
export const IPC_EVENTS_CHANGED_EVENT = 'kscn/ipcEventsChanged';
export const GO_TO_MOMENT_REQUEST = 'kscn/goToMoment';
/** Records asked for per `kscn/ipcEvents` request. */
export const FETCH_PAGE = 2000;

export interface SequenceLifeline {
  readonly id: number;
  /** The thread's own name inside its group (`main`), or the kernel's. */
  readonly label: string;
  readonly name: string;
  readonly column: number;
  readonly type: LifelineInfo['type'];
}

/** A header span over adjacent lifelines of one machine and capability group. */
export interface SequenceGroup {
  readonly label: string;
  readonly first: number;
  readonly last: number;
}

export type ArrowStyle = 'solid' | 'dashed' | 'mark';

export interface SequenceArrow {
  readonly index: number;
  readonly eventIndex: number;
  readonly step: number;
  /** Lifeline ids (thread ids; a machine's kernel is negative). */
  readonly from: number;
  readonly to: number;
  readonly style: ArrowStyle;
  readonly category: IpcCategory;
  readonly label: string;
  /** `sc #16` for a migration. */
  readonly sublabel?: string;
  readonly error?: string;
  readonly detail: string;
  readonly loc?: SourceLocation;
}

export interface SequenceSnapshot {
  readonly file: string;
  readonly generation: number;
  readonly currentStep: number;
  readonly lifelines: readonly SequenceLifeline[];
  readonly groups: readonly SequenceGroup[];
  readonly arrows: readonly SequenceArrow[];
}

/** Lifelines by machine, then capability group (the machine's kernel last), then thread. */
export function orderLifelines(infos: readonly LifelineInfo[]): SequenceLifeline[] {
  const sorted = [...infos].sort((a, b) => {
    if (a.machineIndex !== b.machineIndex) return a.machineIndex - b.machineIndex;
    const ak = a.id < 0 ? 1 : 0;
    const bk = b.id < 0 ? 1 : 0;
    if (ak !== bk) return ak - bk;
    if (a.groupId !== b.groupId) return a.groupId - b.groupId;
    return a.id - b.id;
  });
  return sorted.map((info, column) => {
    const own = info.id > 0 && info.name.startsWith(`${info.group}.`) ? info.name.slice(info.group.length + 1) : info.name;
    return { id: info.id, label: own, name: info.name, column, type: info.type };
  });
}

/** Header spans: `machine / group` over each run of lifelines of one group. */
export function groupSpans(infos: readonly LifelineInfo[], lifelines: readonly SequenceLifeline[]): SequenceGroup[] {
  const byId = new Map(infos.map((info) => [info.id, info]));
  const spans: SequenceGroup[] = [];
  for (const line of lifelines) {
    const info = byId.get(line.id);
    const label = info ? (info.id < 0 ? info.machine : `${info.machine} / ${info.group}`) : '?';
    const last = spans[spans.length - 1];
    if (last && last.label === label && last.last === line.column - 1) spans[spans.length - 1] = { ...last, last: line.column };
    else spans.push({ label, first: line.column, last: line.column });
  }
  return spans;
}

/** One arrow for one record: migrations dashed with their scheduling context, errors and one-lifeline events as marks. */
export function toArrow(record: IpcEventRecord): SequenceArrow {
  const style: ArrowStyle = record.from === record.to ? 'mark' : record.migration ? 'dashed' : 'solid';
  return {
    index: record.index,
    eventIndex: record.eventIndex,
    step: record.step,
    from: record.from,
    to: record.to,
    style,
    category: record.category,
    label: record.label,
    ...(record.migration ? { sublabel: `sc #${record.migration.sc} (${record.migration.direction})` } : {}),
    ...(record.error !== undefined ? { error: record.error } : {}),
    detail: record.detail,
    ...(record.loc ? { loc: record.loc } : {}),
  };
}

/** What changed after `apply`: everything (`reset`), or arrows appended from `from`. */
export type ModelChange = { readonly kind: 'reset' } | { readonly kind: 'append'; readonly from: number } | { readonly kind: 'none' };

/** The arrows received so far, merged from `kscn/ipcEvents` pages. */
export class IpcModel {
  private arrowList: SequenceArrow[] = [];
  private lifelineInfos: LifelineInfo[] = [];
  private ordered: SequenceLifeline[] = [];
  private spans: SequenceGroup[] = [];
  private generationSeen = -1;
  private total = 0;
  private stale = false;
  file = '';
  currentStep = 0;

  get arrows(): readonly SequenceArrow[] {
    return this.arrowList;
  }

  get lifelines(): readonly SequenceLifeline[] {
    return this.ordered;
  }

  get groups(): readonly SequenceGroup[] {
    return this.spans;
  }

  get generation(): number {
    return this.generationSeen;
  }

  /** Forgets everything (a new session). */
  clear(): void {
    this.arrowList = [];
    this.lifelineInfos = [];
    this.ordered = [];
    this.spans = [];
    this.generationSeen = -1;
    this.total = 0;
    this.stale = false;
    this.file = '';
    this.currentStep = 0;
  }

  /** The next page to ask for after the adapter announced `{total, generation}`, or undefined when up to date. */
  nextRequest(changed?: { readonly total: number; readonly generation: number }): { start: number; count: number } | undefined {
    if (this.stale || this.generationSeen < 0) return { start: 0, count: FETCH_PAGE };
    if (changed !== undefined && changed.generation !== this.generationSeen) return { start: 0, count: FETCH_PAGE };
    const total = changed?.total ?? this.total;
    if (total < this.arrowList.length) return { start: 0, count: FETCH_PAGE };
    if (this.arrowList.length >= total) return undefined;
    return { start: this.arrowList.length, count: FETCH_PAGE };
  }

  /** Merges one `kscn/ipcEvents` answer. */
  apply(body: IpcEventsBody): ModelChange {
    let reset = false;
    if (body.generation !== this.generationSeen || (body.start === 0 && body.total < this.arrowList.length)) {
      if (body.start !== 0) {
        // The list changed under a later page: start again from the first.
        this.stale = true;
        return { kind: 'none' };
      }
      this.stale = false;
      this.arrowList = [];
      this.generationSeen = body.generation;
      reset = true;
    }
    this.file = body.file;
    this.total = body.total;
    const lifelinesChanged = !sameLifelines(this.lifelineInfos, body.lifelines);
    if (lifelinesChanged) {
      this.lifelineInfos = [...body.lifelines];
      this.ordered = orderLifelines(this.lifelineInfos);
      this.spans = groupSpans(this.lifelineInfos, this.ordered);
    }
    const stepChanged = body.step !== this.currentStep;
    this.currentStep = body.step;
    const from = this.arrowList.length;
    if (body.start > from) return reset ? { kind: 'reset' } : { kind: 'none' };
    for (const record of body.events) {
      if (record.index < this.arrowList.length) continue;
      this.arrowList.push(toArrow(record));
    }
    if (reset || lifelinesChanged) return { kind: 'reset' };
    if (this.arrowList.length > from) return { kind: 'append', from };
    return stepChanged ? { kind: 'append', from: this.arrowList.length } : { kind: 'none' };
  }

  /** Whether more pages are waiting after the last `apply`. */
  get complete(): boolean {
    return !this.stale && this.arrowList.length >= this.total;
  }

  /** The index of the last arrow at or before the current moment, -1 if none. */
  currentArrow(): number {
    return lastAtOrBefore(this.arrowList, this.currentStep);
  }

  snapshot(): SequenceSnapshot {
    return { file: this.file, generation: this.generationSeen, currentStep: this.currentStep, lifelines: this.ordered, groups: this.spans, arrows: this.arrowList };
  }
}

/** Binary search: the last arrow whose moment is at or before `step`. */
export function lastAtOrBefore(arrows: readonly { readonly step: number }[], step: number): number {
  let low = 0;
  let high = arrows.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (arrows[mid]!.step <= step) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

function sameLifelines(a: readonly LifelineInfo[], b: readonly LifelineInfo[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.id !== b[i]!.id || a[i]!.name !== b[i]!.name) return false;
  return true;
}

/** The arguments of `kscn/goToMoment` for an arrow: the moment right after its event. */
export function momentOf(arrow: SequenceArrow): { eventIndex: number; at: 'after'; step: number } {
  return { eventIndex: arrow.eventIndex, at: 'after', step: arrow.step };
}
