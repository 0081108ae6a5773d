// Tokens: development login, the renewal of a development token before it expires (handed to
// the open link with `refresh`), and tokens pasted in, at sign-in or after one ran out.
import { $, claimsOf, session, state, store } from './state.js';
import { hideKeepingFocus } from './layout.js';
import { describe, endedFor, readRetrying } from './connection.js';
import { currentRoom } from './rooms.js';
import { notice } from './messages.js';

/** The next renewal of the token (scheduleRefresh). */
let refreshTimer = null;

export class DevLoginOff extends Error {}

export async function devLogin(user, name) {
  const body = { user };
  if (name) {
    body.name = name;
  }
  const res = await fetch('/api/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status === 404) {
    throw new DevLoginOff('development login is off on this service: paste a token');
  }
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new Error(answer.message || ('sign-in failed (' + res.status + ')'));
  }
  return answer.token;
}

export function setToken(token) {
  const claims = claimsOf(token);
  session.token = token;
  session.exp = claims && typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  store('login', Object.assign({}, session.login, { token, mode: session.mode }));
  scheduleRefresh();
}

/** The token for the next connection: a dev token near its end is renewed first. */
export async function freshToken() {
  if (session.exp && session.mode === 'dev' && session.exp - Date.now() < 60000) {
    const login = session.login;
    try {
      const token = await devLogin(login.user, login.name);
      if (session.login !== login) {
        // signed out meanwhile (here or in another tab): the token must not sign the page in
        // again, nor go to whoever signed in since (the link that asked is stopped)
        throw new Error('signed out');
      }
      setToken(token);
    } catch (e) {
      if (!(e instanceof DevLoginOff)) {
        throw e; // the link asks again, with its back-off
      }
      if (session.exp <= Date.now()) {
        // development login turned off meanwhile: asking again will not help once the token is out
        throw Object.assign(new Error('token expired'), { closeCode: 1008 });
      }
      // still valid for a while: used as it is
    }
  }
  // a pasted token goes as it is, expired or not by this browser's clock (which may be ahead):
  // the node judges, and closes with 1008 "token expired" if it is
  return session.token;
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  if (!session.exp) {
    return;
  }
  const left = session.exp - Date.now();
  const lead = Math.min(5 * 60000, Math.max(30000, left / 10));
  // once a minute at most: where this browser's clock runs far ahead of the server's, every new
  // token looks about to expire, and each renewal would ask for the next one at once
  const wait = Math.max(0, left - lead, refreshedAt + 60000 - performance.now());
  refreshTimer = setTimeout(refreshToken, Math.min(wait, 2147483647));
}

/**
 * When refreshToken last brought a new token, on the page's monotonic clock (as every wait here
 * is: a computer's clock set back ten minutes held the page's retries and sends for as long).
 */
let refreshedAt = -Infinity;

/**
 * Renews a dev token before it expires and hands it to the open connection with `refresh`. A
 * token from an identity provider cannot be renewed here: the page asks for a new one.
 */
export async function refreshToken() {
  if (session.mode !== 'dev') {
    showRenew('Your token expires at ' + new Date(session.exp).toLocaleTimeString()
      + '. Paste a new one to stay connected:');
    return false;
  }
  const login = session.login;
  try {
    const token = await devLogin(login.user, login.name);
    if (state.link && state.link.connected) {
      await readRetrying({ type: 'refresh', token }); // a read: it may wait out the reads' bucket
    }
    if (session.login !== login) {
      return false; // signed out meanwhile: the token must not sign the page in again
    }
    refreshedAt = performance.now();
    setToken(token);
    return true;
  } catch (err) {
    if (session.login === login) {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(refreshToken, 30000);
    }
    return false;
  }
}

/**
 * Takes a new token for the signed-in user (pasted, or handed in by a page that embeds this
 * one): the open link gets it with `refresh`, the next connections use it. Null when taken,
 * else why not.
 */
export async function useToken(token) {
  const claims = claimsOf(token);
  if (!claims) {
    return 'That is not a token (a JWT with a sub claim).';
  }
  if (claims.sub !== session.user) {
    return 'That token is for ' + claims.sub + ', not for ' + session.user + '.';
  }
  // whether it expired, the node says (this browser's clock may be ahead): on the open link
  // with `refresh`, or by closing the new one with 1008
  const login = session.login;
  if (state.link && state.link.connected) {
    try {
      await readRetrying({ type: 'refresh', token }); // a read: it may wait out the reads' bucket
    } catch (err) {
      return 'The service did not take it: ' + describe(err);
    }
  }
  if (!login || session.login !== login) {
    return 'Signed out meanwhile.'; // the token must not sign the page in again
  }
  setToken(token);
  hideKeepingFocus($('renew'));
  $('renew-error').textContent = '';
  if (state.link && state.link.stopped && endedByExpiry) {
    // the link that ended at the old token's expiry (and only that one: a kicked or refused
    // link stays down): rooms and drafts are all still here
    endedByExpiry = false;
    expiredThenPasted = true;
    state.link.start();
  }
  return null;
}

/** Whether the link was started again with a token pasted after an expiry (the node may refuse that one too). */
let expiredThenPasted = false;
/** Whether the link is down because the token expired: a new one starts it again. */
export let endedByExpiry = false;

/** Signed out: no renewal is due, and no expiry holds the link down. */
export function forgetTokens() {
  clearTimeout(refreshTimer);
  endedByExpiry = false;
}

/** Shows the form for a new token with {@code text} as its label. */
function showRenew(text) {
  $('renew-label').textContent = text;
  $('renew').hidden = false;
}

/**
 * A pasted token ran out and the node closed the link: the page stays, with its rooms and what
 * was typed (signing out took both), and asks for a new token, which starts the link again.
 */
export function tokenRanOut(reason) {
  endedByExpiry = true;
  const expired = reason === 'token expired';
  endedFor(expired ? 'token expired' : 'token refused');
  // unauthorized after a welcome: the service's signing key changed under a token it took before
  showRenew((expired ? 'Your token has expired.' : 'The service no longer accepts your token (unauthorized).')
    + ' Paste a new one to reconnect: your rooms and what you typed stay here.');
  $('renew-error').textContent = !expiredThenPasted ? ''
    : expired ? 'The service says that token has expired too.' : 'The service did not accept that token either.';
  expiredThenPasted = false;
  notice(currentRoom(), (expired ? 'Your token has expired' : 'The service no longer accepts your token')
    + ': paste a new one above to reconnect.', 'error');
  $('renew-token').focus(); // nothing can be sent until then; a screen reader reads the label
}

export async function onRenew(event) {
  event.preventDefault();
  const error = await useToken($('renew-token').value.trim());
  $('renew-error').textContent = error || '';
  if (!error) {
    $('renew-token').value = '';
    hideKeepingFocus($('renew'));
    notice(currentRoom(), 'Token renewed' + (session.exp ? ': valid until ' + new Date(session.exp).toLocaleTimeString() : '') + '.');
  }
}
