// The formatter: re-indents and re-spaces scenario text token by token, keeping every token and
// comment as written. Working on tokens rather than the tree makes it total (it formats broken
// files too) and idempotent (the output lexes to the same tokens, on the same lines).

import { lex, type Token } from './lexer';
import { LineIndex } from './text';

const INDENT = '  ';

type Item = { readonly kind: 'token'; readonly token: Token } | { readonly kind: 'comment'; readonly text: string };

/** Whether a `-` or `~` at this point is a prefix operator (judged by the token before it). */
function isPrefixPosition(previous: Token | undefined): boolean {
  if (previous === undefined) return true;
  if (previous.kind === 'punct') return !(previous.text === ')' || previous.text === ']' || previous.text === '}');
  if (previous.kind === 'keyword') return !(previous.text === 'true' || previous.text === 'false');
  return false;
}

function spaceBetween(previous: Token, previousWasPrefix: boolean, next: Token): boolean {
  if (previousWasPrefix) return false;
  if (previous.kind === 'punct') {
    if (previous.text === '(' || previous.text === '[' || previous.text === '.') return false;
  }
  if (next.kind === 'punct') {
    switch (next.text) {
      case ')':
      case ']':
      case ',':
      case '.':
      case ':':
        return false;
      case '(':
        // A call or a parameter list: `f(x)`, `routine r(a)`; a keyword keeps its space: `if (x)`.
        return previous.kind !== 'name';
      case '[':
        return true;
      default:
        return true;
    }
  }
  return true;
}

/** Formats scenario text: 2-space indentation, normalised spacing, comments kept. Idempotent. */
export function formatDocument(text: string): string {
  const lines = new LineIndex(text);
  const { tokens, comments } = lex(text, lines);
  // Merge tokens and comments into source lines.
  const sourceLines: Item[][] = [[]];
  let commentIndex = 0;
  for (const token of tokens) {
    while (commentIndex < comments.length && comments[commentIndex]!.start < token.start) {
      sourceLines[sourceLines.length - 1]!.push({ kind: 'comment', text: comments[commentIndex]!.text });
      commentIndex++;
    }
    if (token.kind === 'newline') sourceLines.push([]);
    else if (token.kind !== 'eof') sourceLines[sourceLines.length - 1]!.push({ kind: 'token', token });
  }
  while (commentIndex < comments.length) {
    sourceLines[sourceLines.length - 1]!.push({ kind: 'comment', text: comments[commentIndex]!.text });
    commentIndex++;
  }

  const out: string[] = [];
  let braceDepth = 0;
  let groupDepth = 0;
  let blankPending = false;
  for (const items of sourceLines) {
    if (items.length === 0) {
      if (out.length > 0) blankPending = true;
      continue;
    }
    const first = items[0]!;
    let indent = braceDepth + groupDepth;
    if (first.kind === 'token' && first.token.kind === 'punct') {
      const t = first.token.text;
      if ((t === '}' && braceDepth > 0) || ((t === ')' || t === ']') && groupDepth > 0)) indent--;
    }
    let line = '';
    let previous: Token | undefined;
    let previousWasPrefix = false;
    for (const item of items) {
      if (item.kind === 'comment') {
        line += (line.length > 0 ? ' ' : '') + item.text.trimEnd();
        continue;
      }
      const token = item.token;
      if (previous !== undefined && spaceBetween(previous, previousWasPrefix, token)) line += ' ';
      line += token.kind === 'string' ? token.text.trimEnd() : token.text;
      previousWasPrefix = token.kind === 'punct' && (token.text === '~' || (token.text === '-' && isPrefixPosition(previous)));
      previous = token;
      if (token.kind === 'punct') {
        switch (token.text) {
          case '{': braceDepth++; break;
          case '}': if (braceDepth > 0) braceDepth--; break;
          case '(':
          case '[': groupDepth++; break;
          case ')':
          case ']': if (groupDepth > 0) groupDepth--; break;
        }
      }
    }
    if (blankPending) out.push('');
    blankPending = false;
    out.push(INDENT.repeat(Math.max(0, indent)) + line);
  }
  return out.length === 0 ? '' : out.join('\n') + '\n';
}
