/** Terminal output: colours only on a TTY and without NO_COLOR. */
import { type TroubleshootingAnchor, troubleshootingUrl } from '../../generators/shared/docs.js';

const enabled = (stream: NodeJS.WriteStream): boolean =>
  Boolean(stream.isTTY) && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb';

const paint = (code: number, reset: number) => (text: string, stream: NodeJS.WriteStream = process.stdout) =>
  enabled(stream) ? `\u001b[${code}m${text}\u001b[${reset}m` : text;

export const bold = paint(1, 22);
export const dim = paint(2, 22);
export const red = paint(31, 39);
export const green = paint(32, 39);
export const yellow = paint(33, 39);
export const cyan = paint(36, 39);

export const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

/** The last line of an error or a warning, dimmed: the address of the troubleshooting section that explains it. */
export const docsLine = (anchor: TroubleshootingAnchor): void => {
  process.stderr.write(`${dim(`docs: ${troubleshootingUrl(anchor)}`, process.stderr)}\n`);
};

/** A warning: its line, then the docs line. */
export const warn = (line: string, docs: TroubleshootingAnchor): void => {
  process.stderr.write(`${yellow('warning', process.stderr)} ${line}\n`);
  docsLine(docs);
};
