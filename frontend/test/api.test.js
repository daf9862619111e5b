import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError, families, inbox, sessionEnded, setCsrfToken, visits,
} from '../src/api.js';

let sent;

function answer(status, body) {
  return { ok: status < 400, status, json: async () => body,
    headers: new Headers({ 'Content-Disposition': 'attachment; filename="summary.pdf"' }),
    blob: async () => new Blob(['%PDF']) };
}

beforeEach(() => {
  sent = [];
  vi.stubGlobal('fetch', vi.fn(async (url, options) => {
    sent.push({ url, ...options });
    return answer(200, { id: 9 });
  }));
  setCsrfToken('token-1');
});
afterEach(() => vi.unstubAllGlobals());

describe('addresses', () => {
  it('names each call and builds its address and query', async () => {
    await families.timeline(3, { page: 2, per_page: 20 });
    await families.list({ status: 'closed' });
    await inbox.list({ unread: null });
    await families.download(3, 'summary.pdf', { from: '2026-01-01', to: '' });
    expect(sent.map((request) => request.url)).toEqual([
      '/api/v1/families/3/timeline?page=2&per_page=20',
      '/api/v1/families?status=closed',
      '/api/v1/inbox',
      '/api/v1/families/3/summary.pdf?from=2026-01-01',
    ]);
  });

  it('sends a change with the CSRF token and the idempotency key', async () => {
    await visits.submit(3, { notes: '' }, 'key-1');
    const [request] = sent;
    expect(request.url).toBe('/api/v1/families/3/visits');
    expect(request.method).toBe('POST');
    expect(request.headers['X-CSRF-Token']).toBe('token-1');
    expect(request.headers['Idempotency-Key']).toBe('key-1');
    expect(JSON.parse(request.body)).toEqual({ notes: '' });
  });

  it('sends a read without the CSRF token', async () => {
    await families.get(3);
    expect(sent[0].headers['X-CSRF-Token']).toBeUndefined();
  });
});

describe('answers', () => {
  it('says the server could not be reached', async () => {
    fetch.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    const error = await families.get(3).catch((problem) => problem);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.offline).toBe(true);
  });

  it('gives the server’s refusal in its words', async () => {
    fetch.mockResolvedValueOnce(answer(422, { error: { code: 'invalid', message: 'Say when.',
      fields: { visited_at: ['Say when.'] } } }));
    const error = await visits.submit(3, {}, 'key-2').catch((problem) => problem);
    expect(error).toMatchObject({ status: 422, code: 'invalid', message: 'Say when.',
      fields: { visited_at: ['Say when.'] } });
  });

  it('tells the app when the session has ended', async () => {
    const before = sessionEnded.get();
    fetch.mockResolvedValueOnce(answer(401, { error: { code: 'unauthorised' } }));
    await families.get(3).catch(() => {});
    expect(sessionEnded.get()).toBe(before + 1);
  });
});
