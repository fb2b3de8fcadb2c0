// The syntax tree of a scenario file. Every node has a `range`; declarations have a `nameRange`
// through their `name` identifier. Missing pieces are `error` nodes, so the tree is always whole.

import type { Range } from './text';

export interface Identifier {
  readonly kind: 'identifier';
  readonly name: string;
  readonly range: Range;
}

// ---------------------------------------------------------------------------------------------
// Expressions

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | 'and' | 'or';

export type UnaryOp = '-' | '~' | 'not';

export interface NumberLiteral {
  readonly kind: 'number';
  /** NaN when the literal is invalid (the lexer reported it). */
  readonly value: number;
  /** Whether the literal carries a unit (`4KiB`). */
  readonly isSize: boolean;
  readonly text: string;
  readonly range: Range;
}

export interface StringLiteral {
  readonly kind: 'string';
  readonly bytes: Uint8Array;
  readonly text: string;
  readonly range: Range;
}

export interface BooleanLiteral {
  readonly kind: 'boolean';
  readonly value: boolean;
  readonly range: Range;
}

/** `name` or `process.name`. */
export interface NameExpression {
  readonly kind: 'name';
  /** The first part: a local, an object, a process, a constant... */
  readonly head: Identifier;
  /** The second part of `process.object`. */
  readonly member?: Identifier;
  readonly range: Range;
}

export interface Argument {
  readonly kind: 'argument';
  readonly name?: Identifier;
  readonly value: Expression;
  readonly range: Range;
}

export interface CallExpression {
  readonly kind: 'call';
  readonly callee: Identifier;
  readonly args: readonly Argument[];
  /** From `(` to `)` (or to where the list was cut short). */
  readonly argsRange: Range;
  readonly range: Range;
}

export interface ListExpression {
  readonly kind: 'list';
  readonly items: readonly Expression[];
  readonly range: Range;
}

export interface UnaryExpression {
  readonly kind: 'unary';
  readonly op: UnaryOp;
  readonly operand: Expression;
  readonly range: Range;
}

export interface BinaryExpression {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly left: Expression;
  readonly right: Expression;
  readonly opRange: Range;
  readonly range: Range;
}

export interface ParenExpression {
  readonly kind: 'paren';
  readonly expression: Expression;
  readonly range: Range;
}

/** Something that should have been an expression but was missing or malformed. */
export interface ErrorExpression {
  readonly kind: 'error';
  readonly range: Range;
}

export type Expression =
  | NumberLiteral
  | StringLiteral
  | BooleanLiteral
  | NameExpression
  | CallExpression
  | ListExpression
  | UnaryExpression
  | BinaryExpression
  | ParenExpression
  | ErrorExpression;

// ---------------------------------------------------------------------------------------------
// Statements

export interface Block {
  readonly kind: 'block';
  readonly statements: readonly Statement[];
  readonly range: Range;
}

export interface LetStatement {
  readonly kind: 'let';
  readonly name: Identifier;
  /** The declared name's range (the same as `name.range`). */
  readonly nameRange: Range;
  readonly value: Expression;
  readonly range: Range;
}

export interface AssignStatement {
  readonly kind: 'assign';
  readonly target: Identifier;
  readonly value: Expression;
  readonly range: Range;
}

/** A call used as a statement: a syscall or a builtin procedure. */
export interface CallStatement {
  readonly kind: 'call';
  readonly call: CallExpression;
  readonly range: Range;
}

/** A bare expression that is not a call (always an error, kept for recovery and tooling). */
export interface ExpressionStatement {
  readonly kind: 'expression';
  readonly expression: Expression;
  readonly range: Range;
}

export interface ExpectStatement {
  readonly kind: 'expect';
  readonly condition: Expression;
  readonly range: Range;
}

export interface PrintStatement {
  readonly kind: 'print';
  readonly parts: readonly Expression[];
  readonly range: Range;
}

export interface IfStatement {
  readonly kind: 'if';
  readonly condition: Expression;
  readonly then: Block;
  readonly else?: Block | IfStatement;
  readonly range: Range;
}

export interface RepeatStatement {
  readonly kind: 'repeat';
  readonly count: Expression;
  readonly counter?: Identifier;
  readonly body: Block;
  readonly range: Range;
}

export interface BreakStatement {
  readonly kind: 'break' | 'continue';
  readonly range: Range;
}

export interface ErrorStatement {
  readonly kind: 'error';
  readonly range: Range;
}

export type Statement =
  | LetStatement
  | AssignStatement
  | CallStatement
  | ExpressionStatement
  | ExpectStatement
  | PrintStatement
  | IfStatement
  | RepeatStatement
  | BreakStatement
  | ErrorStatement;

// ---------------------------------------------------------------------------------------------
// Declarations

export type MachinePropertyName = 'cpus' | 'memory' | 'timeslice' | 'nodes' | 'byte_order' | 'data_model' | 'mpu_regions';

export interface MachineProperty {
  readonly kind: 'machineProperty';
  readonly property: MachinePropertyName;
  readonly propertyRange: Range;
  /** A number, or a word for `byte_order` (`little`, `big`) and `data_model` (`lp64`, `ilp32`). */
  readonly value: NumberLiteral | Identifier | ErrorExpression;
  readonly range: Range;
}

export interface MachineNode {
  readonly kind: 'machine';
  readonly name: Identifier;
  /** The declared name's range (the same as `name.range`). */
  readonly nameRange: Range;
  readonly properties: readonly MachineProperty[];
  readonly range: Range;
}

