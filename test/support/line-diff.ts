/**
 * The lines `edited` adds to `original`, when `original` survives in it
 * unchanged (as an ordered subsequence of whole lines); otherwise throws,
 * naming the first original line that changed or moved.
 */
export function insertedLines(original: string, edited: string): string[][] {
  const before = original.split('\n');
  const after = edited.split('\n');
  const blocks: string[][] = [];
  let i = 0;
  let current: string[] = [];
  for (const line of after) {
    if (i < before.length && line === before[i]) {
      if (current.length > 0) blocks.push(current);
      current = [];
      i += 1;
    } else {
      current.push(line);
    }
  }
  if (current.length > 0) blocks.push(current);
  if (i < before.length) throw new Error(`original line ${i + 1} changed or moved: ${JSON.stringify(before[i])}`);
  return blocks;
}
