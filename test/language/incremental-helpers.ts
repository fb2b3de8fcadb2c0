// Helpers for the incremental-analysis tests: a complete, comparable snapshot of an analysis (tree,
// diagnostics, symbols, scopes, boot slots, the checker's model and the lowered program), random
// edits, and a seeded random number generator.

import { lower, type Analysis, type Range, type Scope, type SymbolDeclaration } from '../../language/core/index';

/** A deterministic PRNG (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const replacer = (_key: string, value: unknown): unknown => (value instanceof Uint8Array ? Array.from(value) : value);

type Ranged = { readonly range: Range };

function span(node: Ranged | undefined): string {
  if (node === undefined) return '-';
  const { start, end } = node.range;
  return `${start.offset}@${start.line}:${start.column}-${end.offset}@${end.line}:${end.column}`;
}

function declaration(d: SymbolDeclaration | undefined): unknown {
  if (d === undefined) return null;
  return [d.id, d.name, d.kind, span(d), span({ range: d.nameRange }), d.container ?? null, d.detail, d.bootSlot ?? null, d.valueKind ?? null, d.frameSlot ?? null, d.node.kind, span(d.node as Ranged)];
}

function scope(s: Scope): unknown {
  return { start: s.start, end: s.end, entries: s.entries.map((e) => [e.declaration.id, e.visibleFrom]), children: s.children.map(scope) };
}

/** Everything an analysis holds, as text; two analyses of the same text must give the same. */
export function snapshot(analysis: Analysis): Record<string, string> {
  const { model, symbols } = analysis;
  const ids = (d: SymbolDeclaration | undefined) => d?.id ?? null;
  const mapEntries = <K extends Ranged, V>(map: ReadonlyMap<K, V>, value: (v: V) => unknown) =>
    [...map.entries()].map(([k, v]) => [span(k), value(v)] as [string, unknown]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return {
    text: analysis.text,
    lines: JSON.stringify(analysis.lines.lineStarts),
    ast: JSON.stringify(analysis.ast, replacer),
    diagnostics: JSON.stringify(analysis.diagnostics),
    declarations: JSON.stringify(symbols.declarations.map(declaration)),
    references: JSON.stringify(symbols.references.map((r) => [span(r), r.declaration.id, symbols.declarations[r.declaration.id] === r.declaration])),
    calls: JSON.stringify(symbols.calls.map((c) => [span(c.call), c.callee?.kind ?? null, c.callee?.spec.name ?? null, c.argumentParameters])),
    bootSlots: JSON.stringify([...symbols.bootSlots.entries()].map(([name, slots]) => [name, slots.map((s) => [s.slot, s.name, s.origin, ids(s.target), span(s)])])),
    scopes: JSON.stringify(scope(symbols.root)),
    machines: JSON.stringify(model.machines.map((m) => ({ ...m, node: span(m.node) })), replacer),
    processes: JSON.stringify(model.processes.map((p) => ({
      index: p.index, node: span(p.node), declaration: ids(p.declaration), machine: p.machine, badge: p.badge, tock: p.tock,
      caps: p.caps.map((c) => [c.name, c.object, c.group ?? null, span(c)]),
      items: [...p.items.entries()].map(([name, item]) => [name, item.kind, ids(item.declaration), span(item.node), 'object' in item ? item.object : null, 'routine' in item ? item.routine : null, item.kind === 'cap' ? [item.slot, item.target ?? null] : null]),
      held: [...p.held].sort((a, b) => a - b), heldGroups: [...p.heldGroups].sort((a, b) => a - b),
    }))),
    objects: JSON.stringify(model.objects.map((o) => ({ ...o, node: span(o.node), declaration: ids(o.declaration) }))),
    routines: JSON.stringify(model.routines.map((r) => ({ ...r, node: span(r.node), body: span(r.body), repeatSlots: r.repeatSlots.map(([s, slot]) => [span(s), slot]) }))),
    links: JSON.stringify(model.links.map((l) => ({ ...l, node: span(l.node) }))),
    faults: JSON.stringify(model.faults.map((f) => ({ ...f, node: span(f.node) }))),
    names: JSON.stringify(mapEntries(model.names, (v) => v)),
    modelCalls: JSON.stringify(mapEntries(model.calls, (v) => [v.callee.kind, v.callee.spec.name, v.argumentsByParameter.map((a) => span(a))])),
    slots: JSON.stringify(mapEntries(model.slots, (v) => v)),
    repeatCounters: JSON.stringify(mapEntries(model.repeatCounters, (v) => v)),
    program: JSON.stringify(lower(analysis) ?? null, replacer),
  };
}

/** The first difference between two snapshots, or undefined. */
export function difference(a: Record<string, string>, b: Record<string, string>): string | undefined {
  for (const key of Object.keys(a)) {
    const x = a[key]!;
    const y = b[key]!;
    if (x === y) continue;
    let i = 0;
    while (i < x.length && x[i] === y[i]) i++;
    return `${key} differs at ${i}:\n  incremental: ${x.slice(Math.max(0, i - 120), i + 120)}\n  full:        ${y.slice(Math.max(0, i - 120), i + 120)}`;
  }
  return undefined;
}

/** Pieces of text that random edits insert: tokens, statements, declarations, broken syntax. */
export const SNIPPETS: readonly string[] = [
  ' ', ' ', '\n', '\n', 'x', 'y', '1', '42', '{', '}', '(', ')', '[', ']', ',', '"', '#', '=', '.', ':', '-', '\r\n', '\r',
  'let y = 2\n', 'let z = y + 1\n', 'yield()\n', 'expect r == 0\n', 'print "hi"\n', 'break\n', 'continue\n',
  'if x {\n', 'if conn >= 0 {\n  yield()\n}\n', '} else {\n', 'repeat 3 as i {\n', 'repeat 2 {\n  yield()\n}\n',
  'ipc_call(', 'ipc_call(conn, data: [1])', 'ipc_return(1)\n', 'msg_data(msg, 0)', 'register_client(server: server0.main, shm: shm, addr: 0x4000_0000)',
  'server0.main', 'server1.handler', 'client0', 'shm', 'conn', 'msg', 'badge', 'serve', 'on_register', 'handler', 'reg',
  'thread t2 {\n  yield()\n}\n', 'thread t3 runs serve\n', 'pmo m size 4KiB\n', 'cap c = client0\n', 'cap d = server0.main\n',
  'routine r2(a, b) {\n  yield()\n}\n', 'process q {\n}\n', 'process ', 'machine ', 'link a <-> b\n', 'fault at 1 kill x\n',
  'thread ', 'routine ', 'pmo ', 'cap ', ' priority 20', ' cpu 1', ' on board', ' badge 9', ' tock', ' runs serve', ' register', ' shadow',
  '4KB', '0x', '0b2', '99999999999999999999', '"\\q"', '"open', ';', '!', '@', '   ', '\t',
  'let q = qq\nlet qq = 1\n', 'if 1 { let k = 1 }\nprint k\n', 'kill(target: client0)\n', 'object_of(server0.main) == server0.main',
];

/** One random edit of `text`: an insertion, a deletion or a replacement near a random place. */
export function randomEdit(text: string, next: () => number): string {
  const at = Math.floor(next() * (text.length + 1));
  const kind = next();
  const snippet = SNIPPETS[Math.floor(next() * SNIPPETS.length)]!;
  if (kind < 0.45) return text.slice(0, at) + snippet + text.slice(at);
  const length = 1 + Math.floor(next() * (next() < 0.8 ? 6 : 60));
  if (kind < 0.8) return text.slice(0, at) + text.slice(at + length);
  return text.slice(0, at) + snippet + text.slice(at + length);
}
