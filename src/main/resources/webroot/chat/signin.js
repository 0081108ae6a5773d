// Signing in (a development token, or a pasted one), starting the link for the session, signing
// out, and the page's start from what this browser remembers.
import { $, claimsOf, input, looseNotices, rooms, session, state, store, stored, tuning } from './state.js';
import { DevLoginOff, devLogin, forgetTokens, freshToken, setToken } from './tokens.js';
import { focusHome } from './layout.js';
import { forgetConnection, onEnd, onFrame, onLost, setStatus } from './connection.js';
import { restoreRooms } from './rooms.js';
import { forgetConversations } from './conversations.js';
import { renderAll } from './render.js';
import { renderBell } from './notifications.js';

function showSignin(message) {
  $('signin').hidden = false;
  $('app').hidden = true;
  $('who').hidden = true;
  $('signout').hidden = true;
  $('retry').hidden = true;
  renderBell(); // hidden: nobody is signed in
  $('signin-error').textContent = message || '';
  const login = stored('login');
  if (login) {
    $('login-user').value = login.user || '';
    $('login-name').value = login.name || '';
  }
  $('login-user').focus();
}

async function probeDevLogin() {
  try {
    const res = await fetch('/api/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    if (res.status === 404) {
      showDevLoginOff();
    }
  } catch (e) {
    // the node is not reachable now; signing in will say so
  }
}

function showDevLoginOff() {
  $('login-form').hidden = true;
  $('devlogin-off').hidden = false;
  $('token-box').open = true;
}

// a second submit while the first waits for its token (a double click on a slow network)
// would sign in twice: see begin
let signingIn = false;

export async function onLogin(event) {
  event.preventDefault();
  if (signingIn) {
    return;
  }
  const user = $('login-user').value.trim();
  const name = $('login-name').value.trim();
  // 64 characters as the service counts them (code points): maxlength counted UTF-16 units,
  // which let no more than 32 emoji in
  if ([...name].length > 64) {
    $('signin-error').textContent = 'A display name has at most 64 characters.';
    return;
  }
  $('signin-error').textContent = '';
  signingIn = true;
  try {
    const token = await devLogin(user, name);
    begin({ user, name }, token, 'dev');
  } catch (err) {
    if (err instanceof DevLoginOff) {
      showDevLoginOff();
    }
    $('signin-error').textContent = err.message;
  } finally {
    signingIn = false;
  }
}

export function onTokenLogin(event) {
  event.preventDefault();
  const token = $('login-token').value.trim();
  const claims = claimsOf(token);
  if (!claims) {
    $('signin-error').textContent = 'That is not a token (a JWT with a sub claim).';
    return;
  }
  // whether it expired, the node says: this browser's clock may be ahead
  $('login-token').value = '';
  begin({ user: claims.sub, name: claims.name || '' }, token, 'token');
}

function begin(login, token, mode) {
  if (state.link) {
    // one link per page: a link left open by an earlier sign-in (the remembered login's, or
    // a form sent twice) would live on past sign-out with its token, and hand the next user
    // of this tab the first one's private messages
    state.link.stop();
    state.link = null;
  }
  session.login = login;
  session.welcomed = false; // a token refused before any welcome sends back to sign-in
  session.mode = mode;
  session.user = claimsOf(token).sub;
  setToken(token);
  restoreRooms();
  const fromSignin = $('signin').contains(document.activeElement);
  $('signin').hidden = true;
  $('app').hidden = false;
  $('who').hidden = false;
  $('signout').hidden = false;
  renderBell();
  $('me').textContent = login.name || session.user;
  renderAll();
  if (fromSignin) {
    focusHome(); // the form just used is gone: the keyboard starts where one writes
  }
  state.link = new window.SwitchboardLink({
    tuning,
    url: async () => {
      const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
      return scheme + '//' + location.host + '/ws?token=' + encodeURIComponent(await freshToken());
    },
    onState: setStatus,
    onFrame,
    onLost,
    onEnd,
  });
  state.link.start();
}

export function signOut(message) {
  if (state.link) {
    state.link.stop();
    state.link = null; // nothing may open it again, not even the browser coming back online
  }
  session.token = null;
  session.exp = null;
  forgetTokens();
  forgetConnection();
  store('login', session.login ? { user: session.login.user, name: session.login.name } : null);
  rooms.clear();
  state.current = null;
  looseNotices.length = 0; // the next person to sign in here does not get them
  forgetConversations();
  session.login = null;
  $('renew').hidden = true;
  input.value = ''; // the next person to sign in here does not get it
  setStatus('offline', 0);
  showSignin(message);
}

export function boot() {
  probeDevLogin();
  const login = stored('login');
  const claims = login && login.token ? claimsOf(login.token) : null;
  // a pasted token goes to the node whatever this browser's clock says (the node judges its
  // expiry); a development token near its end is renewed first
  if (claims && (login.mode !== 'dev' || typeof claims.exp !== 'number' || claims.exp * 1000 > Date.now() + 60000)) {
    begin({ user: login.user || claims.sub, name: login.name || '' }, login.token, login.mode || 'token');
  } else if (login && login.mode === 'dev' && login.user) {
    devLogin(login.user, login.name).then(
      token => begin({ user: login.user, name: login.name }, token, 'dev'),
      err => showSignin(err.message));
  } else {
    showSignin(login && login.token ? 'Your token has expired.' : '');
  }
}
