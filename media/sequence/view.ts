// The IPC sequence view inside the webview: a fixed, small set of DOM nodes (a status line, a
// scroller with a spacer as tall as all rows, and one canvas over it) whatever the number of
// events. Each frame draws only the rows and lifelines in view (layout.ts). Colours come from the
// theme: the stylesheet maps `--kscn-*` roles to `--vscode-*` variables and the canvas reads them.
//
// Written against the few DOM members it uses (no DOM library types), so tests can run it over a
// fake document.

import {
  DEFAULT_METRICS,
  contentHeight,
  contentWidth,
  ellipsize,
  fitColumns,
  layoutRows,
  rowAt,
  scrollTopToReveal,
  visibleColumns,
  visibleRange,
  type ArrowLike,
  type Metrics,
  type RowLayout,
} from './layout';

export interface StyleLike {
  [property: string]: unknown;
}

export interface ElementLike {
  readonly style: StyleLike;
  textContent: string | null;
  className: string;
  title: string;
  readonly childNodes: ArrayLike<unknown>;
  appendChild(child: never): unknown;
  setAttribute(name: string, value: string): void;
  addEventListener(type: string, listener: (event: never) => void, options?: unknown): void;
  getBoundingClientRect(): { readonly left: number; readonly top: number; readonly width: number; readonly height: number };
  scrollTop: number;
  scrollLeft: number;
  readonly clientWidth: number;
  readonly clientHeight: number;
  tabIndex: number;
}

export interface ContextLike {
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  font: string;
  globalAlpha: number;
  textBaseline: string;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  closePath(): void;
  stroke(): void;
  fill(): void;
  arc(x: number, y: number, r: number, start: number, end: number): void;
  setLineDash(segments: number[]): void;
  fillText(text: string, x: number, y: number): void;
  measureText(text: string): { readonly width: number };
}

export interface CanvasLike extends ElementLike {
  width: number;
  height: number;
  getContext(kind: '2d'): ContextLike | null;
}

export interface DocumentLike {
  createElement(tag: string): ElementLike;
}

export interface HostLike {
  readonly document: DocumentLike;
  getComputedStyle(element: ElementLike): { getPropertyValue(name: string): string; readonly color?: string };
  /** Schedules a draw (requestAnimationFrame in the webview). */
  requestFrame(callback: () => void): void;
  readonly devicePixelRatio?: number;
}

export interface ViewLifeline {
  readonly id: number;
  readonly label: string;
  readonly name: string;
  readonly column: number;
}

export interface ViewGroup {
  readonly label: string;
  readonly first: number;
  readonly last: number;
}

export interface ViewArrow extends ArrowLike {
  readonly index: number;
  readonly step: number;
  readonly detail: string;
}

export interface ViewData {
  readonly lifelines: readonly ViewLifeline[];
  readonly groups: readonly ViewGroup[];
  readonly arrows: readonly ViewArrow[];
  readonly currentStep: number;
}

const ROLES = ['call', 'return', 'error', 'mach', 'flipc', 'tock', 'other'] as const;

interface Theme {
  readonly role: Record<string, string>;
  readonly text: string;
  readonly muted: string;
  readonly lifeline: string;
  readonly header: string;
  readonly selection: string;
  readonly current: string;
  readonly font: string;
}

export class SequenceView {
  readonly status: ElementLike;
  readonly scroller: ElementLike;
  readonly spacer: ElementLike;
  readonly canvas: CanvasLike;
  private readonly context: ContextLike | null;
  private lifelines: readonly ViewLifeline[] = [];
  private groups: readonly ViewGroup[] = [];
  private arrows: ViewArrow[] = [];
  private columnOf = new Map<number, number>();
  private currentStep = 0;
  private selected = -1;
  private scheduled = false;
  private theme: Theme | undefined;
  private message = 'Start debugging a scenario to see its IPC.';
  /** The base metrics with columns fitted to the width. */
  private metrics: Metrics;
  /** What the last frame drew (tests, status). */
  drawn = { rows: 0, columns: 0, first: 0, end: 0 };
  /** Called with the arrow a click or Enter chose. */
  onSelect: (arrow: ViewArrow) => void = () => undefined;

