// The IPC sequence view's geometry, pure: which rows are in view for a scroll position, where
// lifelines and arrows go, what a click hits, how far to scroll to reveal a row. The webview
// (view.ts) draws only what `layoutRows` returns, so the work per frame is bounded by the
// viewport, not by the number of events.

export interface Metrics {
  /** Height of one event row. */
  readonly rowHeight: number;
  /** The lifeline header (group and thread names) drawn above the rows. */
  readonly headerHeight: number;
  readonly columnWidth: number;
  /** Left margin before the first lifeline (row numbers). */
  readonly gutter: number;
  /** Rows drawn beyond each edge of the viewport. */
  readonly overscan: number;
}

export const DEFAULT_METRICS: Metrics = { rowHeight: 26, headerHeight: 44, columnWidth: 150, gutter: 34, overscan: 4 };

/** The narrowest a lifeline column gets before the view scrolls sideways. */
export const MIN_COLUMN_WIDTH = 56;

/** Metrics whose columns share the viewport's width (between MIN_COLUMN_WIDTH and the base width). */
export function fitColumns(base: Metrics, viewportWidth: number, lifelines: number): Metrics {
  if (lifelines <= 0 || viewportWidth <= 0) return base;
  const share = Math.floor((viewportWidth - base.gutter) / lifelines);
  const columnWidth = Math.max(MIN_COLUMN_WIDTH, Math.min(base.columnWidth, share));
  return columnWidth === base.columnWidth ? base : { ...base, columnWidth };
}

export interface RowRange {
  /** First row drawn. */
  readonly first: number;
  /** One past the last row drawn. */
  readonly end: number;
}

/** Height of the scrollable content: the header plus one row per arrow. */
export function contentHeight(rows: number, m: Metrics = DEFAULT_METRICS): number {
  return m.headerHeight + rows * m.rowHeight;
}

export function contentWidth(lifelines: number, m: Metrics = DEFAULT_METRICS): number {
  return m.gutter + Math.max(1, lifelines) * m.columnWidth;
}

/** The rows in view (plus overscan) for a scroll position; empty when there are none. */
export function visibleRange(scrollTop: number, viewportHeight: number, rows: number, m: Metrics = DEFAULT_METRICS): RowRange {
  if (rows <= 0 || viewportHeight <= 0) return { first: 0, end: 0 };
  const top = Math.max(0, scrollTop);
  const first = Math.max(0, Math.floor(top / m.rowHeight) - m.overscan);
  const end = Math.min(rows, Math.ceil((top + Math.max(0, viewportHeight - m.headerHeight)) / m.rowHeight) + m.overscan);
  return { first: Math.min(first, rows), end: Math.max(end, Math.min(first, rows)) };
}

/** The largest useful scrollTop. */
export function maxScrollTop(rows: number, viewportHeight: number, m: Metrics = DEFAULT_METRICS): number {
  return Math.max(0, contentHeight(rows, m) - viewportHeight);
}

/** Vertical centre of a row in viewport coordinates. */
export function rowCentreY(row: number, scrollTop: number, m: Metrics = DEFAULT_METRICS): number {
  return m.headerHeight + row * m.rowHeight - scrollTop + m.rowHeight / 2;
}

/** Horizontal centre of a lifeline column in viewport coordinates. */
export function columnX(column: number, scrollLeft = 0, m: Metrics = DEFAULT_METRICS): number {
  return m.gutter + column * m.columnWidth + m.columnWidth / 2 - scrollLeft;
}

/** The row under a viewport point, or -1 (the header, below the last row). */
export function rowAt(y: number, scrollTop: number, rows: number, m: Metrics = DEFAULT_METRICS): number {
  if (y < m.headerHeight) return -1;
  const row = Math.floor((y - m.headerHeight + scrollTop) / m.rowHeight);
  return row >= 0 && row < rows ? row : -1;
}

/** The scrollTop that brings a row into view, changing the current one as little as possible. */
export function scrollTopToReveal(row: number, scrollTop: number, viewportHeight: number, m: Metrics = DEFAULT_METRICS): number {
  const top = row * m.rowHeight;
  const visible = Math.max(m.rowHeight, viewportHeight - m.headerHeight);
  if (top < scrollTop) return top;
  if (top + m.rowHeight > scrollTop + visible) return top + m.rowHeight - visible;
  return scrollTop;
}

