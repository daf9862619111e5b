// The one way the app talks to the server: JSON over /api/v1 with the session cookie, and
// the CSRF token from the session endpoint sent as X-CSRF-Token on every change.

const BASE = '/api/v1';
const SAFE_METHODS = new Set(['GET', 'HEAD']);

let csrfToken = null;
const signedOutListeners = new Set();

/** An answer the app can show: `status` 0 means the server could not be reached. */
export class ApiError extends Error {
  constructor(status, code, message, fields = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
  }

  get offline() {
    return this.status === 0;
  }
}

export function setCsrfToken(token) {
  csrfToken = token;
}

/** Called with no arguments when the server says the session has ended (a 401). */
export function onSignedOut(listener) {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/**
 * Calls the API. `json` is sent as the JSON body; `body` (FormData, Blob) as it is.
 * Resolves with the parsed answer (null for 204); rejects with an ApiError.
 */
export async function request(path, { method = 'GET', json, body, headers = {}, signal } = {}) {
  const sent = { Accept: 'application/json', ...headers };
  if (json !== undefined) sent['Content-Type'] = 'application/json';
  if (!SAFE_METHODS.has(method) && csrfToken) sent['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(BASE + path, {
      method,
      headers: sent,
      body: json !== undefined ? JSON.stringify(json) : body,
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'offline', 'No connection to Homelog. Check your signal and try again.');
  }
  if (response.status === 204) return null;
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = answer?.error ?? {};
    if (response.status === 401 && path !== '/session') {
      csrfToken = null;
      signedOutListeners.forEach((listener) => listener());
    }
    throw new ApiError(response.status, detail.code ?? 'error',
      detail.message ?? 'Something went wrong. Please try again.', detail.fields ?? null);
  }
  return answer;
}

export const get = (path, options) => request(path, { ...options, method: 'GET' });
export const post = (path, json, options) => request(path, { ...options, method: 'POST', json });
export const put = (path, json, options) => request(path, { ...options, method: 'PUT', json });
export const del = (path, options) => request(path, { ...options, method: 'DELETE' });

/**
 * Downloads a file the API makes (a PDF or CSV): resolves with { blob, filename }; an error
 * answer rejects with an ApiError like any other call.
 */
export async function download(path, { signal } = {}) {
  let response;
  try {
    response = await fetch(BASE + path, { credentials: 'same-origin', cache: 'no-store', signal });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'offline', 'No connection to Homelog. Check your signal and try again.');
  }
  if (!response.ok) {
    const detail = (await response.json().catch(() => null))?.error ?? {};
    if (response.status === 401) signedOutListeners.forEach((listener) => listener());
    throw new ApiError(response.status, detail.code ?? 'error',
      detail.message ?? 'The file could not be made. Please try again.', detail.fields ?? null);
  }
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'homelog-download';
  return { blob: await response.blob(), filename };
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A new idempotency key for a submission (retries reuse it). */
export function newIdempotencyKey() {
  return crypto.randomUUID();
}
