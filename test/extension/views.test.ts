// The debug views' models without VS Code, over real kernel runs: the IPC sequence model (arrows
// in order with migration styles, lifelines grouped by machine and capability group, paging and
// generations), the webview's windowed rendering (layout math, and a bounded DOM and draw count
// with 10,000 events over a fake document), and the kernel objects tree items.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ViewsService, type IpcEventsBody } from '../../debug-adapter/views';
import { Kernel } from '../../kernel/kernel';
import { compile } from '../../language/core/index';
import { FETCH_PAGE, IpcModel, lastAtOrBefore, momentOf, orderLifelines } from '../../extension/views/ipcModel';
import { CONTEXT_WITH_LOCATION, KERNEL_OBJECTS_REQUEST, ObjectsModel, REVEAL_CREATING_LINE_COMMAND, treeItemOf } from '../../extension/views/objectsModel';
import {
  DEFAULT_METRICS,
  contentHeight,
  ellipsize,
  layoutRows,
  rowAt,
  scrollTopToReveal,
  visibleColumns,
  visibleRange,
} from '../../media/sequence/layout';
import { SequenceView, countNodes, type CanvasLike, type ContextLike, type ElementLike, type HostLike, type ViewArrow } from '../../media/sequence/view';

const ROOT = path.resolve(__dirname, '../..');
const ECHO = path.join(ROOT, 'examples/echo.kscn');

function run(file: string, text = readFileSync(file, 'utf8')): ViewsService {
  const program = compile(text, file).program!;
  const kernel = new Kernel(program, { seed: 1, record: true });
  const views = new ViewsService(kernel, program);
  kernel.run(10_000_000);
  return views;
}

/** The model after fetching every page the way the view does. */
function fetchAll(views: ViewsService, model = new IpcModel(), page = FETCH_PAGE): { model: IpcModel; requests: number } {
  let requests = 0;
  let request = model.nextRequest(views.changed());
  while (request) {
    requests++;
    model.apply(views.ipcEvents(request.start, Math.min(page, request.count)));
    if (model.complete) break;
    request = model.nextRequest();
  }
  return { model, requests };
}

