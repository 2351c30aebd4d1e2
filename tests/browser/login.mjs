// The Web UI's browser test (docs/webui.md, "Tests"): Debian's chromium,
// headless, driven by playwright-core (./capos deps puts it into
// tests/browser/node_modules), against webui in QEMU through the forwarded
// port (CAPOS_HOSTFWD_MAP, set by ci/qemu_run.py --net-exec).  Checks:
//   - the login page: labelled Username and Password fields, a Log in button;
//   - keyboard: focus starts in Username, Tab goes Password, then Log in;
//   - a wrong password through the form: 401, "login incorrect" shown, the
//     password field emptied; then the right one (operator/capos): the
//     views with the process table (init and webui in it), memory, uptime
//     and the capability graph drawn as SVG, refreshed without a reload;
//     the session cookie HttpOnly and SameSite=Strict;
//   - a guest sees its own session's processes (none) but no graph or memory;
//   - logout shows the login page, and the old cookie gets 401 and the
//     login page when put back;
//   - no Content-Security-Policy violation (events and console) and no
//     uncaught error in the page;
//   - phone width (375 px): nothing wider than the screen;
// and keeps screenshots (desktop and phone) beside the serial log.
import { chromium } from 'playwright-core';
import path from 'node:path';

const fail = (msg) => { console.log(`browser: FAILED ${msg}`); process.exitCode = 1; throw new Error(msg); };

function hostPort() {
  for (const item of (process.env.CAPOS_HOSTFWD_MAP || '').split(',')) {
    const [guest, host] = item.split('=');
    if (guest === '80') return host;
  }
  fail('no forward of guest port 80 in CAPOS_HOSTFWD_MAP');
}

const base = `http://127.0.0.1:${hostPort()}`;
const logDir = process.env.CAPOS_SERIAL_LOG ? path.dirname(process.env.CAPOS_SERIAL_LOG) : '.';
const browser = await chromium.launch({
  executablePath: process.env.CAPOS_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});

