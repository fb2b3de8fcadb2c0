// Formatter tests: indentation, spacing, comments kept, broken input handled, idempotence.

import { describe, expect, it } from 'vitest';
import { formatDocument } from '../../language/core/index';

const CASES: [string, string, string][] = [
  [
    'indents blocks by two spaces and normalises spacing',
    'process p{\nthread t {\nlet x=ipc_call( 3 ,data:[ 1,2 ] )\nif x>=-1 and not x{ print "a" ,x }\n}\n}\n',
    'process p {\n  thread t {\n    let x = ipc_call(3, data: [1, 2])\n    if x >= -1 and not x { print "a", x }\n  }\n}\n',
  ],
  [
    'keeps comments, collapses blank lines, trims trailing space',
    '# head   \n\n\n\nprocess p {   # trailing\n        // inner\n  thread t runs r\n}\n\n\n',
    '# head\n\nprocess p { # trailing\n  // inner\n  thread t runs r\n}\n',
  ],
  [
    'indents continuation lines inside parentheses',
    'process p {\nthread t {\nipc_call(\n3,\ndata: [1],\n)\n}\n}',
    'process p {\n  thread t {\n    ipc_call(\n      3,\n      data: [1],\n    )\n  }\n}\n',
  ],
  [
    'distinguishes unary from binary minus',
    'process p {\nthread t {\nexpect r==-EINVAL\nlet y = x -1\nlet z = -(-1)\nlet w = ~ 1\n}\n}\n',
    'process p {\n  thread t {\n    expect r == -EINVAL\n    let y = x - 1\n    let z = -(-1)\n    let w = ~1\n  }\n}\n',
  ],
  ['handles an empty file', '', ''],
  ['handles a file of blank lines', '\n\n  \n', ''],
];

describe('formatDocument', () => {
  it.each(CASES)('%s', (_name, input, output) => {
    expect(formatDocument(input)).toBe(output);
    expect(formatDocument(output)).toBe(output);
  });

  it('keeps broken input and stays idempotent', () => {
    for (const input of ['process p {\n  thread t {\n    let x = (1 +\n', '}}}\n{{{ x', 'process "unterminated\n  ; @ \u0000', 'a / / b < = c - - 1']) {
      const once = formatDocument(input);
      expect(formatDocument(once)).toBe(once);
    }
  });
});
