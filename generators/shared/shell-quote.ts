/** Quote an argument for a POSIX shell, only when it needs it (commands printed for the user to run). */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_/.:@%+=,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
