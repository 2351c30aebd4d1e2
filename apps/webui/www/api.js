// The JSON API client (docs/webui.md, "API"): same-origin fetches only;
// state-changing requests are POSTs with a JSON body, which the server
// checks for its Origin and Content-Type.  Every answer resolves to
// {status, data}; data is the parsed JSON body, or null.

async function call(method, path, body) {
  const init = { method, credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let data = null;
  if ((res.headers.get('Content-Type') || '').startsWith('application/json')) {
    try { data = await res.json(); } catch { data = null; }
  }
  return { status: res.status, data };
}

export const getSession = () => call('GET', '/api/session');
export const getProcesses = () => call('GET', '/api/processes');
export const getMemory = () => call('GET', '/api/memory');
export const getUptime = () => call('GET', '/api/uptime');
export const getCapgraph = () => call('GET', '/api/capgraph');
export const login = (username, password) => call('POST', '/api/login', { username, password });
export const logout = () => call('POST', '/api/logout', {});

// The message an error answer carries, for the user.
export function errorText(res) {
  if (res.data && typeof res.data.error === 'string') return res.data.error;
  return `the server answered ${res.status}`;
}