export interface PmoNode {
  readonly kind: 'pmo';
  readonly name: Identifier;
  /** The declared name's range (the same as `name.range`). */
  readonly nameRange: Range;
  readonly size: NumberLiteral | ErrorExpression;
  readonly at?: NumberLiteral | ErrorExpression;
  readonly range: Range;
}

export interface CapNode {
  readonly kind: 'cap';
  readonly name: Identifier;
  /** The declared name's range (the same as `name.range`). */
  readonly nameRange: Range;
  readonly target: NameExpression | ErrorExpression;
  readonly range: Range;
}

export interface ThreadOption {
  readonly kind: 'threadOption';
  readonly option: 'priority' | 'cpu';
  readonly optionRange: Range;
  readonly value: NumberLiteral | ErrorExpression;
  readonly range: Range;
}

export type ThreadTypeName = 'user' | 'register' | 'shadow' | 'kernel';

export interface ThreadNode {
  readonly kind: 'thread';
  readonly name: Identifier;
  /** The declared name's range (the same as `name.range`). */
  readonly nameRange: Range;
  readonly type?: { readonly value: ThreadTypeName; readonly range: Range };
  readonly options: readonly ThreadOption[];
  readonly body?: Block;
  readonly runs?: Identifier;
  readonly range: Range;
}

export interface RoutineNode {
  readonly kind: 'routine';
  readonly name: Identifier;
  /** The declared name's range (the same as `name.range`). */
  readonly nameRange: Range;
  readonly params: readonly Identifier[];
  readonly body: Block;
  readonly range: Range;
}

export type ProcessItem = PmoNode | CapNode | ThreadNode | RoutineNode;

export interface ProcessNode {
  readonly kind: 'process';
  readonly name: Identifier;
  /** The declared name's range (the same as `name.range`). */
  readonly nameRange: Range;
  readonly on?: Identifier;
  readonly badge?: NumberLiteral | ErrorExpression;
  /** The `tock` header word, when given: a Tock process. */
  readonly tock?: Range;
  readonly items: readonly ProcessItem[];
  readonly range: Range;
}

/** `link A <-> B [latency N]`: a link between two machines. */
export interface LinkNode {
  readonly kind: 'link';
  /** The two machine names; a missing one has the name ''. */
  readonly a: Identifier;
  readonly b: Identifier;
  readonly latency?: NumberLiteral | ErrorExpression;
  readonly range: Range;
}

/** `A <-> B` inside a fault action: names a declared link. */
export interface LinkReference {
  readonly kind: 'linkReference';
  readonly a: Identifier;
  readonly b: Identifier;
  readonly range: Range;
}

/** `at TIME`: fires when the virtual time reaches TIME cycles. */
export interface TimeTrigger {
  readonly kind: 'timeTrigger';
  readonly time: NumberLiteral | ErrorExpression;
  readonly range: Range;
}

/** `on SYSCALL [by THREAD_OR_PROCESS] [count N]`. */
export interface SyscallTrigger {
  readonly kind: 'syscallTrigger';
  readonly syscall: Identifier;
  readonly by?: NameExpression | ErrorExpression;
  readonly count?: NumberLiteral | ErrorExpression;
  readonly range: Range;
}

export type FaultTriggerNode = TimeTrigger | SyscallTrigger;

/** `kill THREAD_OR_PROCESS`. */
export interface KillAction {
  readonly kind: 'killAction';
  readonly target: NameExpression | ErrorExpression;
  readonly range: Range;
}

/** `link A <-> B down` or `link A <-> B up`. */
export interface LinkStateAction {
  readonly kind: 'linkAction';
  readonly link: LinkReference;
  /** Undefined when the word is missing (reported). */
  readonly state?: 'down' | 'up';
  readonly stateRange: Range;
  readonly range: Range;
}

/** `crash MACHINE [restart after N]`. */
export interface CrashAction {
  readonly kind: 'crashAction';
  readonly machine: Identifier;
  readonly restartAfter?: NumberLiteral | ErrorExpression;
  readonly range: Range;
}

/** `drop A <-> B [count N]`. */
export interface DropAction {
  readonly kind: 'dropAction';
  readonly link: LinkReference;
  readonly count?: NumberLiteral | ErrorExpression;
  readonly range: Range;
}

export type FaultActionNode = KillAction | LinkStateAction | CrashAction | DropAction;

/** `fault <trigger> <action>`: fault injection. */
export interface FaultNode {
  readonly kind: 'fault';
  readonly trigger: FaultTriggerNode | ErrorExpression;
  readonly action: FaultActionNode | ErrorExpression;
  readonly range: Range;
}

export interface ScenarioHeader {
  readonly kind: 'scenario';
  readonly title: StringLiteral | ErrorExpression;
  readonly range: Range;
}

export interface CommentNode {
  readonly kind: 'comment';
  readonly text: string;
  readonly range: Range;
}

export interface FileNode {
  readonly kind: 'file';
  readonly file: string;
  readonly scenario?: ScenarioHeader;
  readonly machines: readonly MachineNode[];
  readonly processes: readonly ProcessNode[];
  /** Machines and processes in source order. */
  readonly items: readonly (MachineNode | ProcessNode)[];
  /** `link` declarations in source order. */
  readonly links: readonly LinkNode[];
  /** `fault` declarations in source order. */
  readonly faults: readonly FaultNode[];
  readonly comments: readonly CommentNode[];
  readonly range: Range;
}

export type Node =
  | FileNode
  | ScenarioHeader
  | MachineNode
  | MachineProperty
  | ProcessNode
  | ProcessItem
  | LinkNode
  | LinkReference
  | FaultNode
  | FaultTriggerNode
  | FaultActionNode
  | ThreadOption
  | Block
  | Statement
  | Expression
  | Argument
  | Identifier;