  constructor(
    readonly root: ElementLike,
    private readonly host: HostLike,
    private readonly baseMetrics: Metrics = DEFAULT_METRICS,
  ) {
    this.metrics = baseMetrics;
    const doc = host.document;
    this.status = doc.createElement('div');
    this.status.className = 'status';
    this.status.setAttribute('role', 'status');
    this.scroller = doc.createElement('div');
    this.scroller.className = 'scroller';
    this.scroller.tabIndex = 0;
    this.scroller.setAttribute('aria-label', 'IPC sequence: arrow keys move between events, Enter goes to the moment');
    this.spacer = doc.createElement('div');
    this.spacer.className = 'spacer';
    this.canvas = doc.createElement('canvas') as CanvasLike;
    this.canvas.className = 'canvas';
    this.scroller.appendChild(this.spacer as never);
    root.appendChild(this.status as never);
    root.appendChild(this.scroller as never);
    root.appendChild(this.canvas as never);
    this.context = this.canvas.getContext('2d');
    this.scroller.addEventListener('scroll', () => this.invalidate(), { passive: true });
    this.scroller.addEventListener('click', (event: { clientY: number }) => this.click(event.clientY));
    this.scroller.addEventListener('mousemove', (event: { clientX: number; clientY: number }) => this.hover(event.clientY));
    this.scroller.addEventListener('keydown', (event: { key: string; preventDefault(): void }) => this.key(event));
    this.updateStatus();
  }

  /** Everything new (a new session, the adapter's list changed generation). */
  setData(data: ViewData): void {
    this.lifelines = data.lifelines;
    this.groups = data.groups;
    this.arrows = [...data.arrows];
    this.columnOf = new Map(data.lifelines.map((line) => [line.id, line.column]));
    this.currentStep = data.currentStep;
    if (this.selected >= this.arrows.length) this.selected = -1;
    this.message = '';
    this.resize();
    this.revealCurrent();
    this.invalidate();
  }

  /** Arrows appended to the end (a stop further on); lifelines when they changed. */
  append(arrows: readonly ViewArrow[], currentStep: number, lifelines?: readonly ViewLifeline[], groups?: readonly ViewGroup[]): void {
    for (const arrow of arrows) if (arrow.index === this.arrows.length) this.arrows.push(arrow);
    if (lifelines) {
      this.lifelines = lifelines;
      this.columnOf = new Map(lifelines.map((line) => [line.id, line.column]));
    }
    if (groups) this.groups = groups;
    this.currentStep = currentStep;
    this.message = '';
    this.resize();
    this.revealCurrent();
    this.invalidate();
  }

  /** A message instead of arrows (no session, an error). */
  showMessage(message: string): void {
    this.message = message;
    this.updateStatus();
  }

  get arrowCount(): number {
    return this.arrows.length;
  }

  get selectedIndex(): number {
    return this.selected;
  }

  /** Re-reads the theme's colours (the webview calls this when the theme changes). */
  refreshTheme(): void {
    this.theme = undefined;
    this.invalidate();
  }

  /** The sizes changed (the view was resized). */
  resize(): void {
    this.metrics = fitColumns(this.baseMetrics, this.scroller.clientWidth, this.lifelines.length);
    this.spacer.style.height = `${contentHeight(this.arrows.length, this.metrics)}px`;
    this.spacer.style.width = `${contentWidth(this.lifelines.length, this.metrics)}px`;
    this.invalidate();
  }

  invalidate(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.host.requestFrame(() => {
      this.scheduled = false;
      this.draw();
    });
  }