try {
  const context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
  const page = await context.newPage();
  const cspConsole = [];
  const pageErrors = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspConsole.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  // runs through the browser's protocol, not as page script: CSP does not apply to it
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });

  const res = await page.goto(`${base}/`, { waitUntil: 'networkidle' });
  if (res.status() !== 200) fail(`GET / answered ${res.status()}`);
  const csp = res.headers()['content-security-policy'] || '';
  if (!csp.includes("default-src 'self'")) fail(`no strict CSP on the page: ${csp}`);

  // the login page, with labelled fields
  const user = page.getByLabel('Username');
  const pass = page.getByLabel('Password');
  const submit = page.getByRole('button', { name: 'Log in' });
  await user.waitFor({ state: 'visible', timeout: 10000 });
  if (!(await pass.isVisible()) || !(await submit.isVisible())) fail('password field or Log in button not visible');
  if ((await pass.getAttribute('type')) !== 'password') fail('the password field is not type=password');
  if (await page.locator('#app-view').isVisible()) fail('the views show without a session');

  // keyboard focus order
  const focused = () => page.evaluate(() => document.activeElement && document.activeElement.id);
  if ((await focused()) !== 'username') fail(`focus starts on ${await focused()}, not username`);
  await page.keyboard.press('Tab');
  if ((await focused()) !== 'password') fail(`Tab from username reaches ${await focused()}`);
  await page.keyboard.press('Tab');
  if ((await focused()) !== 'login-submit') fail(`Tab from password reaches ${await focused()}`);

  // a wrong password through the form, by keyboard: the server's answer is shown
  const loginAs = async (name, password) => {
    await user.fill(name);
    await pass.fill(password);
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/login'));
    await pass.press('Enter');
    return answer;
  };
  const text = page.locator('#login-error');
  let login = await loginAs('operator', 'wrong-password');
  await text.filter({ hasText: /login incorrect/ }).waitFor({ timeout: 15000 });
  if (login.status() !== 401) fail(`a wrong password answered ${login.status()}`);
  if (await pass.inputValue() !== '') fail('the password stays in the field after a failed login');
  await page.screenshot({ path: path.join(logDir, 'browser-login.png'), fullPage: true });

  // the right one: the views, filled from the API
  login = await loginAs('operator', 'capos');
  if (login.status() !== 200) fail(`operator/capos answered ${login.status()}`);
  await page.locator('#app-view').waitFor({ state: 'visible', timeout: 10000 });
  await page.locator('#procs tbody tr').first().waitFor({ timeout: 15000 });
  await page.locator('#capgraph svg .node.service').first().waitFor({ timeout: 15000 });
  const table = await page.locator('#procs tbody').innerText();
  if (!/\binit\b/.test(table) || !/\bwebui\b/.test(table)) fail(`the process table lacks init or webui: ${table}`);
  const services = await page.locator('#capgraph svg .node.service').count();
  const links = await page.locator('#capgraph svg line.edge').count();
  const holds = await page.locator('#holdings li').count();
  if (services < 4 || links < 3 || holds !== services) fail(`graph: ${services} services, ${links} links, ${holds} listed`);
  if (!/used/.test(await page.locator('#memory-text').innerText())) fail('no memory figures');
  const stamp = await page.locator('#app-status').innerText();
  await page.waitForFunction((s) => document.getElementById('app-status').innerText !== s, stamp, { timeout: 10000 });
  const cookie = (await context.cookies()).find((c) => c.name === 'capos_session');
  if (!cookie || !cookie.httpOnly || cookie.sameSite !== 'Strict' || cookie.value.length !== 64) {
    fail(`session cookie: ${JSON.stringify(cookie)}`);
  }
  await page.screenshot({ path: path.join(logDir, 'browser-app.png'), fullPage: true });

  // logout: the login page; the old cookie is refused, by the API and by the page
  await page.getByRole('button', { name: 'Log out' }).click();
  await user.waitFor({ state: 'visible', timeout: 10000 });
  const old = await context.request.get(`${base}/api/session`, { headers: { Cookie: `capos_session=${cookie.value}` } });
  if (old.status() !== 401) fail(`the old cookie answered ${old.status()}`);
  await context.addCookies([cookie]);
  await page.reload({ waitUntil: 'networkidle' });
  await user.waitFor({ state: 'visible', timeout: 10000 });
  if (await page.locator('#app-view').isVisible()) fail('the views show with the old cookie');

  // a guest: its own session's processes (none run in a browser's session), no graph, no memory
  login = await loginAs('guest', 'guest');
  if (login.status() !== 200) fail(`guest/guest answered ${login.status()}`);
  await page.locator('#app-view').waitFor({ state: 'visible', timeout: 10000 });
  await page.waitForFunction(() => document.getElementById('capgraph').closest('section').hidden, null, { timeout: 10000 });
  if (!(await page.locator('#procs').isVisible()) || await page.locator('#procs tbody tr').count() !== 0) {
    fail('a guest does not see its (empty) process table');
  }
  if (await page.locator('#capgraph svg').count() || await page.locator('#memory-meter').isVisible()) {
    fail('a guest sees the graph or the memory');
  }
  await page.screenshot({ path: path.join(logDir, 'browser-guest.png'), fullPage: true });
  await page.getByRole('button', { name: 'Log out' }).click();
  await user.waitFor({ state: 'visible', timeout: 10000 });

  // phone width
  await page.setViewportSize({ width: 375, height: 667 });
  await page.reload({ waitUntil: 'networkidle' });
  await user.waitFor({ state: 'visible' });
  const widths = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    form: document.getElementById('login-form').getBoundingClientRect().right,
  }));
  if (widths.page > 375 || widths.form > 375) fail(`wider than a phone: ${JSON.stringify(widths)}`);
  await page.screenshot({ path: path.join(logDir, 'browser-login-phone.png'), fullPage: true });

  const violations = await page.evaluate(() => window.__csp);
  if (violations.length || cspConsole.length) fail(`CSP violations: ${[...violations, ...cspConsole].join('; ')}`);
  if (pageErrors.length) fail(`errors in the page: ${pageErrors.join('; ')}`);
  console.log(`browser: ok (labels, focus order, login incorrect shown, operator views with ${services} services ` +
              `and ${links} links, guest limited, logout and the old cookie refused, phone width ${widths.page} px, ` +
              `no CSP violation); screenshots in ${logDir}`);
} finally {
  await browser.close();
}