describe('the IPC sequence model', () => {
  it('echo.kscn: six arrows in order, migrations dashed with the scheduling context, between the right lifelines', () => {
    const { model } = fetchAll(run(ECHO));
    const column = new Map(model.lifelines.map((l) => [l.id, l]));
    const arrows = model.arrows.map((a) => `${column.get(a.from)!.name} -${a.style}-> ${column.get(a.to)!.name}: ${a.label} [${a.sublabel}]`);
    const sc = /sc #\d+/.exec(model.arrows[0]!.sublabel!)![0];
    expect(arrows).toEqual([
      `client.main -dashed-> server.reg: register_client [${sc} (to-register)]`,
      `server.reg -dashed-> client.main: ipc_register_cb_return → 6 [${sc} (to-client)]`,
      `client.main -dashed-> server.handler: ipc_call [${sc} (to-server)]`,
      `server.handler -dashed-> client.main: ipc_return → 42 [${sc} (to-client)]`,
      `client.main -dashed-> server.handler: ipc_call [${sc} (to-server)]`,
      `server.handler -dashed-> client.main: ipc_return → 100 [${sc} (to-client)]`,
    ]);
    expect(model.arrows.map((a) => a.category)).toEqual(['call', 'return', 'call', 'return', 'call', 'return']);
    // Lifelines grouped by machine and capability group, in declaration order.
    expect(model.lifelines.map((l) => `${l.column}:${l.label}`)).toEqual(['0:main', '1:reg', '2:handler', '3:main']);
    expect(model.groups).toEqual([
      { label: 'board / server', first: 0, last: 2 },
      { label: 'board / client', first: 3, last: 3 },
    ]);
    // The moment of an arrow is the one right after its event.
    expect(momentOf(model.arrows[2]!)).toEqual({ eventIndex: model.arrows[2]!.eventIndex, at: 'after', step: model.arrows[2]!.step });
    expect(model.currentArrow()).toBe(5);
  });

  it('errors are red marks on one lifeline with the error name', () => {
    const { model } = fetchAll(run(path.join(ROOT, 'test/fixtures/debug/retry.kscn')));
    const error = model.arrows.find((a) => a.category === 'error')!;
    expect(error).toMatchObject({ style: 'mark', error: '-EIPCRETRY', label: 'register_client → -EIPCRETRY' });
    expect(error.from).toBe(error.to);
  });

  it('orders lifelines by machine, then group, a machine kernel after its threads', () => {
    const lines = orderLifelines([
      { id: -2, name: 'b kernel', group: 'kernel', groupId: 0, machine: 'b', machineIndex: 1, type: 'kernel' },
      { id: 9, name: 'app.main', group: 'app', groupId: 8, machine: 'b', machineIndex: 1, type: 'user' },
      { id: 5, name: 'srv.main', group: 'srv', groupId: 4, machine: 'a', machineIndex: 0, type: 'user' },
      { id: 3, name: 'cli.main', group: 'cli', groupId: 2, machine: 'a', machineIndex: 0, type: 'user' },
    ]);
    expect(lines.map((l) => l.name)).toEqual(['cli.main', 'srv.main', 'app.main', 'b kernel']);
  });

  it('merges pages, asks only for what is new, and starts again on a new generation', () => {
    const views = run(ECHO);
    const model = new IpcModel();
    expect(model.nextRequest(views.changed())).toEqual({ start: 0, count: FETCH_PAGE });
    expect(model.apply(views.ipcEvents(0, 4))).toEqual({ kind: 'reset' });
    expect(model.complete).toBe(false);
    expect(model.nextRequest()).toEqual({ start: 4, count: FETCH_PAGE });
    expect(model.apply(views.ipcEvents(4, 4))).toEqual({ kind: 'append', from: 4 });
    expect(model.complete).toBe(true);
    expect(model.nextRequest(views.changed())).toBeUndefined();
    // A page of an older list (another generation) is not merged into this one.
    const body = views.ipcEvents(0, 10);
    const newer: IpcEventsBody = { ...body, generation: body.generation + 1, events: body.events.slice(0, 2), total: 2 };
    expect(model.nextRequest({ total: 2, generation: newer.generation })).toEqual({ start: 0, count: FETCH_PAGE });
    expect(model.apply(newer)).toEqual({ kind: 'reset' });
    expect(model.arrows.map((a) => a.index)).toEqual([0, 1]);
    expect(model.apply({ ...body, start: 3, generation: newer.generation + 1, events: body.events.slice(3) })).toEqual({ kind: 'none' });
    expect(model.nextRequest()).toEqual({ start: 0, count: FETCH_PAGE });
  });

  it('takes a 10,000-event run in a few pages', () => {
    const text = readFileSync(ECHO, 'utf8').replace(/\n(\s*)let r = ipc_call/, '\n$1repeat 5000 {\n$1  let again = ipc_call(conn, data: [1])\n$1}\n$1let r = ipc_call');
    const views = run(ECHO, text);
    const { model, requests } = fetchAll(views);
    expect(model.arrows.length).toBeGreaterThanOrEqual(10_000);
    expect(requests).toBe(Math.ceil(model.arrows.length / FETCH_PAGE));
    expect(model.arrows.every((a, i) => a.index === i)).toBe(true);
  });

  it('finds the last arrow at or before a moment', () => {
    const arrows = [{ step: 3 }, { step: 5 }, { step: 5 }, { step: 9 }];
    expect([0, 3, 4, 5, 8, 9, 100].map((step) => lastAtOrBefore(arrows, step))).toEqual([-1, 0, 0, 2, 2, 3, 3]);
  });
});

