// The Web UI's entry module: asks the server whether this browser has a
// session (GET /api/session) and shows the login page or the views.  An
// unauthenticated client gets 401 from every API request, and this page
// then shows the login form: that is the whole flow until the server has
// sessions.

import * as api from './api.js';
import * as views from './views.js';

const $ = (id) => document.getElementById(id);

function showLogin(message) {
  views.stop();
  $('app-view').hidden = true;
  $('logout').hidden = true;
  $('login-view').hidden = false;
  $('login-error').textContent = message || '';
  $('password').value = '';
  $('username').focus();
}

function showApp() {
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  $('logout').hidden = false;
  views.start(() => showLogin('Your session ended; please log in again.'));
}

async function onSubmit(event) {
  event.preventDefault();
  const username = $('username').value.trim();
  const password = $('password').value;
  if (!username || !password) {
    $('login-error').textContent = 'Enter a username and a password.';
    return;
  }
  const submit = $('login-submit');
  submit.disabled = true;
  $('login-error').textContent = '';
  try {
    const res = await api.login(username, password);
    if (res.status === 200) showApp();
    else showLogin(`Login failed: ${api.errorText(res)}`);
  } catch {
    showLogin('The server does not answer.');
  } finally {
    submit.disabled = false;
  }
}

async function onLogout() {
  try { await api.logout(); } catch { /* the session is dropped here either way */ }
  showLogin('Logged out.');
}

async function boot() {
  $('login-form').addEventListener('submit', onSubmit);
  $('logout').addEventListener('click', onLogout);
  try {
    const res = await api.getSession();
    if (res.status === 200) showApp();
    else showLogin('');
  } catch {
    showLogin('The server does not answer.');
  }
}

boot();
