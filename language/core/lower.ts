// Lowering: turns a checked syntax tree into the kernel's `ScenarioProgram`. It makes no
// decisions of its own: names, slots and object numbers come from the checker's model.

import type { Block, Expression as SyntaxExpression, Statement as SyntaxStatement, CallExpression } from './ast';
import {
  routineEntryAddress,
  type BinaryOperator, type Expression, type FaultDecl, type LinkDecl, type ObjectDecl, type Routine, type ScenarioProgram,
  type SourceLocation, type Statement, type SyscallInvocation,
} from '../../kernel/program';
import type { CheckedModel } from './checker';
import type { Range } from './text';

export interface LoweringInput {
  readonly file: string;
  readonly text: string;
  readonly model: CheckedModel;
  /** The location given to the implicit default machine. */
  readonly fileRange: Range;
}

export function lowerModel(input: LoweringInput): ScenarioProgram {
  return new Lowerer(input).program();
}

class Lowerer {
  private readonly model: CheckedModel;

  constructor(private readonly input: LoweringInput) {
    this.model = input.model;
  }

  private loc(range: Range): SourceLocation {
    return {
      file: this.input.file,
      line: range.start.line,
      column: range.start.column,
      endLine: range.end.line,
      endColumn: range.end.column,
    };
  }

  program(): ScenarioProgram {
    const model = this.model;
    const machines = model.machines.map((machine) => ({
      name: machine.name,
      cpus: machine.cpus,
      memoryBytes: machine.memoryBytes,
      timeslice: machine.timeslice,
      nodeTableSize: machine.nodeTableSize,
      byteOrder: machine.byteOrder,
      dataModel: machine.dataModel,
      mpuRegions: machine.mpuRegions,
      loc: this.loc(machine.node?.range ?? { start: this.input.fileRange.start, end: this.input.fileRange.start }),
    }));
    const processes = model.processes.map((process) => ({
      name: process.node.name.name,
      machine: process.machine,
      badge: process.badge,
      tock: process.tock,
      caps: process.caps.map((cap) => ({
        name: cap.name,
        object: cap.object,
        ...(cap.group !== undefined ? { group: cap.group } : {}),
        loc: this.loc(cap.range),
      })),
      loc: this.loc(process.node.range),
    }));
    const objects: ObjectDecl[] = model.objects.map((object) =>
      object.kind === 'pmo'
        ? {
            kind: 'pmo',
            name: object.node.name.name,
            owner: object.owner,
            size: object.size,
            ...(object.mapAt !== undefined ? { mapAt: object.mapAt } : {}),
            loc: this.loc(object.node.range),
          }
        : {
            kind: 'thread',
            name: object.node.name.name,
            owner: object.owner,
            type: object.threadType,
            priority: object.priority,
            cpu: object.cpu,
            routine: object.routine,
            loc: this.loc(object.node.range),
          },
    );
    const routines: Routine[] = model.routines.map((routine) => ({
      name: routine.name,
      owner: routine.owner,
      params: routine.params,
      frameSize: routine.slotNames.length,
      slotNames: routine.slotNames,
      body: this.block(routine.body),
      loc: this.loc(routine.node.range),
    }));
    const links: LinkDecl[] = model.links.map((link) => ({ a: link.a, b: link.b, latency: link.latency, loc: this.loc(link.node.range) }));
    const faults: FaultDecl[] = model.faults.map((fault) => ({ trigger: fault.trigger, action: fault.action, loc: this.loc(fault.node.range) }));
    return { file: this.input.file, machines, links, faults, processes, objects, routines };
  }

  private block(block: Block): Statement[] {
    const out: Statement[] = [];
    for (const statement of block.statements) {
      const lowered = this.statement(statement);
      if (lowered !== undefined) out.push(lowered);
    }
    return out;
  }