describe('windowed rendering: layout math', () => {
  const m = DEFAULT_METRICS;

  it('computes the rows in view from the scroll position, with overscan, clamped to the list', () => {
    const viewport = m.headerHeight + 10 * m.rowHeight;
    expect(visibleRange(0, viewport, 10_000, m)).toEqual({ first: 0, end: 10 + m.overscan });
    const middle = visibleRange(5000 * m.rowHeight, viewport, 10_000, m);
    expect(middle).toEqual({ first: 5000 - m.overscan, end: 5010 + m.overscan });
    expect(visibleRange(contentHeight(10_000, m), viewport, 10_000, m).end).toBe(10_000);
    expect(visibleRange(0, viewport, 3, m)).toEqual({ first: 0, end: 3 });
    expect(visibleRange(0, viewport, 0, m)).toEqual({ first: 0, end: 0 });
    expect(contentHeight(10_000, m)).toBe(m.headerHeight + 10_000 * m.rowHeight);
  });

  it('hit-tests rows and reveals a row with the least scrolling', () => {
    expect(rowAt(m.headerHeight - 1, 0, 100, m)).toBe(-1);
    expect(rowAt(m.headerHeight + 1, 0, 100, m)).toBe(0);
    expect(rowAt(m.headerHeight + 2 * m.rowHeight + 1, 10 * m.rowHeight, 100, m)).toBe(12);
    expect(rowAt(m.headerHeight + 1, 100 * m.rowHeight, 100, m)).toBe(-1);
    const viewport = m.headerHeight + 10 * m.rowHeight;
    expect(scrollTopToReveal(5, 0, viewport, m)).toBe(0);
    expect(scrollTopToReveal(20, 0, viewport, m)).toBe(11 * m.rowHeight);
    expect(scrollTopToReveal(3, 50 * m.rowHeight, viewport, m)).toBe(3 * m.rowHeight);
  });

  it('lays out only the given rows: arrows between columns, marks on one, labels clipped', () => {
    const arrows = [
      { from: 1, to: 2, style: 'dashed' as const, category: 'call', label: 'ipc_call', sublabel: 'sc #16' },
      { from: 2, to: 2, style: 'mark' as const, category: 'error', label: 'x', error: '-EINVAL' },
      { from: 2, to: 1, style: 'solid' as const, category: 'mach', label: 'msg' },
    ];
    const columns = new Map([[1, 0], [2, 3]]);
    const rows = layoutRows(arrows, { first: 1, end: 3 }, columns, 0, 0, m);
    expect(rows.map((r) => [r.row, r.self, r.role, r.x1 > r.x2])).toEqual([
      [1, true, 'error', false],
      [2, false, 'mach', true],
    ]);
    expect(visibleColumns(100, 0, 3 * m.columnWidth, m).end).toBeLessThanOrEqual(5);
    const measure = (text: string) => text.length * 7;
    expect(ellipsize('ipc_register_cb_return → 6', 70, measure)).toBe('ipc_regis…');
    expect(ellipsize('short', 70, measure)).toBe('short');
  });
});

// A fake document: elements that keep their children, a canvas whose context counts drawing calls.
class FakeElement implements ElementLike {
  readonly style: Record<string, unknown> = {};
  textContent: string | null = null;
  className = '';
  title = '';
  readonly childNodes: FakeElement[] = [];
  readonly attributes = new Map<string, string>();
  readonly listeners = new Map<string, ((event: never) => void)[]>();
  scrollTop = 0;
  scrollLeft = 0;
  clientWidth = 600;
  clientHeight = 400;
  tabIndex = -1;
  constructor(readonly tag: string) {}
  appendChild(child: never): unknown {
    this.childNodes.push(child as FakeElement);
    return child;
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  addEventListener(type: string, listener: (event: never) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  dispatch(type: string, event: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event as never);
  }
  getBoundingClientRect() {
    return { left: 0, top: this.tag === 'div' && this.className === 'scroller' ? 20 : 0, width: this.clientWidth, height: this.clientHeight };
  }
}

class FakeCanvas extends FakeElement implements CanvasLike {
  width = 0;
  height = 0;
  readonly calls = new Map<string, number>();
  getContext(): ContextLike {
    const count = (name: string) => this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
    const handler: ProxyHandler<Record<string, unknown>> = {
      get: (target, key: string) => {
        if (key in target) return target[key];
        if (key === 'measureText') return (text: string) => ({ width: text.length * 7 });
        return () => count(key);
      },
      set: (target, key: string, value) => {
        target[key] = value;
        return true;
      },
    };
    return new Proxy({}, handler) as unknown as ContextLike;
  }
}

function fakeHost(): { host: HostLike; frames: (() => void)[]; root: FakeElement; canvases: FakeCanvas[] } {
  const frames: (() => void)[] = [];
  const canvases: FakeCanvas[] = [];
  const host: HostLike = {
    document: {
      createElement: (tag: string) => {
        if (tag === 'canvas') {
          const canvas = new FakeCanvas(tag);
          canvases.push(canvas);
          return canvas;
        }
        return new FakeElement(tag);
      },
    },
    getComputedStyle: () => ({ getPropertyValue: (name: string) => (name.startsWith('--kscn-') ? `var(${name})` : '') }),
    requestFrame: (callback) => frames.push(callback),
  };
  return { host, frames, root: new FakeElement('div'), canvases };
}

function arrowsOf(count: number): ViewArrow[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    step: index * 3,
    from: index % 2 === 0 ? 1 : 2,
    to: index % 2 === 0 ? 2 : 1,
    style: 'dashed' as const,
    category: index % 2 === 0 ? 'call' : 'return',
    label: index % 2 === 0 ? 'ipc_call' : 'ipc_return → 42',
    sublabel: 'sc #16',
    detail: `event ${index}`,
  }));
}

