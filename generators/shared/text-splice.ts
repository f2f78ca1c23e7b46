/**
 * Byte-preserving YAML edits: the yaml Document API finds nodes and their
 * source ranges; new text is spliced in by whole lines, so everything outside
 * the inserted lines stays exactly as it was (comments, quoting, spacing,
 * anchors, key order).
 */
import type { Node, Pair } from 'yaml';

export interface Splice {
  /** Offset in the original text where `text` is inserted. */
  at: number;
  text: string;
}

/** Offset of the start of the line holding `pos`. */
export function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

/** Offset just after the newline ending the last non-blank line before `end`. */
export function lineEndBefore(text: string, end: number): number {
  let last = end - 1;
  while (last >= 0 && /\s/.test(text[last] ?? '')) last -= 1;
  const newline = text.indexOf('\n', last + 1);
  return newline === -1 ? text.length : newline + 1;
}

function rangeOf(node: Node | null | undefined, what: string): [number, number, number] {
  const range = node?.range;
  if (!range) throw new Error(`yaml: ${what} has no source range`);
  return range;
}

/**
 * Drop trailing lines that belong to what follows: blank lines, and comment
 * lines indented no deeper than the node itself (yaml attaches the comment
 * before the next key to the end of the previous value). Deeper lines, such
 * as `#` lines inside a block scalar, stay.
 */
function trimTrailing(text: string, start: number, end: number, indent: number): number {
  let stop = end;
  while (stop > start) {
    const from = lineStart(text, stop - 1);
    const line = text.slice(from, stop).replace(/\n$/, '');
    const depth = line.length - line.trimStart().length;
    if (line.trim() !== '' && !(line.trimStart().startsWith('#') && depth <= indent)) break;
    stop = from;
  }
  return stop;
}

/** Whole lines of a map pair: from its key's line to the end of its value. */
export function pairLines(text: string, pair: Pair): { start: number; end: number } {
  const keyAt = rangeOf(pair.key as Node, 'key')[0];
  const start = lineStart(text, keyAt);
  const end = lineEndBefore(text, rangeOf(pair.value as Node, 'value')[1]);
  return { start, end: trimTrailing(text, start, end, keyAt - start) };
}

/** Whole lines of a sequence item (its `- ` included). */
export function itemLines(text: string, item: Node): { start: number; end: number } {
  const [from, to] = rangeOf(item, 'item');
  const start = lineStart(text, from);
  const dash = text.slice(start, from).lastIndexOf('-');
  return { start, end: trimTrailing(text, start, lineEndBefore(text, to), Math.max(dash, 0)) };
}

/** Apply splices (any order; offsets refer to the original text). */
export function applySplices(text: string, splices: Splice[]): string {
  // Last offset first, so earlier offsets stay valid; splices at one offset keep their given order.
  const sorted = splices.map((s, i) => ({ ...s, i })).sort((a, b) => b.at - a.at || b.i - a.i);
  let out = text;
  for (const { at, text: insert } of sorted) out = out.slice(0, at) + insert + out.slice(at);
  return out;
}
