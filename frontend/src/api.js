// The one way the app talks to the server: JSON over /api/v1 with the session cookie, and
// the CSRF token from the session endpoint sent as X-CSRF-Token on every change. Every
// address is in this module, behind the named functions at the end (`families.list()`,
// `visits.submit()` …): screens call those and never spell a path.

import { bump, createStore } from './store.js';

const BASE = '/api/v1';
const SAFE_METHODS = new Set(['GET', 'HEAD']);

let csrfToken = null;

/** Counts the times the server said the session has ended (a 401). */
export const sessionEnded = createStore(0);

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

/**
 * Calls the API. `json` is sent as the JSON body; `body` (FormData, Blob) as it is.
 * Resolves with the parsed answer (null for 204); rejects with an ApiError.
 */
async function request(path, { method = 'GET', json, body, headers = {}, signal } = {}) {
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
      bump(sessionEnded);
    }
    throw new ApiError(response.status, detail.code ?? 'error',
      detail.message ?? 'Something went wrong. Please try again.', detail.fields ?? null);
  }
  return answer;
}

const get = (path, options) => request(path, { ...options, method: 'GET' });
const post = (path, json, options) => request(path, { ...options, method: 'POST', json });
const put = (path, json, options) => request(path, { ...options, method: 'PUT', json });
const del = (path, options) => request(path, { ...options, method: 'DELETE' });

/**
 * Downloads a file the API makes (a PDF or CSV): resolves with { blob, filename }; an error
 * answer rejects with an ApiError like any other call.
 */
async function download(path, { signal } = {}) {
  let response;
  try {
    response = await fetch(BASE + path, { credentials: 'same-origin', cache: 'no-store', signal });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'offline', 'No connection to Homelog. Check your signal and try again.');
  }
  if (!response.ok) {
    const detail = (await response.json().catch(() => null))?.error ?? {};
    if (response.status === 401) bump(sessionEnded);
    throw new ApiError(response.status, detail.code ?? 'error',
      detail.message ?? 'The file could not be made. Please try again.', detail.fields ?? null);
  }
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'homelog-download';
  return { blob: await response.blob(), filename };
}

/** A query string from an object, leaving out empty values. */
function query(params) {
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

// --- the server's addresses ----------------------------------------------------------------
// Every address the app calls is here, behind a named function; screens never spell a path.
// `options` is passed on to `request` ({ signal, headers }); `params` become the query string.

const patch = (path, json, options) => request(path, { ...options, method: 'PATCH', json });
const withKey = (key, options = {}) => ({ ...options,
  headers: { ...options.headers, 'Idempotency-Key': key } });

export const session = {
  current: () => get('/session'),
  signIn: (credentials) => post('/session', credentials),
  signOut: () => del('/session'),
  confirmPassword: (password) => post('/session/confirm', { password }),
  changePassword: (body) => post('/session/password', body),
  startSecondFactor: () => post('/session/second-factor'),
  confirmSecondFactor: (code) => post('/session/second-factor/confirm', { code }),
};

export const passwordReset = {
  ask: (email) => post('/password-reset', { email }),
  complete: (token, password) => post('/password-reset/complete', { token, password }),
};

export const appSettings = {
  get: (options) => get('/app-settings', options),
};

export const offlineKit = {
  get: (options) => get('/offline-kit', options),
};

export const rubrics = {
  current: (options) => get('/rubric', options),
  versions: (options) => get('/rubric/versions', options),
  version: (version, options) => get(`/rubric/versions/${version}`, options),
  load: (body) => post('/rubric/versions', body),
};

export const families = {
  caseload: (options) => get('/caseload', options),
  list: (params, options) => get(`/families${query(params)}`, options),
  open: (body) => post('/families', body),
  get: (id, options) => get(`/families/${id}`, options),
  update: (id, body) => patch(`/families/${id}`, body),
  close: (id, reason) => post(`/families/${id}/close`, { reason }),
  reopen: (id, reason) => post(`/families/${id}/reopen`, { reason }),
  timeline: (id, params, options) => get(`/families/${id}/timeline${query(params)}`, options),
  trends: (id, options) => get(`/families/${id}/trends`, options),
  photos: (id, params, options) => get(`/families/${id}/photos${query(params)}`, options),
  concerns: (id, options) => get(`/families/${id}/concerns`, options),
  respondToConcern: (id, body) => post(`/families/${id}/concerns/acknowledge`, body),
  flags: (id, params, options) => get(`/families/${id}/flags${query(params)}`, options),
  agreement: (id, options) => get(`/families/${id}/agreement`, options),
  saveAgreement: (id, body) => put(`/families/${id}/agreement`, body),
  whoViewed: (id, params, options) => get(`/families/${id}/who-viewed${query(params)}`, options),
  missingAgencies: (id, options) => get(`/families/${id}/missing-agencies`, options),
  findPeople: (params, options) => get(`/families/people${query(params)}`, options),
  addMember: (id, userId) => post(`/families/${id}/members`, { user_id: userId }),
  removeMember: (id, userId) => del(`/families/${id}/members/${userId}`),
  setLead: (id, userId) => put(`/families/${id}/lead`, { user_id: userId }),
  breakGlass: (body) => post('/families/break-glass', body),
  recordEvent: (id, body, key) => post(`/families/${id}/events`, body, withKey(key)),
  /** `file` is the export's name (summary.pdf, visits.csv …). */
  download: (id, file, params, options) => download(`/families/${id}/${file}${query(params)}`,
    options),
};

export const visits = {
  get: (id, options) => get(`/visits/${id}`, options),
  submit: (familyId, body, key) => post(`/families/${familyId}/visits`, body, withKey(key)),
  addPhoto: (visitId, form, key) => request(`/visits/${visitId}/photos`,
    withKey(key, { method: 'POST', body: form })),
  /** Puts a queued visit or photo that will never be sent on the record. */
  discardQueued: (body) => post('/outbox/discards', body),
};

export const flags = {
  respond: (id, body) => post(`/flags/${id}/acknowledge`, body),
};

export const inbox = {
  list: (params, options) => get(`/inbox${query(params)}`, options),
  markRead: (id) => post(`/inbox/${id}/read`),
};

export const engine = {
  parameters: (options) => get('/engine/parameters', options),
  change: (changes) => put('/engine/parameters', changes),
  history: (params, options) => get(`/engine/parameters/history${query(params)}`, options),
};

export const people = {
  list: (params, options) => get(`/people${query(params)}`, options),
  get: (id, options) => get(`/users/${id}`, options),
  update: (id, body) => patch(`/users/${id}`, body),
  invite: (body) => post('/users', body),
  sendPasswordLink: (id) => post(`/users/${id}/password-link`),
  resetSecondFactor: (id) => del(`/users/${id}/second-factor`),
};

export const agencies = {
  list: (options) => get('/agencies', options),
  add: (body) => post('/agencies', body),
  update: (id, body) => patch(`/agencies/${id}`, body),
};

export const audit = {
  accountLog: (params, options) => get(`/audit/account-log${query(params)}`, options),
};