describe('windowed rendering: the webview with 10,000 events', () => {
  const lifelines = [
    { id: 1, label: 'main', name: 'client.main', column: 0 },
    { id: 2, label: 'handler', name: 'server.handler', column: 1 },
  ];
  const groups = [{ label: 'board / client', first: 0, last: 0 }, { label: 'board / server', first: 1, last: 1 }];

  it('keeps a fixed, small DOM and draws only the rows in view', () => {
    const { host, frames, root, canvases } = fakeHost();
    const view = new SequenceView(root, host);
    const flush = () => {
      while (frames.length > 0) frames.shift()!();
    };
    flush();
    const empty = countNodes(root);
    view.setData({ lifelines, groups, arrows: arrowsOf(10_000), currentStep: 3 * 9_999 });
    flush();
    expect(countNodes(root)).toBe(empty);
    expect(countNodes(root)).toBeLessThanOrEqual(6);
    const scroller = root.childNodes[1]!;
    const perScreen = Math.ceil((scroller.clientHeight - DEFAULT_METRICS.headerHeight) / DEFAULT_METRICS.rowHeight) + 2 * DEFAULT_METRICS.overscan;
    // Revealing the current moment scrolled to the end.
    expect(view.drawn.end).toBe(10_000);
    expect(view.drawn.rows).toBeLessThanOrEqual(perScreen);
    expect((root.childNodes[0] as FakeElement).textContent).toContain('10000 IPC events');
    expect(root.attributes.get('data-total')).toBe('10000');
    // Text drawn per frame: bounded by the rows and lifelines in view, not by the events.
    const canvas = canvases[0]!;
    expect(canvas.calls.get('fillText')!).toBeLessThan(3 * perScreen + 10);
    // Scroll to the middle: still bounded, and those rows are the ones drawn.
    scroller.scrollTop = 5000 * DEFAULT_METRICS.rowHeight;
    scroller.dispatch('scroll', {});
    canvas.calls.clear();
    flush();
    expect(view.drawn.first).toBeLessThanOrEqual(5000);
    expect(view.drawn.end).toBeGreaterThan(5000);
    expect(view.drawn.rows).toBeLessThanOrEqual(perScreen);
    expect(canvas.calls.get('fillText')!).toBeLessThan(3 * perScreen + 10);
    // Appending more keeps the DOM as it is.
    view.append(arrowsOf(10_100).slice(10_000), 3 * 10_099);
    flush();
    expect(countNodes(root)).toBe(empty);
    expect(view.arrowCount).toBe(10_100);
  });

  it('a click selects the arrow under the pointer and reports it; keys move the selection', () => {
    const { host, frames, root } = fakeHost();
    const view = new SequenceView(root, host);
    const chosen: number[] = [];
    view.onSelect = (arrow) => chosen.push(arrow.index);
    view.setData({ lifelines, groups, arrows: arrowsOf(100), currentStep: 0 });
    while (frames.length > 0) frames.shift()!();
    const scroller = root.childNodes[1] as FakeElement;
    scroller.scrollTop = 40 * DEFAULT_METRICS.rowHeight;
    // The scroller's top is at 20 in the fake: row 42 is 2.5 rows below the header.
    scroller.dispatch('click', { clientX: 100, clientY: 20 + DEFAULT_METRICS.headerHeight + 2.5 * DEFAULT_METRICS.rowHeight });
    expect(chosen).toEqual([42]);
    expect(view.selectedIndex).toBe(42);
    scroller.dispatch('keydown', { key: 'ArrowDown', preventDefault: () => undefined });
    expect(view.selectedIndex).toBe(43);
    scroller.dispatch('keydown', { key: 'Enter', preventDefault: () => undefined });
    expect(chosen).toEqual([42, 43]);
    // A click on the header hits nothing.
    scroller.dispatch('click', { clientX: 100, clientY: 25 });
    expect(chosen).toEqual([42, 43]);
  });
});