export interface ArrowLike {
  readonly from: number;
  readonly to: number;
  readonly style: 'solid' | 'dashed' | 'mark';
  readonly category: string;
  readonly label: string;
  readonly sublabel?: string;
  readonly error?: string;
}

export interface RowLayout {
  readonly row: number;
  readonly y: number;
  readonly x1: number;
  readonly x2: number;
  /** A mark on one lifeline (errors, kobject calls, events with no other end). */
  readonly self: boolean;
  readonly style: 'solid' | 'dashed' | 'mark';
  /** The colour role (a CSS variable of the view: `--kscn-call`, `--kscn-error`, ...). */
  readonly role: string;
  readonly label: string;
  readonly sublabel?: string;
  /** Where the label starts and how wide it may be (to the right of the arrow's left end; a row holds one arrow, so the row is free). */
  readonly labelX: number;
  readonly labelWidth: number;
  /** Room to the left of the arrow's right end, for a label that does not fit on the right. */
  readonly leftRoom: number;
}

export function colourRole(arrow: ArrowLike): string {
  if (arrow.error !== undefined || arrow.category === 'error') return 'error';
  switch (arrow.category) {
    case 'call':
    case 'return':
    case 'mach':
    case 'flipc':
    case 'tock':
      return arrow.category;
    default:
      return 'other';
  }
}

/** The drawing instructions for the rows in `range`; lifelines without a column are skipped. */
export function layoutRows(
  arrows: readonly ArrowLike[],
  range: RowRange,
  columnOf: ReadonlyMap<number, number>,
  scrollTop: number,
  scrollLeft: number,
  m: Metrics = DEFAULT_METRICS,
  viewportWidth = Number.POSITIVE_INFINITY,
): RowLayout[] {
  const rows: RowLayout[] = [];
  for (let row = range.first; row < range.end; row++) {
    const arrow = arrows[row];
    if (!arrow) continue;
    const fromColumn = columnOf.get(arrow.from);
    const toColumn = columnOf.get(arrow.to) ?? fromColumn;
    if (fromColumn === undefined || toColumn === undefined) continue;
    const x1 = columnX(fromColumn, scrollLeft, m);
    const x2 = columnX(toColumn, scrollLeft, m);
    const self = fromColumn === toColumn;
    const left = Math.min(x1, x2);
    const labelX = self ? x1 + 14 : left + 6;
    const span = self ? m.columnWidth * 2 - 20 : Math.max(m.columnWidth - 12, Math.abs(x2 - x1) - 12);
    const labelWidth = Number.isFinite(viewportWidth) ? Math.max(span, viewportWidth - labelX - 4) : span;
    const leftRoom = Math.max(0, (self ? x1 - 10 : Math.max(x1, x2) - 6) - m.gutter);
    rows.push({
      row,
      y: rowCentreY(row, scrollTop, m),
      x1,
      x2,
      self,
      style: self ? 'mark' : arrow.style,
      role: colourRole(arrow),
      label: arrow.label,
      ...(arrow.sublabel !== undefined ? { sublabel: arrow.sublabel } : {}),
      labelX,
      labelWidth,
      leftRoom,
    });
  }
  return rows;
}

/** Lifeline columns in view, for drawing their vertical lines and names. */
export function visibleColumns(lifelines: number, scrollLeft: number, viewportWidth: number, m: Metrics = DEFAULT_METRICS): RowRange {
  if (lifelines <= 0) return { first: 0, end: 0 };
  const first = Math.max(0, Math.floor((scrollLeft - m.gutter) / m.columnWidth));
  const end = Math.min(lifelines, Math.ceil((scrollLeft + viewportWidth - m.gutter) / m.columnWidth) + 1);
  return { first, end: Math.max(first, end) };
}

/** Shortens text to fit `width` pixels, given a measure function (the canvas's measureText). */
export function ellipsize(text: string, width: number, measure: (text: string) => number): string {
  if (width <= 0) return '';
  if (measure(text) <= width) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (measure(`${text.slice(0, mid)}…`) <= width) low = mid;
    else high = mid - 1;
  }
  return low > 0 ? `${text.slice(0, low)}…` : '';
}
