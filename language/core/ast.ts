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

export interface MachineProperty {
  readonly kind: 'machineProperty';
  readonly property: 'cpus' | 'memory' | 'timeslice';
  readonly propertyRange: Range;
  readonly value: NumberLiteral | ErrorExpression;
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

export interface ThreadNode {
  readonly kind: 'thread';
  readonly name: Identifier;
  /** The declared name's range (the same as `name.range`). */
  readonly nameRange: Range;
  readonly type?: { readonly value: 'user' | 'register' | 'shadow'; readonly range: Range };
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
  readonly items: readonly ProcessItem[];
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
  | ThreadOption
  | Block
  | Statement
  | Expression
  | Argument
  | Identifier;
