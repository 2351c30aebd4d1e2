// The Web UI's browser test (docs/webui.md, "Tests"): Debian's chromium,
// headless, driven by playwright-core (./capos deps puts it into
// tests/browser/node_modules), against webui in QEMU through the forwarded
// port (CAPOS_HOSTFWD_MAP, set by ci/qemu_run.py --net-exec).  Checks:
//   - the login page: labelled Username and Password fields, a Log in button;
//   - keyboard: focus starts in Username, Tab goes Password, then Log in;
//   - a login through the form reaches the server with the right Origin
//     and shows its answer (503 "sessions unavailable" until sessions exist);
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

  // a login through the form, by keyboard: the server's answer is shown
  await user.fill('guest');
  await pass.fill('guest');
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/login'));
  await pass.press('Enter');
  const login = await answer;
  const text = page.locator('#login-error');
  await text.filter({ hasText: /\S/ }).waitFor({ timeout: 10000 });
  const shown = await text.textContent();
  if (login.status() !== 503 || !shown.includes('sessions unavailable')) {
    fail(`login answered ${login.status()}, page says "${shown}"`);
  }
  if (await pass.inputValue() !== '') fail('the password stays in the field after a failed login');
  await page.screenshot({ path: path.join(logDir, 'browser-login.png'), fullPage: true });

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
  console.log(`browser: login page ok (labels, focus order, 503 shown, phone width ${widths.page} px, no CSP ` +
              `violation); screenshots in ${logDir}`);
} finally {
  await browser.close();
}
