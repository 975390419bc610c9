// The platform's API, from the pages it serves (same origin). Once an officer has opened a key
// (lib/officer.js logs in with it), every request carries its token: a unit's own records (duties,
// demands, grants) are read only by their parties and the overseers (api/auth/access.py).
export const credentials = { token: null };
const authorization = () => (credentials.token ? { authorization: `Bearer ${credentials.token}` } : {});
export class ApiError extends Error {
  constructor(status, body) {
    const error = body?.error ?? {};
    super(error.message ?? `HTTP ${status}`);
    Object.assign(this, { status, code: error.code, field: error.field });
  }
}

async function handle(answer) {
  const body = answer.headers.get("content-type")?.includes("json") ? await answer.json() : null;
  if (!answer.ok) throw new ApiError(answer.status, body);
  return body;
}

/** `path` with the query's set parameters (empty and null ones left out). */
function withQuery(path, query) {
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== "" && v != null)).toString();
  return path + (qs ? `?${qs}` : "");
}

export function get(path, query = {}) {
  return fetch(withQuery(path, query), { headers: { accept: "application/json", ...authorization() } }).then(handle);
}

export function post(path, body) {
  return fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...authorization() },
    body: JSON.stringify(body),
  }).then(handle);
}

/** A file the API serves, as its bytes and headers (an export: the page hashes what it received). */
export async function getFile(path, query = {}) {
  const answer = await fetch(withQuery(path, query), { headers: authorization() });
  if (!answer.ok) await handle(answer);
  return { bytes: new Uint8Array(await answer.arrayBuffer()), headers: answer.headers };
}
