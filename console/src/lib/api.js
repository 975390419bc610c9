// The platform's API, from the pages it serves (same origin).
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

export function get(path, query = {}) {
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== "" && v != null));
  const qs = params.toString();
  return fetch(path + (qs ? `?${qs}` : ""), { headers: { accept: "application/json" } }).then(handle);
}

export function post(path, body, { token = null } = {}) {
  const auth = token ? { authorization: `Bearer ${token}` } : {};
  return fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...auth },
    body: JSON.stringify(body),
  }).then(handle);
}