  private statement(statement: SyntaxStatement): Statement | undefined {
    const loc = this.loc(statement.range);
    switch (statement.kind) {
      case 'let':
      case 'assign': {
        const slot = this.model.slots.get(statement) ?? -1;
        const name = statement.kind === 'let' ? statement.name.name : statement.target.name;
        const syscall = this.syscallValue(statement.value);
        const value = syscall ?? this.expression(statement.value);
        return { kind: statement.kind, slot, name, value, isSyscall: syscall !== undefined, loc };
      }
      case 'call': {
        const resolution = this.model.calls.get(statement.call);
        if (resolution?.callee.kind === 'syscall') return { kind: 'syscall', call: this.syscall(statement.call), loc };
        return { kind: 'builtin', name: resolution?.callee.spec.name ?? statement.call.callee.name, args: this.builtinArgs(statement.call), loc };
      }
      case 'expect': {
        const range = statement.condition.range;
        return {
          kind: 'expect',
          condition: this.expression(statement.condition),
          text: this.input.text.slice(range.start.offset, range.end.offset),
          loc,
        };
      }
      case 'print':
        return { kind: 'print', parts: statement.parts.map((p) => this.expression(p)), loc };
      case 'if': {
        const elseBranch = statement.else;
        let elseStatements: Statement[] = [];
        if (elseBranch !== undefined) {
          if (elseBranch.kind === 'block') elseStatements = this.block(elseBranch);
          else {
            const nested = this.statement(elseBranch);
            elseStatements = nested !== undefined ? [nested] : [];
          }
        }
        return { kind: 'if', condition: this.expression(statement.condition), then: this.block(statement.then), else: elseStatements, loc };
      }
      case 'repeat':
        return {
          kind: 'repeat',
          count: this.expression(statement.count),
          slot: statement.counter !== undefined ? (this.model.slots.get(statement) ?? -1) : -1,
          counterSlot: this.model.repeatCounters.get(statement) ?? -1,
          body: this.block(statement.body),
          loc,
        };
      case 'break':
        return { kind: 'break', loc };
      case 'continue':
        return { kind: 'continue', loc };
      case 'expression':
      case 'error':
        return undefined;
    }
  }

  private syscallValue(value: SyntaxExpression): SyscallInvocation | undefined {
    if (value.kind !== 'call') return undefined;
    const resolution = this.model.calls.get(value);
    if (resolution?.callee.kind !== 'syscall') return undefined;
    return this.syscall(value);
  }

  private syscall(call: CallExpression): SyscallInvocation {
    const resolution = this.model.calls.get(call);
    const args: Record<string, Expression> = {};
    if (resolution !== undefined) {
      resolution.callee.spec.params.forEach((param, index) => {
        const value = resolution.argumentsByParameter[index];
        if (value !== undefined) args[param.name] = this.expression(value);
      });
    }
    return { name: resolution?.callee.spec.name ?? call.callee.name, args, loc: this.loc(call.range) };
  }

  private builtinArgs(call: CallExpression): Expression[] {
    const resolution = this.model.calls.get(call);
    if (resolution === undefined) return [];
    const args: Expression[] = [];
    for (const value of resolution.argumentsByParameter) {
      if (value !== undefined) args.push(this.expression(value));
    }
    return args;
  }

  private expression(expression: SyntaxExpression): Expression {
    const loc = this.loc(expression.range);
    switch (expression.kind) {
      case 'number':
        return { kind: 'number', value: expression.value, loc };
      case 'string':
        return { kind: 'bytes', value: expression.bytes, loc };
      case 'boolean':
        return { kind: 'boolean', value: expression.value, loc };
      case 'paren':
        return this.expression(expression.expression);
      case 'list':
        return { kind: 'list', items: expression.items.map((item) => this.expression(item)), loc };
      case 'unary':
        return { kind: 'unary', op: expression.op, operand: this.expression(expression.operand), loc };
      case 'binary':
        return {
          kind: 'binary',
          op: expression.op as BinaryOperator,
          left: this.expression(expression.left),
          right: this.expression(expression.right),
          loc,
        };
      case 'call': {
        const resolution = this.model.calls.get(expression);
        return { kind: 'builtin', name: resolution?.callee.spec.name ?? expression.callee.name, args: this.builtinArgs(expression), loc };
      }
      case 'name': {
        const resolution = this.model.names.get(expression);
        switch (resolution?.kind) {
          case 'local':
            return { kind: 'local', slot: resolution.slot, name: resolution.name, loc };
          case 'object':
            return { kind: 'object', object: resolution.object, loc };
          case 'objectRef':
            return { kind: 'objectRef', object: resolution.object, loc };
          case 'process':
            return { kind: 'process', process: resolution.process, loc };
          case 'routine':
            return { kind: 'number', value: routineEntryAddress(resolution.routine), loc };
          case 'number':
            return { kind: 'number', value: resolution.value, loc };
          case 'constant':
            return { kind: 'constant', name: resolution.name, value: resolution.value, loc };
          case 'register':
            return { kind: 'register', register: resolution.register, loc };
          case undefined:
            return { kind: 'number', value: 0, loc };
        }
      }
      // falls through: unreachable, every resolution kind returns
      case 'error':
        return { kind: 'number', value: 0, loc };
    }
  }
}
