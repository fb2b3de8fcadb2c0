// The kernel objects view's model, without VS Code: the adapter's `kscn/kernelObjects` tree
// (capability groups → slots → objects, connections with both ends, ports with their queues,
// node tables per machine) indexed by stable ids, and the presentation of each node as a tree
// item (label, description, icon, expansion, whether it can reveal its creating line).

import type { KernelObjectsBody, ObjectNode } from '../../debug-adapter/views';
import type { SourceLocation } from '../../kernel/program';

export const KERNEL_OBJECTS_REQUEST = 'kscn/kernelObjects';
export const REVEAL_CREATING_LINE_COMMAND = 'kscn.objects.revealCreatingLine';

/** `contextValue` of items that know their creating line (the inline action shows on them). */
export const CONTEXT_WITH_LOCATION = 'kscnObject.located';
export const CONTEXT_WITHOUT_LOCATION = 'kscnObject';

export type Collapsible = 'none' | 'collapsed' | 'expanded';

export interface ObjectsTreeItem {
  readonly id: string;
  readonly label: string;
  readonly description?: string;
  readonly tooltip: string;
  readonly collapsible: Collapsible;
  /** A codicon id. */
  readonly icon: string;
  readonly contextValue: string;
  readonly loc?: SourceLocation;
}

const ICONS: Readonly<Record<string, string>> = {
  cap_group: 'symbol-namespace',
  vmspace: 'symbol-module',
  thread: 'debug-alt-small',
  connection: 'plug',
  pmo: 'symbol-array',
  sched_context: 'watch',
  port: 'inbox',
  message: 'mail',
  node: 'circuit-board',
};

export function iconOf(node: ObjectNode): string {
  switch (node.kind) {
    case 'section':
      return 'list-tree';
    case 'machine':
    case 'nodeTable':
      return 'server';
    case 'end':
      return 'arrow-both';
    case 'fact':
      return 'symbol-field';
    case 'message':
      return 'mail';
    default:
      return (node.objectKind !== undefined ? ICONS[node.objectKind] : undefined) ?? 'symbol-object';
  }
}

export function treeItemOf(node: ObjectNode): ObjectsTreeItem {
  const hasChildren = (node.children?.length ?? 0) > 0;
  const collapsible: Collapsible = !hasChildren ? 'none' : node.kind === 'section' ? 'expanded' : 'collapsed';
  const where = node.loc ? `\nCreated at ${baseName(node.loc.file)}:${node.loc.line}` : '';
  return {
    id: node.id,
    label: node.label,
    ...(node.description !== undefined ? { description: node.description } : {}),
    tooltip: `${node.tooltip ?? [node.label, node.description].filter(Boolean).join(' — ')}${where}`,
    collapsible,
    icon: iconOf(node),
    contextValue: node.loc ? CONTEXT_WITH_LOCATION : CONTEXT_WITHOUT_LOCATION,
    ...(node.loc ? { loc: node.loc } : {}),
  };
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/** The last `kscn/kernelObjects` tree, indexed by id. */
export class ObjectsModel {
  private rootNodes: readonly ObjectNode[] = [];
  private readonly byId = new Map<string, ObjectNode>();
  private readonly parents = new Map<string, ObjectNode>();
  file = '';
  step = 0;

  apply(body: KernelObjectsBody): void {
    this.rootNodes = body.roots;
    this.file = body.file;
    this.step = body.step;
    this.byId.clear();
    this.parents.clear();
    const visit = (nodes: readonly ObjectNode[], parent: ObjectNode | undefined) => {
      for (const node of nodes) {
        this.byId.set(node.id, node);
        if (parent) this.parents.set(node.id, parent);
        if (node.children) visit(node.children, node);
      }
    };
    visit(body.roots, undefined);
  }

  clear(): void {
    this.rootNodes = [];
    this.byId.clear();
    this.parents.clear();
    this.file = '';
    this.step = 0;
  }

  get roots(): readonly ObjectNode[] {
    return this.rootNodes;
  }

  /** Children of a node by id; the roots for undefined. Unknown ids (a stale item) have none. */
  children(id?: string): readonly ObjectNode[] {
    if (id === undefined) return this.rootNodes;
    return this.byId.get(id)?.children ?? [];
  }

  get(id: string): ObjectNode | undefined {
    return this.byId.get(id);
  }

  /** Every node, depth first (tests, search). */
  all(): ObjectNode[] {
    const out: ObjectNode[] = [];
    const visit = (nodes: readonly ObjectNode[]) => {
      for (const node of nodes) {
        out.push(node);
        if (node.children) visit(node.children);
      }
    };
    visit(this.rootNodes);
    return out;
  }

  /** The parent of a node (for `TreeDataProvider.getParent`/reveal). */
  parentOf(id: string): ObjectNode | undefined {
    return this.parents.get(id);
  }
}
