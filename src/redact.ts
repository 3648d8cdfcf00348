/** Replaces every occurrence of a secret in text with `***`, also in the forms a server echo or a
 * JSON/URL encoder would turn it into. Pure: the runner and the HTTP client both use it. */
export const REDACTED = '***';

/** What to mask for a secret: itself and, for a multi-line one, each line (the runner masks line by line). */
export function secretParts(value: string): string[] {
  return [...new Set([value, ...value.split(/\r?\n/).filter((line) => line.trim())])];
}

export class Redactor {
  readonly #forms: string[] = [];

  /** Secrets shorter than this are not redacted: replacing every "1" in a log helps nobody. */
  static readonly MIN_LENGTH = 4;

  /** Adds a secret, and each line of a multi-line one. */
  add(secret: string | undefined): void {
    if (!secret) return;
    for (const part of secretParts(secret)) this.#addOne(part);
  }

  #addOne(secret: string): void {
    if (secret.length < Redactor.MIN_LENGTH) return;
    const forms = new Set([
      secret,
      JSON.stringify(secret).slice(1, -1),
      JSON.stringify(JSON.stringify(secret)).slice(1, -1),
      encodeURIComponent(secret),
    ]);
    for (const form of forms) if (!this.#forms.includes(form)) this.#forms.push(form);
    // Longest first, so a secret that contains another is replaced whole.
    this.#forms.sort((a, b) => b.length - a.length);
  }

  get active(): boolean {
    return this.#forms.length > 0;
  }

  redact(text: string): string {
    let out = text;
    for (const form of this.#forms) out = out.split(form).join(REDACTED);
    return out;
  }

  /** True when the text holds a secret in any of its forms. */
  finds(text: string): boolean {
    return this.#forms.some((form) => text.includes(form));
  }
}
