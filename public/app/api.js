// The one way views talk to the AutoLynx API: bearer token on every call,
// the error envelope turned into ApiError, conditional GETs for polling and
// XHR uploads for progress.

import { token, refresh } from './auth.js';

// ApiError carries the envelope {"error":{"code","message","details"}}.
export class ApiError extends Error {
  constructor(status, code, message, details, retryAfter = 0) {
    super(message);
    Object.assign(this, { status, code, details, retryAfter });
  }
}

let authFailed = () => {};
// onAuthFailure sets what happens when the API answers 401 for good.
export function onAuthFailure(fn) { authFailed = fn; }

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// api calls path and returns the parsed JSON (null for 204/304), or the
// Response itself with raw. GETs rate limited are retried after Retry-After.
// allow lists error statuses whose JSON body is returned rather than thrown
// (e.g. [503] for /api/health, which still describes what is degraded).
export async function api(path, { method = 'GET', body, etag, raw, allow } = {}) {
  for (let attempt = 0; ; attempt++) {
    const headers = await authHeaders();
    let payload = body;
    if (body !== undefined && !(body instanceof FormData || body instanceof Blob)) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    if (etag) headers['If-None-Match'] = etag;
    // Routes that can also redirect (a call's recording) answer JSON then.
    if (!raw) headers.Accept = 'application/json';
    let res;
    try {
      res = await fetch(path, { method, headers, body: payload, cache: 'no-store' });
    } catch {
      throw new ApiError(0, 'NETWORK', 'Cannot reach the server. Check your connection and try again.');
    }
    if (res.status === 401 && attempt === 0 && (await refresh())) continue;
    if (res.status === 429 && method === 'GET' && attempt < 3) {
      await sleep(Math.min(retryAfter(res.headers.get('Retry-After')), 30) * 1000);
      continue;
    }
    if (!res.ok && res.status !== 304 && !allow?.includes(res.status)) throw fail(res.status, await res.text(), res.headers.get('Retry-After'));
    if (raw) return res;
    return res.status === 204 || res.status === 304 ? null : res.json();
  }
}

async function authHeaders() {
  const t = await token();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

const retryAfter = (v) => Math.max(1, parseInt(v, 10) || 5);

// fail builds the ApiError for an error answer and, with report, tells
// the app the session is gone.
function fail(status, text, retry, report = true) {
  let e = {};
  try { e = JSON.parse(text).error || {}; } catch { /* not the envelope */ }
  const err = new ApiError(status, e.code || `HTTP_${status}`, e.message || `The server answered ${status}.`, e.details, retry ? retryAfter(retry) : 0);
  if (status === 401 && report) authFailed(err);
  return err;
}

// conditionalGet returns a conditional GET for one view: changed is false
// when the server answered 304 for the ETag of this view's previous answer.
// Each view gets its own cache, so a view opened again draws at once
// instead of waiting for a change.
export function conditionalGet() {
  const etags = new Map();
  return async function cached(path) {
    const prev = etags.get(path);
    const res = await api(path, { raw: true, etag: prev?.etag });
    if (res.status === 304 && prev) return { data: prev.data, changed: false };
    const data = await res.json();
    const etag = res.headers.get('ETag');
    etags.delete(path);
    if (etag) etags.set(path, { etag, data });
    if (etags.size > 40) etags.delete(etags.keys().next().value);
    return { data, changed: true };
  };
}

// upload POSTs body with XMLHttpRequest so progress(loaded, total) can
// follow the bytes; a rate-limited chunk waits (wait(seconds, lost)) and goes
// again, which is safe because the server refused it whole. key is the
// request's Idempotency-Key: with it, an answer lost on the way (no answer,
// a gateway error, a busy server) is asked for again with the same key,
// which the server answers without importing twice.
export async function upload(path, body, contentType, progress, wait, key) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send(path, body, contentType, progress, key);
    } catch (err) {
      if (err.status === 401 && attempt === 0 && (await refresh())) continue;
      const lost = key && [0, 502, 503, 504].includes(err.status);
      if ((err.status !== 429 && !lost) || attempt >= 5) {
        if (err.status === 401) authFailed(err);
        throw err;
      }
      const s = err.retryAfter || (lost ? 2 : 5);
      wait?.(s, lost);
      await sleep(s * 1000);
    }
  }
}

async function send(path, body, contentType, progress, key) {
  const headers = await authHeaders();
  if (key) headers['Idempotency-Key'] = key;
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', path);
    for (const [k, v] of Object.entries(headers)) x.setRequestHeader(k, v);
    if (contentType) x.setRequestHeader('Content-Type', contentType);
    x.upload.onprogress = (e) => progress?.(e.loaded, e.total || e.loaded);
    x.onload = () => {
      if (x.status >= 200 && x.status < 300) {
        try { resolve(JSON.parse(x.responseText)); } catch { reject(new ApiError(x.status, 'BAD_RESPONSE', 'The server sent an unreadable answer.')); }
        return;
      }
      reject(fail(x.status, x.responseText, x.getResponseHeader('Retry-After'), false));
    };
    x.onerror = () => reject(new ApiError(0, 'NETWORK', 'The upload did not reach the server. Check your connection and retry.'));
    x.send(body);
  });
}