  /** The last arrow at or before the current moment. */
  currentArrow(): number {
    let low = 0;
    let high = this.arrows.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (this.arrows[mid]!.step <= this.currentStep) {
        found = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    return found;
  }

  revealRow(row: number): void {
    if (row < 0 || row >= this.arrows.length) return;
    const top = scrollTopToReveal(row, this.scroller.scrollTop, this.scroller.clientHeight, this.metrics);
    if (top !== this.scroller.scrollTop) this.scroller.scrollTop = top;
  }

  private revealCurrent(): void {
    this.revealRow(this.currentArrow());
  }

  select(row: number, notify: boolean): void {
    if (row < 0 || row >= this.arrows.length) return;
    this.selected = row;
    this.revealRow(row);
    this.invalidate();
    if (notify) this.onSelect(this.arrows[row]!);
  }

  private click(clientY: number): void {
    const box = this.scroller.getBoundingClientRect();
    const row = rowAt(clientY - box.top, this.scroller.scrollTop, this.arrows.length, this.metrics);
    if (row >= 0) this.select(row, true);
  }

  private hover(clientY: number): void {
    const box = this.scroller.getBoundingClientRect();
    const row = rowAt(clientY - box.top, this.scroller.scrollTop, this.arrows.length, this.metrics);
    const arrow = row >= 0 ? this.arrows[row] : undefined;
    const title = arrow ? `#${arrow.index} ${arrow.label}${arrow.sublabel ? ` — ${arrow.sublabel}` : ''}\n${arrow.detail}\nClick: go to this moment` : '';
    if (this.scroller.title !== title) this.scroller.title = title;
  }

  private key(event: { key: string; preventDefault(): void }): void {
    const last = this.arrows.length - 1;
    if (last < 0) return;
    const page = Math.max(1, Math.floor((this.scroller.clientHeight - this.metrics.headerHeight) / this.metrics.rowHeight) - 1);
    const from = this.selected >= 0 ? this.selected : this.currentArrow();
    const moves: Record<string, number> = { ArrowDown: from + 1, ArrowUp: from - 1, PageDown: from + page, PageUp: from - page, Home: 0, End: last };
    if (event.key in moves) {
      event.preventDefault();
      this.select(Math.max(0, Math.min(last, moves[event.key]!)), false);
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      if (this.selected >= 0) this.onSelect(this.arrows[this.selected]!);
    }
  }

  private readTheme(): Theme {
    if (this.theme) return this.theme;
    const style = this.host.getComputedStyle(this.root);
    const read = (name: string) => style.getPropertyValue(name).trim();
    const text = read('--kscn-text') || style.color || '';
    const role: Record<string, string> = {};
    for (const name of ROLES) role[name] = read(`--kscn-${name}`) || text;
    const size = read('--kscn-font-size') || '12px';
    const family = read('--kscn-font-family') || 'sans-serif';
    this.theme = {
      role,
      text,
      muted: read('--kscn-muted') || text,
      lifeline: read('--kscn-lifeline') || text,
      header: read('--kscn-header') || '',
      selection: read('--kscn-selection') || '',
      current: read('--kscn-current') || '',
      font: `${size} ${family}`,
    };
    return this.theme;
  }

  private updateStatus(): void {
    const total = this.arrows.length;
    let text: string;
    if (this.message) text = this.message;
    else if (total === 0) text = 'No IPC events yet.';
    else {
      const current = this.currentArrow();
      text = `${total} IPC event${total === 1 ? '' : 's'} · rows ${this.drawn.first + 1}–${this.drawn.end} in view · now after #${current >= 0 ? current : '–'} (step ${this.currentStep})`;
    }
    if (this.status.textContent !== text) this.status.textContent = text;
    this.root.setAttribute('data-total', String(total));
    this.root.setAttribute('data-drawn-rows', String(this.drawn.rows));
  }

  /** A row's label: right of the arrow's start if it fits, else ending at the arrow's end, else clipped. */
  private label(ctx: ContextLike, text: string, r: RowLayout, y: number, rightEnd: number, measure: (text: string) => number): void {
    const width = measure(text);
    if (width <= r.labelWidth || r.leftRoom <= r.labelWidth) {
      ctx.fillText(ellipsize(text, r.labelWidth, measure), r.labelX, y);
    } else if (width <= r.leftRoom) {
      ctx.fillText(text, rightEnd - width, y);
    } else {
      ctx.fillText(ellipsize(text, r.leftRoom, measure), this.metrics.gutter, y);
    }
  }

  /** Draws the rows and lifelines in view. */
  draw(): void {
    const ctx = this.context;
    const width = Math.max(0, this.scroller.clientWidth);
    const height = Math.max(0, this.scroller.clientHeight);
    const ratio = this.host.devicePixelRatio ?? 1;
    const offset = this.scroller.getBoundingClientRect().top - this.root.getBoundingClientRect().top;
    if (this.canvas.style.top !== `${offset}px`) this.canvas.style.top = `${offset}px`;
    if (this.canvas.width !== Math.round(width * ratio) || this.canvas.height !== Math.round(height * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
    }
    const fitted = fitColumns(this.baseMetrics, width, this.lifelines.length);
    if (fitted.columnWidth !== this.metrics.columnWidth) {
      this.metrics = fitted;
      this.spacer.style.width = `${contentWidth(this.lifelines.length, fitted)}px`;
    }
    const m = this.metrics;
    const scrollTop = this.scroller.scrollTop;
    const scrollLeft = this.scroller.scrollLeft;
    const range = visibleRange(scrollTop, height, this.arrows.length, m);
    const columns = visibleColumns(this.lifelines.length, scrollLeft, width, m);
    const rows = layoutRows(this.arrows, range, this.columnOf, scrollTop, scrollLeft, m, width);
    this.drawn = { rows: rows.length, columns: columns.end - columns.first, first: range.first, end: range.end };
    this.updateStatus();
    if (!ctx) return;
    const theme = this.readTheme();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = theme.font;
    ctx.textBaseline = 'middle';
    const current = this.currentArrow();
    const measure = (text: string) => ctx.measureText(text).width;

    // Row backgrounds: the current moment and the selection.
    for (const [row, colour] of [[current, theme.current], [this.selected, theme.selection]] as const) {
      if (row < range.first || row >= range.end || !colour) continue;
      const y = m.headerHeight + row * m.rowHeight - scrollTop;
      ctx.globalAlpha = 1;
      ctx.fillStyle = colour;
      ctx.fillRect(0, y, width, m.rowHeight);
    }

    // Lifelines.
    ctx.strokeStyle = theme.lifeline;
    ctx.lineWidth = 1;
    ctx.setLineDash([]);
    for (let column = columns.first; column < columns.end; column++) {
      const x = Math.round(m.gutter + column * m.columnWidth + m.columnWidth / 2 - scrollLeft) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, m.headerHeight);
      ctx.lineTo(x, height);
      ctx.stroke();
    }

    // Arrows.
    for (const r of rows) {
      const future = r.row > current;
      const colour = theme.role[r.role] ?? theme.text;
      ctx.globalAlpha = future ? 0.45 : 1;
      ctx.strokeStyle = colour;
      ctx.fillStyle = colour;
      ctx.lineWidth = r.role === 'error' ? 2 : 1.5;
      ctx.fillStyle = theme.muted;
      ctx.fillText(`#${r.row}`, 6, r.y);
      ctx.fillStyle = colour;
      if (r.self) {
        ctx.setLineDash([]);
        ctx.beginPath();
        if (r.role === 'error') {
          // A cross on the lifeline.
          ctx.moveTo(r.x1 - 5, r.y - 5);
          ctx.lineTo(r.x1 + 5, r.y + 5);
          ctx.moveTo(r.x1 + 5, r.y - 5);
          ctx.lineTo(r.x1 - 5, r.y + 5);
          ctx.stroke();
        } else {
          ctx.arc(r.x1, r.y, 4, 0, Math.PI * 2);
          ctx.fill();
        }
        this.label(ctx, r.label, r, r.y, r.self ? r.x1 - 10 : r.x1, measure);
        continue;
      }
      ctx.setLineDash(r.style === 'dashed' ? [6, 4] : []);
      ctx.beginPath();
      ctx.moveTo(r.x1, r.y + 5);
      ctx.lineTo(r.x2, r.y + 5);
      ctx.stroke();
      ctx.setLineDash([]);
      const direction = r.x2 > r.x1 ? 1 : -1;
      ctx.beginPath();
      ctx.moveTo(r.x2, r.y + 5);
      ctx.lineTo(r.x2 - direction * 8, r.y + 1);
      ctx.lineTo(r.x2 - direction * 8, r.y + 9);
      ctx.closePath();
      ctx.fill();
      const label = r.sublabel ? `${r.label}  ·  ${r.sublabel}` : r.label;
      this.label(ctx, label, r, r.y - 5, Math.max(r.x1, r.x2) - 6, measure);
    }
    ctx.globalAlpha = 1;

    // Header: group spans, then lifeline names, over the rows.
    if (theme.header) {
      ctx.fillStyle = theme.header;
      ctx.fillRect(0, 0, width, m.headerHeight);
    } else ctx.clearRect(0, 0, width, m.headerHeight);
    ctx.fillStyle = theme.muted;
    for (const group of this.groups) {
      if (group.last < columns.first || group.first >= columns.end) continue;
      const x = m.gutter + group.first * m.columnWidth - scrollLeft;
      const w = (group.last - group.first + 1) * m.columnWidth;
      ctx.fillText(ellipsize(group.label, w - 8, measure), x + 4, m.headerHeight * 0.28);
    }
    ctx.fillStyle = theme.text;
    for (let column = columns.first; column < columns.end; column++) {
      const line = this.lifelines[column];
      if (!line) continue;
      const name = ellipsize(line.label, m.columnWidth - 8, measure);
      const x = m.gutter + column * m.columnWidth + m.columnWidth / 2 - scrollLeft - measure(name) / 2;
      ctx.fillText(name, x, m.headerHeight * 0.7);
    }
    ctx.strokeStyle = theme.lifeline;
    ctx.beginPath();
    ctx.moveTo(0, m.headerHeight - 0.5);
    ctx.lineTo(width, m.headerHeight - 0.5);
    ctx.stroke();
  }
}

/** DOM nodes under an element, itself included (tests). */
export function countNodes(element: { readonly childNodes: ArrayLike<unknown> }): number {
  let count = 1;
  for (let i = 0; i < element.childNodes.length; i++) count += countNodes(element.childNodes[i] as { readonly childNodes: ArrayLike<unknown> });
  return count;
}