describe('the kernel objects tree items', () => {
  it('show the connection with both ends, each able to reveal its creating line', () => {
    const model = new ObjectsModel();
    model.apply(run(ECHO).kernelObjects());
    const connection = model.all().find((node) => node.kind === 'connection')!;
    const item = treeItemOf(connection);
    expect(item).toMatchObject({ label: 'connection #17: client → server', collapsible: 'collapsed', icon: 'plug', contextValue: CONTEXT_WITH_LOCATION });
    expect(item.tooltip).toContain(`Created at echo.kscn:${connection.loc!.line}`);
    const ends = model.children(connection.id).map(treeItemOf);
    expect(ends.map((end) => [end.label, end.collapsible, end.contextValue])).toEqual([
      ['client end: client[6]', 'none', CONTEXT_WITH_LOCATION],
      ['server end: server[6]', 'none', CONTEXT_WITH_LOCATION],
    ]);
    expect(model.parentOf(ends[0]!.id)?.id).toBe(connection.id);
    expect(model.roots.map((root) => treeItemOf(root).collapsible)).toEqual(['expanded', 'expanded']);
    // Ids are stable across stops, so VS Code keeps what the user expanded.
    const again = new ObjectsModel();
    again.apply(run(ECHO).kernelObjects());
    expect(again.all().map((n) => n.id)).toEqual(model.all().map((n) => n.id));
    expect(new Set(model.all().map((n) => n.id)).size).toBe(model.all().length);
  });
});


describe('the views in the manifest and the adapter', () => {
  it('contribute both views to Run and Debug with the ids the extension registers, and the request names match the adapter', async () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      contributes: { views: Record<string, { id: string; type?: string; when?: string }[]>; menus: Record<string, { command: string; when?: string; group?: string }[]> };
    };
    const debug = manifest.contributes.views.debug!;
    const source = (file: string) => readFileSync(path.join(ROOT, 'extension/views', file), 'utf8');
    const sequenceId = /SEQUENCE_VIEW_ID = '([^']+)'/.exec(source('sequenceView.ts'))![1];
    const objectsId = /OBJECTS_VIEW_ID = '([^']+)'/.exec(source('objectsView.ts'))![1];
    expect(debug.find((view) => view.id === sequenceId)).toMatchObject({ type: 'webview', when: "debugType == 'kscn'" });
    expect(debug.find((view) => view.id === objectsId)).toMatchObject({ when: "debugType == 'kscn'" });
    const inline = manifest.contributes.menus['view/item/context']!.find((item) => item.group === 'inline')!;
    expect(inline.command).toBe(REVEAL_CREATING_LINE_COMMAND);
    expect(inline.when).toContain(`view == ${objectsId}`);
    expect(inline.when).toContain(`viewItem == ${CONTEXT_WITH_LOCATION}`);
    const adapter = await import('../../debug-adapter/views');
    const model = await import('../../extension/views/ipcModel');
    expect([model.IPC_EVENTS_REQUEST, model.IPC_EVENTS_CHANGED_EVENT]).toEqual([adapter.IPC_EVENTS_REQUEST, adapter.IPC_EVENTS_CHANGED_EVENT]);
    expect(KERNEL_OBJECTS_REQUEST).toBe(adapter.KERNEL_OBJECTS_REQUEST);
  });

  it('the stylesheet takes every colour from the theme', () => {
    const css = readFileSync(path.join(ROOT, 'media/sequence/sequence.css'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    expect(css).not.toMatch(/#[0-9a-f]{3,8}\b|rgba?\(|hsla?\(/i);
    for (const role of ['call', 'return', 'error', 'mach', 'flipc', 'tock']) expect(css).toMatch(new RegExp(`--kscn-${role}: var\\(--vscode-`));
    const view = readFileSync(path.join(ROOT, 'media/sequence/view.ts'), 'utf8');
    expect(view).not.toMatch(/'#[0-9a-f]{3,8}'|rgba?\(/i);
  });
});
