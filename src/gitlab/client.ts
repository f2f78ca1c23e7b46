/**
 * A small typed GitLab REST client on the global `fetch` (Node >= 20): the
 * token in `PRIVATE-TOKEN`, JSON in and out, and a bounded retry policy:
 * - 429: wait what `Retry-After` says (seconds or an HTTP date), at most
 *   `maxWaitMs`; a longer wait fails at once, saying how long to wait;
 * - 5xx, network errors and timeouts: a short backoff, for calls that are
 *   safe to repeat (never for POST /projects);
 * - at most `attempts` tries in all, then a GitLabUnavailable error (a
 *   connection error names the scheme, host and port it tried).
 * Any other status is returned to the caller, which knows what it means.
 */
import type { ApiCall } from './plan.js';
import { Secret, type Redactor } from './secret.js';

export interface ClientOptions {
  gitlabUrl: string;
  token: Secret;
  redactor: Redactor;
  /** Tries per call, the first included. */
  attempts?: number;
  /** Waits between tries after a 5xx or a network error, in ms. */
  backoffMs?: readonly number[];
  /** The longest Retry-After honoured, in ms. */
  maxWaitMs?: number;
  /** Per try, headers and body included, in ms. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface ApiResponse {
  status: number;
  /** Parsed JSON, or the text when the body is not JSON. */
  data: unknown;
  /** The body as received (for error messages: redact before showing). */
  text: string;
  headers: Headers;
}

/** GitLab could not be reached or kept failing; `reason` is safe to show. */
export class GitLabUnavailable extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'GitLabUnavailable';
  }
}

export interface GitLabClient {
  /** `retry: false` for a call that is not safe to repeat after a 5xx or a lost connection. */
  request(call: ApiCall, options?: { retry?: boolean }): Promise<ApiResponse>;
}

const DEFAULTS = { attempts: 3, backoffMs: [500, 1500], maxWaitMs: 10_000, timeoutMs: 30_000 };

/** `Retry-After: 3` or `Retry-After: <HTTP date>` -> ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function urlOf(base: string, call: ApiCall): string {
  const query = call.query ? `?${new URLSearchParams(call.query).toString()}` : '';
  return `${base}/api/v4${call.path}${query}`;
}

/** The body as sent: Secrets revealed here and nowhere else. */
function wireBody(body: NonNullable<ApiCall['body']>): string {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(body)) out[key] = value instanceof Secret ? value.reveal() : value;
  return JSON.stringify(out);
}

/** `scheme://host:port` of the instance, as connection errors name it (checkGitLabUrl allows no credentials in it). */
export function endpointOf(base: string): string {
  const url = new URL(base);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.protocol}//${url.hostname}:${port}`;
}

const TLS_CODE = /^(?:ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$)/;

/** Why a request got no answer, naming where it went: one phrase, safe to show once redacted. */
function describeNetworkError(error: unknown, timeoutMs: number, endpoint: string): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return `no answer from ${endpoint} within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`;
  const code = e.cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return `${endpoint} refused the connection (ECONNREFUSED)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host of ${endpoint} was not found (${code})`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `${endpoint} closed the connection (${code})`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `no connection to ${endpoint} (${code})`;
  }
  if (code !== undefined && TLS_CODE.test(code)) return `TLS with ${endpoint} failed (${code})`;
  return `cannot reach ${endpoint} (${code ?? e.cause?.message ?? e.message ?? String(error)})`;
}

export function createClient(options: ClientOptions): GitLabClient {
  const attempts = options.attempts ?? DEFAULTS.attempts;
  const backoff = options.backoffMs ?? DEFAULTS.backoffMs;
  const maxWaitMs = options.maxWaitMs ?? DEFAULTS.maxWaitMs;
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const base = options.gitlabUrl;
  const endpoint = endpointOf(base);

  return {
    async request(call, { retry = true } = {}) {
      const url = urlOf(base, call);
      const what = `${call.method} ${call.path}`;
      let last = '';
      for (let attempt = 1; attempt <= attempts; attempt += 1) {
        const isLast = attempt === attempts;
        const pause = backoff[Math.min(attempt - 1, backoff.length - 1)] ?? 1000;
        let response: Response;
        let text: string;
        try {
          response = await doFetch(url, {
            method: call.method,
            headers: {
              'PRIVATE-TOKEN': options.token.reveal(),
              Accept: 'application/json',
              ...(call.body ? { 'Content-Type': 'application/json' } : {}),
            },
            ...(call.body ? { body: wireBody(call.body) } : {}),
            // Never follow a redirect: it would carry the token to wherever it points.
            redirect: 'manual',
            signal: AbortSignal.timeout(timeoutMs),
          });
          text = await response.text();
        } catch (error) {
          last = `${what}: ${options.redactor.redact(describeNetworkError(error, timeoutMs, endpoint))}`;
          if (!retry) throw new GitLabUnavailable(`${last} (not retried: it may have been applied)`);
          if (isLast) break;
          await sleep(pause);
          continue;
        }
        if (response.status === 429) {
          const wait = retryAfterMs(response.headers.get('retry-after')) ?? pause;
          last = `${what}: GitLab rate limit (429)`;
          if (wait > maxWaitMs)
            throw new GitLabUnavailable(`${last}; it asks to wait ${Math.ceil(wait / 1000)} s, more than this command waits`);
          if (isLast) break;
          await sleep(wait);
          continue;
        }
        if (response.status >= 300 && response.status < 400) {
          const location = response.headers.get('location') ?? 'another address';
          throw new GitLabUnavailable(`${what}: ${base} redirects to ${options.redactor.redact(location)}; pass the address GitLab really answers on as --gitlab-url`);
        }
        if (response.status >= 500) {
          last = `${what}: GitLab answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
          if (!retry || isLast) break;
          await sleep(pause);
          continue;
        }
        let data: unknown = text;
        try {
          data = text === '' ? null : JSON.parse(text);
        } catch {
          // Not JSON (a proxy's HTML page...): keep the text.
        }
        return { status: response.status, data, text, headers: response.headers };
      }
      throw new GitLabUnavailable(`${last} (${retry ? `${attempts} ${attempts === 1 ? 'try' : 'tries'}` : 'not retried'})`);
    },
  };
}
