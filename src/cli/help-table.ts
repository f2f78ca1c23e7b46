/**
 * The flag lists of every --help: one row per flag, its description, then its
 * default as `[default: X]` (the convention of clap and commander), wrapped
 * under the description when the line would pass 100 columns.
 */
export interface FlagRow {
  /** `--name NAME`, `-y, --yes`. */
  flag: string;
  what: string;
  /** What happens without the flag. Omitted for --help, --version and a required flag. */
  default?: string;
  /** A flag that must be given: `[required]`, or `[required, ...]` with a note. */
  required?: true | string;
}

/** The bracket after the description: `[default: X]`, `[required]`, or none. */
function note(row: FlagRow): string | undefined {
  if (row.required !== undefined) return row.required === true ? '[required]' : `[required, ${row.required}]`;
  return row.default === undefined ? undefined : `[default: ${row.default}]`;
}

const MAX_WIDTH = 100;

/**
 * The rows as lines. Every table of one --help passes all of that help's rows
 * as `align`, so that the descriptions line up across its sections.
 */
export function flagTable(rows: readonly FlagRow[], align: readonly FlagRow[] = rows): string {
  const flagWidth = Math.max(...align.map((row) => row.flag.length)) + 2;
  const lines: string[] = [];
  for (const row of rows) {
    const line = `  ${row.flag.length < flagWidth ? row.flag.padEnd(flagWidth) : `${row.flag}  `}${row.what}`;
    const bracket = note(row);
    if (bracket === undefined) lines.push(line);
    else if (`${line}  ${bracket}`.length <= MAX_WIDTH) lines.push(`${line}  ${bracket}`);
    else lines.push(line, `  ${' '.repeat(flagWidth)}${bracket}`);
  }
  return `${lines.join('\n')}\n`;
}
