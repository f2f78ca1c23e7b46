/**
 * Secrets as values that cannot leak by accident: a `Secret` prints,
 * stringifies and inspects as `[redacted]`; only `reveal()` gives the text,
 * and only the HTTP client and the git push call it. A `Redactor` scrubs
 * every known secret (and its base64 form) out of text that comes back from
 * GitLab or git before that text is shown.
 */

export const REDACTED = '[redacted]';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${REDACTED})`;
  }
}

/** Shorter needles would scrub ordinary words; no secret here is that short in practice. */
const MIN_NEEDLE = 4;

export class Redactor {
  readonly #needles = new Set<string>();

  /** Register secrets: each value, its base64 form, and each long line of a multi-line value (a PEM key). */
  add(...values: (string | Secret)[]): this {
    for (const item of values) {
      const value = item instanceof Secret ? item.reveal() : item;
      const forms = [value, Buffer.from(value).toString('base64'), ...value.split(/\r?\n|\\n/).filter((l) => l.length >= 16)];
      for (const form of forms) if (form.length >= MIN_NEEDLE) this.#needles.add(form);
    }
    return this;
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is scrubbed whole.
    for (const needle of [...this.#needles].sort((a, b) => b.length - a.length)) out = out.split(needle).join(REDACTED);
    return out;
  }
}
