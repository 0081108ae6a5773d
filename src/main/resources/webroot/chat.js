// Switchboard chat page: sign-in, rooms, private conversations, members and history over
// PROTOCOL.md. Each room keeps its messages by seq, so a reconnect that rejoins with `since`,
// a history page and a live frame can arrive in any order and each message still shows once,
// in order. Plain JavaScript, no dependencies, no build step.
(function () {
  'use strict';

  const V = window.SwitchboardView;
  const { claimsOf } = window.switchboardJwt;
  const STORE = 'switchboard.chat';
  const DEFAULT_ROOM = 'lobby';
  const PAGE = 50;
  const NEAR_BOTTOM_PX = 40;
  const NEAR_TOP_PX = 80;

  // tuning knobs in the query string, for tests and odd networks: ?pingMs=…&pongTimeoutMs=…
  // Each has a floor: a link with ?pongTimeoutMs=1&retryMinMs=1 sent to someone made their page
  // drop and reopen its connection without pause, a leave and a join in every room each time.
  const query = new URLSearchParams(location.search);
  const knob = (name, fallback, floor) => {
    const value = Number(query.get(name));
    return Number.isFinite(value) && value > 0 ? Math.max(floor, value) : fallback;
  };
  const tuning = {
    pingMs: knob('pingMs', 25000, 250),
    pongTimeoutMs: knob('pongTimeoutMs', 10000, 500),
    retryMinMs: knob('retryMinMs', 1000, 200),
    retryMaxMs: knob('retryMaxMs', 30000, 1000),
    healthyMs: knob('healthyMs', 30000, 1000),
    welcomeMs: knob('welcomeMs', 15000, 1000),
    // at least the node's own 5 s deadline and a second: sooner, answers still coming are given up
    requestTimeoutMs: knob('requestTimeoutMs', 15000, 6000),
    maxItems: knob('maxItems', 1000, 20),
    // a node that died still counts its connections until the cluster declares it dead
    // (cluster.failureTimeout, 10 s by default)
    tooManyRetryMs: knob('tooManyRetryMs', 15000, 500),
  };

  const $ = id => document.getElementById(id);
  const log = $('log');
  const input = $('input');

  // who is signed in: the login typed (for a new dev token), the token, and what welcome said
  const session = { login: null, token: null, exp: null, mode: null, user: null, name: null, node: null, limits: null, welcomed: false };
  const rooms = new Map();
  let current = null;
  let link = null;
  let refreshTimer = null;
  let reconnecting = false;
  let sending = false;
  // after a rate_limited refusal, sends wait out its retryAfterMs and at least a second: each
  // refusal counts toward the node's close with 4008 (20 within 10 s), and Enter held down got
  // there; one refusal a second at most stays under it whatever the rate
  let heldUntil = 0;
  let heldTimer = null;
  /** Counts welcomes: a retry scheduled on one connection does nothing on the next, which rejoins by itself. */
  let generation = 0;
  /** Errors that say "not now" rather than "no": a join or a gap read is tried again after this. */
  const TRANSIENT = ['unavailable', 'timeout', 'internal', 'rate_limited'];
  /** Notices told while no room is open, shown in the empty log: the latest few. */
  const looseNotices = [];
  const MAX_LOOSE_NOTICES = 5;
  const RETRY_MS = 3000;

  // ---- storage ------------------------------------------------------------------------------

  function store(key, value) {
    try {
      if (value === null) {
        localStorage.removeItem(STORE + '.' + key);
      } else {
        localStorage.setItem(STORE + '.' + key, JSON.stringify(value));
      }
    } catch (e) {
      // private browsing or a full storage: the page works, it just forgets
    }
  }

  function stored(key) {
    try {
      return JSON.parse(localStorage.getItem(STORE + '.' + key));
    } catch (e) {
      return null;
    }
  }

  function saveRooms() {
    if (!session.login) {
      return;
    }
    const list = [...rooms.values()];
    store('rooms.' + session.login.user, {
      rooms: list.filter(r => r.kind === 'room').map(r => r.name),
      conversations: list.filter(r => r.kind === 'dm').map(r => ({ room: r.name, peer: r.peer, peerName: r.peerName })),
      current,
    });
  }

  // ---- tokens -------------------------------------------------------------------------------

  class DevLoginOff extends Error {}

  async function devLogin(user, name) {
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

  function setToken(token) {
    const claims = claimsOf(token);
    session.token = token;
    session.exp = claims && typeof claims.exp === 'number' ? claims.exp * 1000 : null;
    store('login', Object.assign({}, session.login, { token, mode: session.mode }));
    scheduleRefresh();
  }

  /** The token for the next connection: a dev token near its end is renewed first. */
  async function freshToken() {
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
  async function refreshToken() {
    if (session.mode !== 'dev') {
      showRenew('Your token expires at ' + new Date(session.exp).toLocaleTimeString()
        + '. Paste a new one to stay connected:');
      return false;
    }
    const login = session.login;
    try {
      const token = await devLogin(login.user, login.name);
      if (link && link.connected) {
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
  async function useToken(token) {
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
    if (link && link.connected) {
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
    if (link && link.stopped && endedByExpiry) {
      // the link that ended at the old token's expiry (and only that one: a kicked or refused
      // link stays down): rooms and drafts are all still here
      endedByExpiry = false;
      expiredThenPasted = true;
      link.start();
    }
    return null;
  }

  /** Whether the link was started again with a token pasted after an expiry (the node may refuse that one too). */
  let expiredThenPasted = false;
  /** Whether the link is down because the token expired: a new one starts it again. */
  let endedByExpiry = false;

  /** Shows the form for a new token with {@code text} as its label. */
  function showRenew(text) {
    $('renew-label').textContent = text;
    $('renew').hidden = false;
  }

  /**
   * A pasted token ran out and the node closed the link: the page stays, with its rooms and what
   * was typed (signing out took both), and asks for a new token, which starts the link again.
   */
  function tokenRanOut(reason) {
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

  async function onRenew(event) {
    event.preventDefault();
    const error = await useToken($('renew-token').value.trim());
    $('renew-error').textContent = error || '';
    if (!error) {
      $('renew-token').value = '';
      hideKeepingFocus($('renew'));
      notice(currentRoom(), 'Token renewed' + (session.exp ? ': valid until ' + new Date(session.exp).toLocaleTimeString() : '') + '.');
    }
  }

  /**
   * Where a keyboard's focus goes when what held it is hidden: the message box, or the join box
   * (on a narrow screen, with the room list closed, the button that opens it).
   */
  function focusHome() {
    const to = $('composer').hidden || $('app').hidden ? $('join-room') : input;
    (to.getClientRects().length ? to : $('menu')).focus();
  }

  /** Hides an element; the focus in it goes home, not to the page's body (and the top of the page). */
  function hideKeepingFocus(el) {
    const had = el.contains(document.activeElement);
    el.hidden = true;
    if (had) {
      focusHome();
    }
  }

  // ---- sign-in ------------------------------------------------------------------------------

  function showSignin(message) {
    $('signin').hidden = false;
    $('app').hidden = true;
    $('who').hidden = true;
    $('signout').hidden = true;
    $('retry').hidden = true;
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

  async function onLogin(event) {
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

  function onTokenLogin(event) {
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
    if (link) {
      // one link per page: a link left open by an earlier sign-in (the remembered login's, or
      // a form sent twice) would live on past sign-out with its token, and hand the next user
      // of this tab the first one's private messages
      link.stop();
      link = null;
    }
    session.login = login;
    session.welcomed = false; // a token refused before any welcome sends back to sign-in
    session.mode = mode;
    session.user = claimsOf(token).sub;
    setToken(token);
    restoreRooms();
    const signingIn = $('signin').contains(document.activeElement);
    $('signin').hidden = true;
    $('app').hidden = false;
    $('who').hidden = false;
    $('signout').hidden = false;
    $('me').textContent = login.name || session.user;
    renderAll();
    if (signingIn) {
      focusHome(); // the form just used is gone: the keyboard starts where one writes
    }
    link = new window.SwitchboardLink({
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
    link.start();
  }

  function signOut(message) {
    if (link) {
      link.stop();
      link = null; // nothing may open it again, not even the browser coming back online
    }
    session.token = null;
    session.exp = null;
    clearTimeout(refreshTimer);
    clearTimeout(tooManyTimer);
    store('login', session.login ? { user: session.login.user, name: session.login.name } : null);
    rooms.clear();
    current = null;
    looseNotices.length = 0; // the next person to sign in here does not get them
    listedFor = null; // signed in again, the whole list again
    newestTs = seenBeforeLoss = '';
    session.login = null;
    reconnecting = false;
    endedByExpiry = false;
    endReason = '';
    $('renew').hidden = true;
    input.value = ''; // the next person to sign in here does not get it
    setStatus('offline', 0);
    showSignin(message);
  }

  // ---- connection events --------------------------------------------------------------------

  /** Why the link ended for good (removed by an administrator, too many connections): said beside "offline". */
  let endReason = '';
  /** The close code of the last lost link: after 4008 the back-off is the point, so no "Reconnect now". */
  let lostCode = 0;

  function setStatus(state, seconds) {
    const status = $('status');
    status.className = 'status ' + (state === 'connecting' ? 'reconnecting' : state);
    const retry = $('retry');
    if (state === 'reconnecting') {
      // the countdown ticks every second: only "reconnecting" is for a screen reader to say
      const label = 'reconnecting';
      if (!status.firstChild || status.firstChild.textContent !== label) {
        status.replaceChildren(label, V.el('span', 'countdown', ''));
        status.lastChild.setAttribute('aria-hidden', 'true');
      }
      status.lastChild.textContent = ' in ' + seconds + ' s';
      // a wait of up to 30 s need not be sat out: the link's next try comes at once
      retry.textContent = 'Reconnect now';
      retry.hidden = lostCode === 4008 || session.login === null;
      return;
    }
    if (state !== 'offline') {
      endReason = '';
    }
    status.textContent = state === 'connecting' ? 'connecting…' : state + (state === 'offline' && endReason ? ' — ' + endReason : '');
    retry.textContent = 'Reconnect';
    // a token that ran out is renewed with a new one (the form above), not by trying it again
    retry.hidden = state !== 'offline' || session.login === null || endedByExpiry;
  }

  /** The link ended for good, for this reason: said in the status, which outlasts the log's notice. */
  function endedFor(reason) {
    endReason = reason;
    if (link && link.stopped) {
      setStatus('offline', 0);
    }
  }

  /**
   * The link is gone: no room is joined, and who is in a room or online is not known any more
   * (shown as unknown, not as it was); the rejoin's answers and the next acks tell again.
   */
  function forgetLinkState() {
    if (newestTs > seenBeforeLoss) {
      seenBeforeLoss = newestTs; // the conversations read after the welcome looks further back than this
    }
    for (const room of rooms.values()) {
      room.joined = false;
      room.joining = false;
      // live frames held for a join that the lost link never answered: the rejoin reads them
      // back, and if the room's log began again meanwhile, their seqs name other messages
      if (room.early) {
        room.early = [];
      }
      room.filling = false; // a read of the old link's gap stops; the rejoin reads it anew
      if (room.kind === 'dm') {
        room.online = undefined;
      }
    }
    renderLists();
    renderHead();
    renderMembers();
  }

  function onLost(code, reason) {
    lostCode = code;
    linkWelcomed = false;
    forgetLinkState();
    if (!reconnecting) {
      reconnecting = true;
      notice(currentRoom(), 'Connection lost' + (reason ? ' (' + reason + ')' : '') + '. Reconnecting…', 'error');
    }
  }

  function onEnd(code, reason) {
    forgetLinkState(); // as after a lost link: a renewed one's rejoin reads the gap anew
    const welcomedOnThisLink = linkWelcomed;
    linkWelcomed = false;
    reconnecting = false;
    if (code === 1008 && (reason === 'token expired' || reason === 'unauthorized') && session.mode === 'dev'
        && performance.now() - renewedAt > 60000) {
      // the renewal missed (the page slept through it), or every node restarted with a new
      // signing key (no auth.jwtSecret): a new token, then the same way back; once a minute at
      // most, so a token the nodes keep refusing signs out the second time
      renewAndReconnect(reason);
    } else if (code === 1008 && (reason === 'token expired' || reason === 'unauthorized') && session.mode !== 'dev'
        && session.welcomed) {
      tokenRanOut(reason);
    } else if (code === 1008 && reason === 'forbidden origin') {
      signOut('This page\'s address is not an allowed origin of the service (forbidden origin): '
        + 'signing in again will not help; ask the operator to allow it.');
    } else if (code === 1008) {
      signOut('Your session ended (' + (reason || 'unauthorized') + '). Please sign in again.');
    } else if (code === 4009) {
      clearTimeout(tooManyTimer); // a retry planned after an earlier refusal must not bring the link back
      notice(currentRoom(), 'You were removed by an administrator.', 'error');
      endedFor('removed by an administrator');
    } else if (code === 4003 && session.welcomed && !welcomedOnThisLink && tooManyRetries < 2) {
      // refused on the way back after a lost link: the old connection may still be counted, on
      // a node that died and is not yet declared dead, so this once or twice it is asked again
      tooManyRetries++;
      const wait = jittered(tuning.tooManyRetryMs);
      notice(currentRoom(), 'Too many connections for your user. A node that went away may still count this tab\'s '
        + 'last connection: trying again in ' + Math.round(wait / 1000) + ' s. Or close another tab or device, then '
        + 'select Reconnect.', 'error');
      const ended = link;
      clearTimeout(tooManyTimer);
      tooManyTimer = setTimeout(() => link === ended && ended.stopped && ended.now(), wait);
    } else if (code === 4003) {
      notice(currentRoom(), 'Too many connections for your user: close another tab or device, then select Reconnect.', 'error');
      endedFor('too many connections');
    } else {
      notice(currentRoom(), 'Disconnected' + (reason ? ' (' + reason + ')' : '') + '.', 'error');
      endedFor(reason || 'disconnected');
    }
  }

  /** When the link last came back with a token renewed after an expiry close: once a minute at most. */
  let renewedAt = -Infinity;

  async function renewAndReconnect(reason) {
    renewedAt = performance.now();
    const login = session.login;
    try {
      const token = await devLogin(login.user, login.name);
      if (session.login === login && link) {
        setToken(token);
        link.start();
      }
    } catch (err) {
      // not signed out (that took the draft too): the link asks again, with its back-off, as
      // for any token it could not get on the way to a node
      if (session.login === login && err instanceof DevLoginOff) {
        signOut('Your session ended (' + reason + '), and ' + err.message + '.');
      } else if (session.login === login && link) {
        notice(currentRoom(), 'Your token was refused (' + reason + ') and could not be renewed yet ('
          + err.message + '). Trying again…', 'error');
        link.start();
      }
    }
  }

  /** Whether the link now open (or last closed) got its welcome: a refusal comes instead of one. */
  let linkWelcomed = false;
  /** Automatic retries after 4003 since the last welcome, and the timer of the next. */
  let tooManyRetries = 0;
  let tooManyTimer = null;

  function onWelcome(frame) {
    session.welcomed = true;
    linkWelcomed = true;
    tooManyRetries = 0;
    clearTimeout(tooManyTimer); // back by other means (Reconnect): the planned retry has done its part
    session.user = frame.user;
    session.limits = frame.limits || null;
    session.name = frame.name;
    session.node = frame.node;
    $('me').textContent = frame.name;
    $('me').title = frame.user;
    $('node').textContent = frame.node;
    generation++;
    if (reconnecting) {
      reconnecting = false;
      notice(currentRoom(), 'Reconnected to node ' + frame.node + '.');
    }
    for (const room of rooms.values()) {
      if (room.kind === 'room') {
        join(room);
      } else {
        catchUp(room);
      }
    }
    findConversations();
  }

  function onFrame(frame) {
    switch (frame.type) {
      case 'welcome': onWelcome(frame); break;
      case 'message': onMessage(frame); break;
      case 'private': onPrivate(frame); break;
      case 'presence': onPresence(frame); break;
      case 'joined': if (frame.id === undefined) onRestarted(frame); else leaveUnlessWanted(frame.room); break;
      case 'left': onLeft(frame); break;
      case 'error': notice(currentRoom(), describe(frame), 'error'); break;
      default: break;
    }
  }

  function describe(err) {
    if (err.code === 'rate_limited') {
      // the node's own budget for replies of history (shared by all its users) says so: not this user's doing
      const what = (err.message || '').includes('new rooms') ? 'You made many new rooms and conversations lately'
        : (err.message || '').includes('for all its connections') ? 'The server is busy'
          : 'You are sending too fast';
      return what + ': try again in ' + Math.max(1, Math.ceil((err.retryAfterMs || 1000) / 1000)) + ' s.';
    }
    if (err.code === 'disconnected' && err.sent) {
      return 'The connection was lost before the server answered: your message may have been stored.';
    }
    if (err.code === 'disconnected') {
      return 'Not sent: the connection was lost. Your message is kept.';
    }
    return err.message || err.code || 'something went wrong';
  }

  // ---- rooms and messages -------------------------------------------------------------------

  function makeRoom(name, kind) {
    return {
      name, kind, peer: null, peerName: null, online: undefined,
      items: [], seqs: new Set(), minSeq: Infinity, maxSeq: 0, lastSeq: 0, epoch: null,
      joined: false, joining: false, early: [], loaded: false, retrying: false,
      missingFrom: null, filling: false, gapRetrying: false,
      members: new Map(), count: 0, more: false, loadingOlder: false, olderAfter: 0, unread: 0, scroll: null,
      draft: '',
      // the last send here whose outcome is unknown ({text, after, epoch, key}): it went out, but
      // no ack came (the link was lost, or no answer in time), so it may yet be stored. Watched
      // after `unavailable` too: PROTOCOL.md says nothing was stored, but an owner that stored it
      // and died before answering makes it show up later (see the README). Its text stays in the
      // box; if it shows up, the box is cleared, and sent again it keeps its key, so that it is
      // stored once. Per room: an unsure send elsewhere must not give this one's resend a new key.
      unsure: null,
      // how many times the page forgot this room's log (forgetLog): a send compares it
      logResets: 0,
    };
  }

  function currentRoom() {
    return current ? rooms.get(current) || null : null;
  }

  function restoreRooms() {
    rooms.clear();
    const saved = stored('rooms.' + session.login.user) || {};
    // lobby for someone new here; one who left every room stays out of them
    const names = Array.isArray(saved.rooms) ? saved.rooms : [DEFAULT_ROOM];
    names.forEach(name => rooms.set(name, makeRoom(name, 'room')));
    for (const c of Array.isArray(saved.conversations) ? saved.conversations : []) {
      rooms.set(c.room, savedConversation(c));
    }
    current = rooms.has(saved.current) ? saved.current : names.length ? names[0] : firstRoomName();
  }

  function savedConversation(c) {
    const room = makeRoom(c.room, 'dm');
    room.peer = c.peer;
    room.peerName = c.peerName || c.peer;
    return room;
  }

  /**
   * Another tab of this user saved its rooms (it joined or left one, opened or closed a
   * conversation): this one follows, so that the next save of either does not undo the other's,
   * and a reload finds what the person last did in any tab. Nothing is saved back.
   */
  function adoptRooms(saved) {
    const names = new Set(Array.isArray(saved.rooms) ? saved.rooms : []);
    const conversations = new Map((Array.isArray(saved.conversations) ? saved.conversations : []).map(c => [c.room, c]));
    let changed = false;
    const shown = current;
    for (const room of [...rooms.values()]) {
      if (room.kind === 'room' ? !names.has(room.name) : !conversations.has(room.name)) {
        // every room, joined or not: a join that timed out may still have made this connection
        // a member (its late answer, if any, came while the room was still wanted); a leave of a
        // room the connection is not in is just answered left, and one sent after a join under
        // way takes effect after it (the node runs a connection's frames in order)
        if (room.kind === 'room') {
          sendLeave(room.name);
        }
        rooms.delete(room.name);
        changed = true;
      }
    }
    for (const name of names) {
      if (!rooms.has(name)) {
        const room = makeRoom(name, 'room');
        room.adopted = true;
        rooms.set(name, room);
        join(room);
        changed = true;
      }
    }
    for (const c of conversations.values()) {
      if (!rooms.has(c.room)) {
        const room = savedConversation(c);
        rooms.set(c.room, room);
        catchUp(room);
        changed = true;
      }
    }
    if (!changed) {
      return;
    }
    if (rooms.has(shown)) {
      renderLists(); // the room shown stays as it is, scrolled where it was
      renderHead();
      return;
    }
    current = firstRoomName();
    if (input.value === '' && currentRoom()) {
      input.value = currentRoom().draft; // a text being written stays in the box
      fitInput();
    }
    if (currentRoom()) {
      currentRoom().unread = 0;
    }
    renderAll();
    notice(currentRoom(), shown + ' was left in another tab.' + (currentRoom() && input.value && input.value !== currentRoom().draft
      ? ' What you were writing there is still in the box: it would now go to ' + current + '.' : ''));
  }

  window.addEventListener('storage', event => {
    if (session.login && event.key === STORE + '.login') {
      // signed out in another tab (the login kept without its token, or gone): on a shared
      // computer this tab must not stay signed in, nor write its token back with a renewal
      let login = null;
      try {
        login = JSON.parse(event.newValue);
      } catch (e) {
        // unreadable: as gone
      }
      if (!login || (login.user === session.login.user && !login.token)) {
        signOut('Signed out in another tab.');
      }
      return;
    }
    if (!session.login || event.key !== STORE + '.rooms.' + session.login.user || !event.newValue) {
      return;
    }
    try {
      adoptRooms(JSON.parse(event.newValue));
    } catch (e) {
      // not ours to read: left as it is
    }
  });

  function toItem(m) {
    return { kind: 'message', seq: m.seq, from: m.from, name: m.name, to: m.to, text: m.text, data: m.data, ts: m.ts, via: m.via };
  }

  /**
   * Puts a message in its place by seq; false when it is already there. {@code quiet}: the
   * caller draws the log once for a whole page (drawing it again per message out of order was
   * thousands of rebuilds of the whole log for a large gap).
   */
  function addMessage(room, m, countUnread, quiet) {
    if (room.seqs.has(m.seq)) {
      return false;
    }
    room.seqs.add(m.seq);
    const item = toItem(m);
    let at;
    if (m.seq > room.maxSeq) {
      at = room.items.push(item) - 1;
    } else {
      at = room.items.length;
      while (at > 0 && !(room.items[at - 1].kind === 'message' && room.items[at - 1].seq < m.seq)) {
        at--;
      }
      room.items.splice(at, 0, item);
    }
    room.maxSeq = Math.max(room.maxSeq, m.seq);
    room.minSeq = Math.min(room.minSeq, m.seq);
    if (typeof m.ts === 'string' && m.ts > newestTs) {
      newestTs = m.ts;
    }
    // the same text from before the send, or from a log that restarted since, is another message
    const unsure = room.unsure;
    // (a program's message through the server API may name any sender: another message)
    const settled = unsure && m.from === session.user && m.via !== 'api' && m.text === unsure.text
      && m.seq > unsure.after && room.epoch === unsure.epoch;
    if (countUnread && !V.isOwn(item, session.user) && (room.name !== current || document.hidden)) {
      room.unread++;
    }
    if (room.name === current && !quiet) {
      if (at === room.items.length - 1) {
        appendToLog(item);
      } else {
        renderLogKeepingPlace();
      }
    }
    if (settled) {
      storedAfterAll(room);
    }
    trim(room);
    return true;
  }

  function storedAfterAll(room) {
    clearDraft(room, room.unsure.text);
    room.unsure = null;
    notice(room, 'Your message was stored after all: no need to send it again.');
  }

  /**
   * A room open for days would keep every message and notice it ever got, and the page draws its
   * log from all of them: past maxItems the oldest go, down to three quarters of it, while nobody
   * reads them (the room is shown, or was left, at its newest) and no read is filling it.
   * Scrolling up reads them again from the history.
   */
  function trim(room) {
    if (room.items.length <= tuning.maxItems || room.filling || room.loadingOlder || room.joining
        || room.missingFrom != null) {
      return;
    }
    if (room.name === current ? !nearBottom() : room.scroll !== null) {
      // someone is reading old messages here. Left that way (a room in the background, or the
      // room shown in a hidden tab) it gives up its place at twice the cap, and even in sight at
      // four times, rather than grow for as long as the tab stays open
      const limit = room.name !== current || document.hidden ? 2 * tuning.maxItems : 4 * tuning.maxItems;
      if (room.items.length <= limit) {
        return;
      }
      room.scroll = null;
    }
    // a reader scrolled up in sight keeps the place: pulled to the newest, they lost it at every message
    const place = room.name === current && !nearBottom() ? shownAt() : null;
    const dropped = room.items.splice(0, room.items.length - keptAfterTrim());
    let lastDropped = null;
    for (const item of dropped) {
      if (item.kind === 'message') {
        room.seqs.delete(item.seq);
        lastDropped = item.seq;
      }
    }
    if (lastDropped !== null) {
      const first = room.items.find(item => item.kind === 'message');
      room.minSeq = first ? first.seq : lastDropped + 1;
      room.more = true;
    }
    if (room.name === current) {
      renderLog();
      if (place === null) {
        scrollToBottom();
      } else {
        keepPlace(place);
      }
    }
  }

  /** How many items a trimmed room keeps: three quarters of maxItems. */
  function keptAfterTrim() {
    return Math.floor(tuning.maxItems * 3 / 4);
  }

  /** The first message in view, and how far below the log's top it is. */
  function shownAt() {
    const top = log.getBoundingClientRect().top;
    for (const el of log.querySelectorAll('.msg[data-seq]')) {
      const box = el.getBoundingClientRect();
      if (box.bottom > top) {
        return { seq: el.dataset.seq, offset: box.top - top };
      }
    }
    return null;
  }

  /**
   * Puts the message of `place` back where it was after a redraw. If it went with the oldest, the
   * view goes to the top of what is left, the nearest to it, where scrolling up reads it again.
   */
  function keepPlace(place) {
    const el = log.querySelector('.msg[data-seq="' + CSS.escape(place.seq) + '"]');
    if (el) {
      log.scrollTop += el.getBoundingClientRect().top - log.getBoundingClientRect().top - place.offset;
    } else {
      log.scrollTop = 0;
    }
  }

  function notice(room, text, level) {
    const item = { kind: 'system', text, ts: new Date().toISOString(), level: level || null };
    if (!room) {
      // no room open (the only one was refused, or none was joined): why a join was refused or
      // the link ended must still be told, where the log would be
      looseNotices.push(item);
      if (looseNotices.length > MAX_LOOSE_NOTICES) {
        looseNotices.shift();
      }
      if (!currentRoom()) {
        appendToLog(item);
        // the log shows what looseNotices keeps, no more: reconnects over days added a line each
        // (and the line that asks to join a room, when it is there)
        while (log.childElementCount > MAX_LOOSE_NOTICES + 1) {
          const first = log.firstElementChild;
          (first.classList.contains('more') ? first.nextElementSibling : first).remove();
        }
      }
      return;
    }
    room.items.push(item);
    if (room.name === current) {
      appendToLog(item);
    }
    trim(room);
  }

  async function join(room) {
    if (!link || !link.connected || room.joining) {
      return;
    }
    const rejoin = room.epoch !== null;
    const frame = { type: 'join', room: room.name };
    if (rejoin) {
      // where the gap starts, kept until it is read: live frames that come while this join is
      // retried move lastSeq past it (a gap still being read when the link dropped counts too)
      if (room.missingFrom == null) {
        room.missingFrom = room.lastSeq;
      }
      frame.since = { seq: room.missingFrom, epoch: room.epoch };
    }
    room.joining = true;
    try {
      applyJoined(room, await link.request(frame), rejoin);
    } catch (err) {
      room.joining = false;
      room.early = []; // not joined: the next join's reply says where the log starts
      if (err.code === 'disconnected') {
        return;
      }
      // a rejoin refused forbidden: the token that came since no longer grants the room
      if ((!rejoin && ['forbidden', 'bad_request', 'limit'].includes(err.code)) || err.code === 'forbidden') {
        // one that came from another tab's list and was refused here (this tab's token may grant
        // less) goes from this tab only: the others keep it
        dropRoom(room, 'Could not join ' + room.name + ': ' + describe(err), room.adopted && !rejoin);
      } else if (TRANSIENT.includes(err.code)) {
        // a node that just came back refuses for a moment while the cluster moves its data (or
        // joins came faster than their bucket, twice maxRooms): left alone, the room would stay
        // silent until the next reconnect
        if (!room.retrying) {
          notice(room, 'Could not join yet (' + describe(err) + '). Trying again…', 'error');
        }
        room.retrying = true;
        later(room, () => join(room), err); // a budget of new rooms spent may ask for longer
      } else {
        room.retrying = false; // asked for again (a send, the join box), it is tried anew
        notice(room, 'Could not join: ' + describe(err), 'error');
      }
    }
  }

  function applyJoined(room, reply, rejoin) {
    if (rooms.get(room.name) !== room) {
      // left meanwhile (here, or in another tab): the node counts this connection in it now
      leaveUnlessWanted(room.name);
      return;
    }
    room.joining = false;
    room.joined = true;
    room.retrying = false;
    room.members = new Map((reply.members || []).map(m => [m.user, m.name]));
    room.count = reply.count;
    const history = reply.history || [];
    // a log that began again (a healed split brain) may hold what the page had already, under new
    // seqs: only messages newer than the newest it had count as unread (ts: ISO, comparable as text)
    const reset = rejoin && reply.epoch !== room.epoch;
    const hadUpTo = reset ? room.items.reduce((t, i) => i.kind === 'message' && i.ts > t ? i.ts : t, '') : '';
    if (reset) {
      forgetLog(room);
      // a room nobody wrote in is forgotten once empty, and comes back with a new epoch: nothing lost
      if (room.lastSeq > 0) {
        notice(room, 'The history of this room was reset by the service.', 'error');
      }
      room.lastSeq = 0;
      if (room.name === current) {
        renderLog();
      }
    } else if (rejoin && !reply.recovered) {
      const from = room.missingFrom != null ? room.missingFrom : room.lastSeq;
      const first = history.length ? history[0].seq : reply.seq + 1;
      const keep = keptAfterTrim();
      if (first - 1 - from > keep) {
        // more was missed than the page keeps (a room that keeps a long history): read all, it
        // was page after page, each redrawing the whole log, only to be trimmed away after. The
        // newest of it are read now; the rest, and what came before, by scrolling up
        const skipped = first - 1 - from - keep;
        forgetBefore(room, first);
        room.missingFrom = null;
        if (room.name !== current || document.hidden) {
          room.unread += skipped;
        }
        notice(room, skipped + ' earlier messages came while you were away: scroll up to read them.');
        fillGap(room, first - 1 - keep, first);
      } else if (first > from + 1) {
        fillGap(room, from, first);
      } else {
        room.missingFrom = null;
      }
    } else if (rejoin) {
      room.missingFrom = null; // recovered: everything after the since is in the reply
    }
    history.forEach(m => addMessage(room, m, rejoin && (!reset || m.ts > hadUpTo), true));
    if (room.name === current) {
      renderLogKeepingPlace();
    }
    if (!rejoin || room.minSeq === Infinity || room.minSeq === history[0]?.seq) {
      room.more = room.minSeq !== Infinity && room.minSeq > 1;
    }
    room.epoch = reply.epoch;
    room.lastSeq = Math.max(room.lastSeq, reply.seq);
    const early = room.early;
    room.early = [];
    early.forEach(onMessage);
    renderLists();
    if (room.name === current) {
      renderHead();
      renderMembers();
      fillViewport();
    }
  }

  /**
   * Runs {@code task} for {@code room} on the same link, if the room was not left meanwhile (a
   * retry would join it again): after RETRY_MS, doubling with each retry of the room on this link
   * up to eight times that, spread by a quarter either way, or after {@code err}'s retryAfterMs if
   * that is longer. After a node dies all its users reconnect at once, and retries in step would
   * come back to the cluster in waves while it moves that node's data.
   */
  function later(room, task, err) {
    const on = generation;
    room.retries = room.retriesOn === on ? room.retries + 1 : 0;
    room.retriesOn = on;
    const wait = jittered(RETRY_MS * 2 ** Math.min(3, room.retries));
    setTimeout(() => {
      if (on === generation && link && link.connected && rooms.get(room.name) === room) {
        task();
      }
    }, Math.max(wait, (err && err.retryAfterMs) || 0));
  }

  /** {@code ms}, a quarter more or less at random. */
  function jittered(ms) {
    return Math.round(ms * (0.75 + Math.random() * 0.5));
  }

  /**
   * A request that the cluster may refuse for a moment ("unavailable": a node just came back and
   * the cluster is still moving its data; "rate_limited": reads came faster than their bucket),
   * asked again: "unavailable" up to ten times, a second apart at first and then up to eight,
   * spread at random; "rate_limited" after the asked wait, as long as the link lasts.
   */
  async function readRetrying(frame) {
    const on = generation;
    for (let attempt = 1; ; ) {
      try {
        return await link.request(frame);
      } catch (err) {
        // reads have a bucket (a burst of 40 or more, then 20 a second or more): a reconnect that
        // fills many rooms' gaps may drain it, and waiting is all it asks, as long as the link
        // lasts. Spread out, so that the readers waiting do not all ask again at once.
        const limited = err.code === 'rate_limited';
        if ((!limited && (err.code !== 'unavailable' || attempt++ >= 10)) || !link || !link.connected) {
          throw err;
        }
        const pause = limited ? Math.min(10000, err.retryAfterMs || 1000) + Math.random() * 500
          : jittered(1000 * 2 ** Math.min(3, attempt - 2)); // 1 s, doubling to 8 s
        await new Promise(resolve => setTimeout(resolve, pause));
        if (on !== generation) {
          // the link was lost during the pause: the new one's rejoin reads what is missing
          throw { code: 'disconnected', message: 'the connection was lost' };
        }
      }
    }
  }

  /**
   * A rejoin that could not recover (too much missed, or too large to send at once) holds the
   * latest messages: reads the ones between the last seen and those, page by page, and says how
   * many are no longer kept.
   */
  async function fillGap(room, lastSeen, first) {
    let after = lastSeen;
    let lost = 0;
    // lastSeq moves on with the reply and the live stream; this remembers where the gap starts
    room.missingFrom = room.missingFrom != null ? Math.min(room.missingFrom, lastSeen) : lastSeen;
    if (room.filling) {
      return; // a read of this gap is under way
    }
    const mine = {};
    room.filling = mine; // onLost takes it away: then this read ends without touching the next one's
    try {
      while (after < first - 1) {
        const page = await readRetrying({ type: 'history', room: room.name, after, limit: 100 });
        if (room.filling !== mine) {
          return; // the link was lost, or the log restarted (forgetLog): this page is of no use now
        }
        const oldest = page.messages.length ? page.messages[0].seq : first;
        if (after === lastSeen && oldest > lastSeen + 1) {
          lost = Math.min(oldest, first) - lastSeen - 1;
        }
        page.messages.filter(m => m.seq < first).forEach(m => addMessage(room, m, true, true));
        if (room.name === current) {
          renderLogKeepingPlace();
        }
        renderLists(); // the unread badge and the title count these too
        if (!page.more || !page.messages.length) {
          break;
        }
        after = page.messages[page.messages.length - 1].seq;
        room.missingFrom = after; // shown up to here: a retry or a rejoin goes on from it
      }
    } catch (err) {
      if (room.filling !== mine) {
        return;
      }
      room.filling = false;
      if (TRANSIENT.includes(err.code)) {
        if (!room.gapRetrying) {
          notice(room, 'Could not load the messages sent while you were away (' + describe(err) + '). Trying again…', 'error');
        }
        room.gapRetrying = true;
        // what was read is shown; the rest is asked for from the last seq read
        const epoch = room.epoch; // a log restarted meanwhile has its own gaps, read by its own join
        later(room, () => room.epoch === epoch && room.missingFrom != null && fillGap(room, room.missingFrom, first), err);
      } else if (err.code !== 'disconnected') {
        notice(room, 'Could not load the messages sent while you were away: ' + describe(err), 'error');
      }
      return;
    }
    if (room.filling !== mine) {
      return; // the link was lost meanwhile: the rejoin's own read decides
    }
    room.filling = false;
    room.gapRetrying = false;
    room.missingFrom = null;
    if (lost > 0) {
      notice(room, lost + ' messages sent while you were away are no longer kept.', 'error');
    }
  }

  function onMessage(frame) {
    const room = rooms.get(frame.room);
    if (!room || room.kind !== 'room') {
      return;
    }
    if (room.joining) {
      room.early.push(frame); // the joined reply is on its way; it says where the log starts
      return;
    }
    if (addMessage(room, frame, true)) {
      room.lastSeq = Math.max(room.lastSeq, frame.seq);
      if (room.name !== current || document.hidden) {
        renderLists(); // an unread count may have changed; the room being read changes nothing there
      }
    }
  }

  /**
   * The node says a room's log restarted under us (it was lost, or a split brain healed): its
   * seqs name other messages now, so the room is read anew from this frame, as after a rejoin.
   */
  function onRestarted(frame) {
    const room = rooms.get(frame.room);
    if (room && room.kind === 'room' && room.joined && !room.joining) {
      applyJoined(room, frame, true);
    }
  }

  /**
   * A join was answered (in time, or after the page stopped waiting for it): the node made this
   * connection a member. A room left meanwhile is left again (else the node kept sending it, and
   * counted it against maxRooms); one still wanted is joined by its retry.
   */
  function leaveUnlessWanted(name) {
    if (!rooms.has(name)) {
      sendLeave(name);
    }
  }

  function onPresence(frame) {
    const room = rooms.get(frame.room);
    if (!room || room.kind !== 'room') {
      return;
    }
    if (frame.event === 'join') {
      room.members.set(frame.user, frame.name);
    } else {
      room.members.delete(frame.user);
    }
    room.count = frame.count;
    notice(room, frame.name + (frame.event === 'join' ? ' joined' : ' left'));
    // a peer seen joining is online; one that left every room shared with us may have gone:
    // unknown (no tag) until an ack or a message says, rather than "online" for good
    const shared = [...rooms.values()].some(r => r.kind === 'room' && r.members.has(frame.user));
    for (const dm of rooms.values()) {
      if (dm.kind === 'dm' && dm.peer === frame.user) {
        dm.online = frame.event === 'join' ? true : shared ? dm.online : undefined;
      }
    }
    renderLists();
    if (room.name === current) {
      renderHead();
      renderMembers();
    } else if (currentRoom() && currentRoom().peer === frame.user) {
      renderHead();
    }
  }

  async function joinByName(name) {
    if (name.startsWith('dm:')) {
      // a private conversation is never joined: asked for here, its refused join dropped it
      if (rooms.has(name)) {
        select(name);
      } else {
        notice(currentRoom(), 'Private conversations open by user id, under "Private conversations".', 'error');
      }
      return;
    }
    if (!rooms.has(name)) {
      rooms.set(name, makeRoom(name, 'room'));
      saveRooms();
      join(rooms.get(name));
    } else if (!rooms.get(name).joined && !rooms.get(name).joining && !rooms.get(name).retrying) {
      join(rooms.get(name)); // its join failed: asking for it by name again tries again
    }
    select(name);
  }

  async function leave(room) {
    if (room.kind === 'room') {
      sendLeave(room.name);
    } else {
      rememberClosed(room);
    }
    dropRoom(room, null);
    // said where the person lands: the focus stays on Leave, and the next room is not the one left
    notice(currentRoom(), 'You left ' + (room.kind === 'dm' ? 'the conversation with ' + room.peerName : room.name) + '.');
  }

  /** Tells the node this connection left the room; offline, nothing to tell (the rejoin will not join it). */
  function sendLeave(name) {
    if (link && link.connected) {
      link.request({ type: 'leave', room: name }).catch(() => { /* gone either way */ });
    }
  }

  /**
   * Takes the room off the page: left, refused, or no longer granted; `why`, if given, is told in
   * the room shown next. `here`: this tab only, the saved list (every tab's) keeps it.
   */
  function dropRoom(room, why, here) {
    if (rooms.get(room.name) !== room) {
      return; // gone already, or another tab's list put a new one in its place
    }
    rooms.delete(room.name);
    if (current === room.name) {
      current = firstRoomName();
      input.value = currentRoom() ? currentRoom().draft : '';
      fitInput();
      if (currentRoom()) {
        currentRoom().unread = 0; // shown now: its badge and the title's count go
      }
    }
    if (!here) {
      saveRooms();
    }
    renderAll();
    if (why) {
      notice(currentRoom(), why, 'error');
    }
  }

  /**
   * The node left the room for us (a `left` without id): the token renewed since no longer
   * grants it. Kept, it would look joined while nothing came and every send was refused.
   */
  function onLeft(frame) {
    const room = rooms.get(frame.room);
    if (frame.id === undefined && room && room.kind === 'room') {
      dropRoom(room, 'You no longer have access to ' + frame.room + ': your new sign-in does not grant it.');
    }
  }

  function firstRoomName() {
    const first = [...rooms.keys()].sort()[0];
    return first === undefined ? null : first;
  }

  // ---- private conversations ----------------------------------------------------------------

  function conversationName(a, b) {
    return 'dm:' + [a, b].sort().join(':');
  }

  function conversation(peer, peerName) {
    const name = conversationName(session.user, peer);
    let room = rooms.get(name);
    if (!room) {
      room = makeRoom(name, 'dm');
      room.peer = peer;
      room.peerName = peerName || peer;
      rooms.set(name, room);
      saveRooms();
      catchUp(room);
    }
    return room;
  }

  /**
   * Opens the conversations the node lists that this page does not show: one begun while the
   * user was offline (or in another browser) is otherwise never seen. One the person closed here
   * stays closed until a message newer than what it held then (by the node's `ts`: a log that
   * began again restarts its seqs, and the browser's clock is not the node's). Asked on every
   * welcome: the messages of a lost link's gap come from people this page may not know yet. After
   * the first whole list, only the newest ten: every page of a dead node's users reconnects at once,
   * and each listed conversation is a read on the cluster.
   */
  async function findConversations() {
    const on = generation;
    const user = session.login.user;
    let reply;
    try {
      reply = await readRetrying({ type: 'conversations', limit: listedFor === user ? 10 : 50 });
      const list = reply.conversations;
      const oldest = Array.isArray(list) && list.length ? list[list.length - 1].last : null;
      if (listedFor === user && reply.more && oldest && String(oldest.ts) > seenBeforeLoss && on === generation) {
        // all ten are newer than the lost link's last message: a long absence, and a new
        // conversation may be further down; once per welcome, as far as a read goes
        reply = await readRetrying({ type: 'conversations', limit: 100 });
      }
    } catch (err) {
      return; // a node without conversations, or the link lost: the next welcome asks again
    }
    if (on !== generation || !Array.isArray(reply.conversations)) {
      return;
    }
    listedFor = user;
    conversationsListed++;
    const closed = stored('closed.' + session.login.user) || {};
    let added = false;
    for (const c of reply.conversations) {
      const seenUpTo = typeof closed[c.room] === 'string' ? closed[c.room] : '';
      if (rooms.has(c.room) || !c.last || !(String(c.last.ts) > seenUpTo) || conversationName(session.user, c.with) !== c.room) {
        continue;
      }
      const room = savedConversation({ room: c.room, peer: c.with, peerName: c.last.from === c.with ? c.last.name : null });
      room.unreadAfter = seenUpTo;
      room.listedTs = String(c.last.ts);
      rooms.set(c.room, room);
      catchUp(room);
      added = true;
    }
    if (added) {
      saveRooms();
      renderLists();
    }
  }

  /**
   * The node's time of the newest message this page has taken in, and what it was when the link
   * was last lost (node times compare as strings; the browser's clock is not the node's).
   */
  let newestTs = '';
  let seenBeforeLoss = '';
  /** How many conversations replies this page has taken in (for tests: one after each welcome). */
  let conversationsListed = 0;
  /** The user whose whole list this page has read (later welcomes ask for the newest only). */
  let listedFor = null;

  /**
   * A conversation closed here, and the time of the newest message it held (or that the node
   * listed for it; none: any message opens it again): listed again only for a newer one. The
   * node's times only: the browser's clock may be ahead.
   */
  function rememberClosed(room) {
    const key = 'closed.' + session.login.user;
    const closed = stored(key) || {};
    const held = room.items.filter(i => i.kind === 'message' && typeof i.ts === 'string').map(i => i.ts).sort();
    delete closed[room.name];
    closed[room.name] = held.length ? held[held.length - 1] : room.listedTs || '';
    const names = Object.keys(closed); // in the order closed: the oldest go first
    for (const name of names.slice(0, Math.max(0, names.length - 200))) {
      delete closed[name];
    }
    store(key, closed);
  }

  /**
   * A conversation the node listed: its messages from the other user after the last one this
   * user wrote, and newer than what it held when closed here, are unread. Only those this read
   * `added`: a live one that came meanwhile was counted when it came.
   */
  function countListedUnread(room, messages, added) {
    const closedAt = room.unreadAfter;
    delete room.unreadAfter;
    let mine = 0;
    for (const m of messages) {
      if (m.from === session.user) {
        mine = Math.max(mine, m.seq);
      }
    }
    if (room.name !== current || document.hidden) {
      room.unread += added.filter(m => m.seq > mine && String(m.ts) > closedAt && m.from !== session.user).length;
    }
  }

  /** Reads what a conversation missed: its latest page the first time, then all after the last seen. */
  async function catchUp(room) {
    if (!link || !link.connected || room.joining) {
      return;
    }
    const mine = {};
    room.joining = mine; // onLost takes it away: then this read ends without touching the next one's
    try {
      if (!room.loaded) {
        const page = await readRetrying({ type: 'history', room: room.name, limit: PAGE });
        if (room.joining !== mine) {
          return; // the log was reset (or the link lost) meanwhile: this page may be the old log's
        }
        const added = page.messages.filter(m => addMessage(room, m, false, true));
        if (room.unreadAfter !== undefined) {
          countListedUnread(room, page.messages, added);
        }
        room.more = page.more;
        room.loaded = true;
      } else {
        // from a cursor of its own: a live message that comes meanwhile moves maxSeq past what
        // is still unread, and paging after maxSeq skipped it for good
        if (room.missingFrom == null) {
          room.missingFrom = room.maxSeq;
        }
        if (room.maxSeq > 0 && await begunAgain(room, mine)) {
          if (room.joining !== mine) {
            return;
          }
          resetConversation(room);
          if (room.name === current) {
            renderLog();
          }
          catchUp(room);
          return;
        }
        let more = true;
        while (more) {
          const page = await readRetrying({ type: 'history', room: room.name, after: room.missingFrom, limit: 100 });
          if (room.joining !== mine) {
            return;
          }
          page.messages.forEach(m => addMessage(room, m, true, true));
          more = page.more && page.messages.length > 0;
          if (page.messages.length) {
            room.missingFrom = page.messages[page.messages.length - 1].seq;
          }
        }
        room.missingFrom = null;
      }
    } catch (err) {
      if (room.joining !== mine) {
        return;
      }
      if (TRANSIENT.includes(err.code)) {
        room.joining = false;
        later(room, () => catchUp(room), err);
      } else if (err.code !== 'disconnected') {
        notice(room, 'Could not load this conversation: ' + describe(err), 'error');
      }
    } finally {
      if (room.joining === mine) {
        room.joining = false;
      }
    }
    renderLists();
    if (room.name === current) {
      renderLogKeepingPlace();
      fillViewport();
    }
  }

  /**
   * Whether a conversation's log began again while the page was away (lost, or removed after a
   * long silence): nothing live tells it, and reading after the cursor finds nothing in a
   * shorter new log. The log's newest message up to the cursor says: another message there, or
   * an older one, is a new log. None at all is a new log too, unless the log only let go of its
   * oldest while much was written (then it holds messages after the cursor).
   */
  async function begunAgain(room, mine) {
    const probe = (await readRetrying({ type: 'history', room: room.name, before: room.missingFrom + 1, limit: 1 }))
      .messages[0];
    if (probe) {
      return probe.seq < room.missingFrom || restarted(room, probe);
    }
    if (room.joining !== mine) {
      return false;
    }
    const next = await readRetrying({ type: 'history', room: room.name, after: room.missingFrom, limit: 1 });
    return next.messages.length === 0;
  }

  function onPrivate(frame) {
    const mine = frame.from === session.user;
    const room = conversation(mine ? frame.to : frame.from, mine ? null : frame.name);
    if (!mine) {
      room.peerName = frame.name;
      if (frame.via !== 'api') {
        room.online = true; // a program's message (the server API) says nothing of a connection
      }
    }
    // a live message is newer than all the page holds of its log: one older than the oldest
    // held comes from a new log
    if (restarted(room, frame)
        || (room.loaded && room.minSeq !== Infinity && !room.seqs.has(frame.seq) && frame.seq < room.minSeq)) {
      resetConversation(room);
      addMessage(room, frame, true);
      if (room.name === current) {
        renderLog();
      }
      catchUp(room); // the new log's earlier messages, if any
      renderLists();
      return;
    }
    addMessage(room, frame, true);
    renderLists();
  }

  /**
   * The conversation's log was lost, or removed after a long silence, and started again: its
   * seqs name other messages now, and the node sends conversations no signal of it (rooms get
   * a joined frame).
   */
  function resetConversation(room) {
    forgetLog(room);
    room.loaded = false;
    room.joining = false; // a read of the old log under way ends without touching the new one
    notice(room, 'The history of this conversation was reset by the service.', 'error');
  }

  /**
   * Lets go of the messages before {@code seq} (and what was noted among them): they are older
   * history now, read again by scrolling up. Notes that came after the last of them stay.
   */
  function forgetBefore(room, seq) {
    let last = -1;
    room.items.forEach((item, i) => {
      if (item.kind === 'message' && item.seq < seq) {
        last = i;
      }
    });
    for (const item of room.items.splice(0, last + 1)) {
      if (item.kind === 'message') {
        room.seqs.delete(item.seq);
      }
    }
    const firstLeft = room.items.find(item => item.kind === 'message');
    room.minSeq = firstLeft ? firstLeft.seq : Infinity;
    room.more = true;
  }

  /**
   * Forgets what the page held of a log that restarted: its seqs name other messages now. An
   * unsure send there keeps its key (a healed split brain carries the message into the new log
   * under it, so the same text sent again is stored once), but is no longer told as stored when
   * its text shows up: its seqs mean nothing in the new log, so the box keeps the text and the
   * user decides.
   */
  function forgetLog(room) {
    room.logResets += 1; // a send on its way judges what it finds by the log it began in (send)
    if (room.unsure) {
      // conversations have no epoch to tell the logs apart: no seq of the new log counts as after it
      room.unsure.after = Infinity;
    }
    room.items = [];
    room.seqs.clear();
    room.minSeq = Infinity;
    room.maxSeq = 0;
    room.missingFrom = null;
    room.filling = false; // a gap read of the old log under way must not write into the new one
  }

  /** A private frame whose seq the conversation holds for another message. */
  function restarted(room, frame) {
    if (!room.seqs.has(frame.seq)) {
      return false;
    }
    const held = room.items.find(i => i.kind === 'message' && i.seq === frame.seq);
    return held !== undefined && (held.ts !== frame.ts || held.from !== frame.from || held.text !== frame.text);
  }

  // ---- sending ------------------------------------------------------------------------------

  /** 16 random bytes in hex: crypto.getRandomValues works on plain http too, randomUUID does not. */
  function newKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
  }

  async function send() {
    const room = currentRoom();
    const text = input.value;
    if (!room || sending || text.trim() === '' || performance.now() < heldUntil) {
      return;
    }
    if (!link || !link.connected) {
      notice(room, 'Not connected: your message is kept. Send it again once connected.', 'error');
      return;
    }
    if (room.kind === 'room' && !room.joined) {
      // the rejoin after a reconnect is under way or waits to be tried again: a publish now is
      // refused not_member while the room looks joined; one that failed for good is tried anew
      if (!room.joining && !room.retrying) {
        join(room);
      }
      notice(room, 'Joining ' + room.name + '…: your message is kept. Send it again once joined.', 'error');
      return;
    }
    // the message's key: the same text sent again after an unsure outcome keeps it, so that the
    // node stores it once and answers with its first seq (a `key` the node does not know is ignored)
    const key = room.unsure && room.unsure.text === text ? room.unsure.key : newKey();
    const frame = room.kind === 'dm'
      ? { type: 'private', to: room.peer, text, key }
      : { type: 'publish', room: room.name, text, key };
    const tooLong = overLimits(frame, text);
    if (tooLong) {
      notice(room, tooLong, 'error'); // the text stays in the box, to be shortened
      return;
    }
    sending = true;
    // the seqs it is judged by are this log's: a log that began again meanwhile (a healed split
    // brain; a conversation's, which has no epoch) numbers its messages anew, and an earlier
    // message of the same text could pass for it
    const seenBefore = room.maxSeq;
    const logBefore = room.logResets;
    $('send').disabled = true;
    try {
      const ack = await link.request(frame);
      room.unsure = null; // what the user sends next here is what counts
      clearDraft(room, text);
      if (room.kind === 'dm' && typeof ack.online === 'boolean') {
        const was = room.online;
        room.online = ack.online;
        if (!ack.online && was !== false) {
          notice(room, room.peerName + ' is offline: the message is kept for them to read later.');
        }
        renderLists();
        renderHead();
      }
    } catch (err) {
      if (err.code === 'timeout' || err.code === 'unavailable' || (err.code === 'disconnected' && err.sent)) {
        const sameLog = room.logResets === logBefore;
        room.unsure = { text, after: sameLog ? seenBefore : Infinity, epoch: room.epoch, key };
        notice(room, describe(err) + (err.code === 'unavailable' ? ' It stays in the box.'
          : ' It stays in the box, and goes from it if it shows up here.'), 'error');
        // its own frame may have come before the link broke (not if the log began again meanwhile)
        if (room.items.some(i => i.kind === 'message' && i.seq > room.unsure.after && i.from === session.user
            && i.via !== 'api' && i.text === text)) {
          storedAfterAll(room);
        }
      } else {
        notice(room, describe(err), 'error');
        if (err.code === 'rate_limited') {
          heldUntil = performance.now() + Math.max(1000, err.retryAfterMs || 0);
        }
        if (err.code === 'not_member' && room.kind === 'room' && room.joined && !room.joining
            && rooms.get(room.name) === room) { // not one left meanwhile
          // the node no longer counts this connection in the room (no `left` said so): joined
          // again with since, it gets what it missed; the text stays in the box
          room.joined = false;
          join(room);
        }
      }
    } finally {
      sending = false;
      const held = heldUntil - performance.now();
      $('send').disabled = held > 0;
      if (held > 0) {
        clearTimeout(heldTimer);
        heldTimer = setTimeout(() => { $('send').disabled = false; }, held);
      }
    }
  }

  /**
   * Why the node would refuse this send, from the limits its welcome gave, or null. A frame over
   * maxFrameBytes would close the connection (1009), and the reconnect would leave the send's fate
   * unknown; a text over maxTextChars is answered too_large: both are said here instead.
   */
  function overLimits(frame, text) {
    const limits = session.limits;
    if (!limits) {
      return null;
    }
    const chars = [...text].length;
    if (limits.maxTextChars && chars > limits.maxTextChars) {
      return 'Not sent: ' + chars + ' characters, and a message may have at most ' + limits.maxTextChars + '.';
    }
    // the id the link adds is a small number: 32 bytes leave room for it
    const bytes = new TextEncoder().encode(JSON.stringify(frame)).length + 32;
    if (limits.maxFrameBytes && bytes > limits.maxFrameBytes) {
      return 'Not sent: the message is ' + bytes + ' bytes long once encoded, and the service takes at most '
        + limits.maxFrameBytes + '.';
    }
    return null;
  }

  /** Empties the room's draft if it still holds {@code text} (the room may not be shown any more). */
  function clearDraft(room, text) {
    if (room.name === current) {
      if (input.value === text) {
        input.value = '';
        fitInput();
      }
    } else if (room.draft === text) {
      room.draft = '';
    }
  }

  function fitInput() {
    input.style.height = 'auto';
    input.style.height = Math.min(160, input.scrollHeight + 2) + 'px';
  }

  // ---- rendering ----------------------------------------------------------------------------

  function renderAll() {
    renderLists();
    renderHead();
    renderLog();
    renderMembers();
    scrollToBottom();
  }

  function select(name) {
    const previous = currentRoom();
    if (previous) {
      previous.scroll = nearBottom() ? null : log.scrollTop;
      previous.draft = input.value; // what was being written stays with its room
    }
    current = name;
    const room = currentRoom();
    if (room) {
      room.unread = 0;
    }
    input.value = room ? room.draft : '';
    fitInput();
    saveRooms();
    renderLists();
    renderHead();
    renderMembers();
    renderLog();
    if (room && room.scroll !== null) {
      log.scrollTop = room.scroll;
    } else {
      scrollToBottom();
    }
    closeOverlays();
    fillViewport();
    updateTitle();
  }

  function updateTitle() {
    const unread = [...rooms.values()].reduce((sum, r) => sum + r.unread, 0);
    document.title = (unread ? '(' + unread + ') ' : '') + 'Switchboard';
  }

  /** A room's entry in its list: a button that selects it, with its unread count. */
  function listButton(room, label) {
    const li = V.el('li');
    const button = V.el('button');
    button.type = 'button';
    button.dataset.room = room.name;
    button.addEventListener('click', () => select(button.dataset.room));
    li.append(button);
    fillButton(button, room, label);
    return li;
  }

  /**
   * Puts a room's label and unread count in its button, if they changed. The button itself stays:
   * a keyboard or screen-reader user's focus is not moved, nor the button read out again, on
   * every message or join elsewhere.
   */
  function fillButton(button, room, label) {
    button.setAttribute('aria-current', String(room.name === current));
    const sig = label.textContent + '\u0000' + room.unread;
    if (button.dataset.sig === sig) {
      return;
    }
    button.dataset.sig = sig;
    button.replaceChildren(label);
    if (room.unread > 0) {
      // an aria-label on a span is not read out: the words themselves, for screen readers only
      button.append(V.el('span', 'badge', String(room.unread)), V.el('span', 'sr-only', ' unread'));
    }
  }

  /** Brings {@code list} to {@code entries} ([room, label], in order), keeping the items it already has. */
  function renderList(list, entries) {
    const had = new Map([...list.children].map(li => [li.firstChild && li.firstChild.dataset.room, li]));
    placeInOrder(list, entries.map(([room, label]) => {
      const li = had.get(room.name);
      if (!li) {
        return listButton(room, label);
      }
      fillButton(li.firstChild, room, label);
      return li;
    }));
  }

  /**
   * Makes {@code items} the children of {@code list}, in order, moving only those out of place:
   * an item that stays where it was keeps the focus a keyboard user has on it.
   */
  function placeInOrder(list, items) {
    items.forEach((li, i) => {
      if (list.children[i] !== li) {
        list.insertBefore(li, list.children[i] || null);
      }
    });
    while (list.children.length > items.length) {
      list.lastChild.remove();
    }
  }

  function renderLists() {
    const focused = document.activeElement;
    const sorted = [...rooms.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    renderList($('room-list'), sorted.filter(r => r.kind === 'room').map(room => [room, V.el('span', 'name', '# ' + room.name)]));
    renderList($('dm-list'), sorted.filter(r => r.kind === 'dm').map(room => {
      const label = document.createDocumentFragment();
      label.append(V.el('span', 'tag private', 'private'), V.el('span', 'name', room.peerName || room.peer));
      const uid = V.userIdEl(room.peerName, room.peer);
      if (uid) {
        label.append(uid);
      }
      if (room.online === false) {
        label.append(V.el('span', 'tag offline', 'offline'));
      }
      return [room, label];
    }));
    if (focused && focused.isConnected && document.activeElement !== focused && focused.closest('.list')) {
      focused.focus(); // moved within its list (a room added above it): the move took the focus
    }
    updateTitle();
  }

  function renderHead() {
    const room = currentRoom();
    $('room-title').textContent = !room ? 'No room' : room.kind === 'dm' ? (room.peerName || room.peer) : '# ' + room.name;
    const kind = $('room-kind');
    kind.replaceChildren();
    if (room && room.kind === 'dm') {
      const uid = V.userIdEl(room.peerName, room.peer);
      if (uid) {
        kind.append(uid, ' ');
      }
      kind.append(V.el('span', 'tag private', 'private'));
      if (room.online !== undefined) {
        kind.append(' ', V.el('span', 'tag ' + (room.online ? 'online' : 'offline'), room.online ? 'online' : 'offline'));
      }
    }
    // a room not joined (the link is down, or its join is under way) has no count to trust
    $('room-count').textContent = room && room.kind === 'room' && room.joined ? String(room.count) : '–';
    $('members-toggle').hidden = !room || room.kind !== 'room';
    const inRoomControls = $('leave').contains(document.activeElement) || $('composer').contains(document.activeElement);
    $('leave').hidden = !room;
    $('leave').textContent = room && room.kind === 'dm' ? 'Close' : 'Leave';
    $('composer').hidden = !room;
    if (!room && inRoomControls) {
      focusHome(); // the last room left: the join box, not the top of the page
    }
  }

  function renderMembers() {
    const room = currentRoom();
    const list = $('member-list');
    if (!room || room.kind !== 'room' || !room.joined) {
      list.replaceChildren(); // not joined: who is there is not known
      $('members-count').textContent = '';
      return;
    }
    $('members-count').textContent = '(' + room.count + ')';
    const users = [...room.members.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    // the members already listed keep their items: a keyboard or screen-reader user's focus is
    // not moved, nor the member read out again, on every join and leave; when the focused member
    // leaves, the focus goes to the next one
    const focused = list.contains(document.activeElement) ? document.activeElement : null;
    const had = new Map([...list.children].map(li => [li.firstChild.dataset.user + '\u0000' + li.firstChild.dataset.name, li]));
    placeInOrder(list, users.map(([user, name]) => had.get(user + '\u0000' + name) || memberItem(user, name)));
    if (focused && document.activeElement !== focused) {
      const buttons = [...list.querySelectorAll('button:not(:disabled)')];
      const again = focused.isConnected ? focused
        : buttons.find(b => b.dataset.user >= focused.dataset.user) || buttons[buttons.length - 1];
      if (again) {
        again.focus();
      }
    }
  }

  /** A member's item: a button that opens a private conversation with them (not with oneself). */
  function memberItem(user, name) {
    const li = V.el('li');
    const button = V.el('button');
    button.type = 'button';
    button.dataset.user = user;
    button.dataset.name = name;
    button.title = user;
    button.append(V.el('span', 'name', name));
    const uid = V.userIdEl(name, user);
    if (uid) {
      button.append(uid);
    }
    if (user === session.user) {
      button.append(V.el('span', 'you', 'you'));
      button.disabled = true;
    } else {
      button.setAttribute('aria-label', 'Write privately to ' + name);
      button.addEventListener('click', () => {
        select(conversation(user, name).name);
        input.focus(); // the focus goes where the private message is written
      });
    }
    li.append(button);
    return li;
  }

  function topLine(room) {
    return V.el('div', 'more', room.more ? 'Scroll up for older messages' : 'The beginning of ' + (room.kind === 'dm' ? 'this conversation' : 'this room'));
  }

  function renderLog() {
    const room = currentRoom();
    // a log drawn anew is not news: a screen reader would read every message in it as added
    log.setAttribute('aria-live', 'off');
    clearTimeout(liveAgain);
    liveAgain = setTimeout(() => log.setAttribute('aria-live', 'polite'), 200);
    log.replaceChildren();
    $('new-marker').hidden = true;
    if (!room) {
      log.append(V.el('div', 'more', 'Join a room to start.'), ...looseNotices.map(item => V.messageEl(item, session.user)));
      return;
    }
    looseNotices.length = 0; // told while no room was open; a room is open now, and they are old
    const nodes = room.items.map(item => V.messageEl(item, session.user));
    log.append(topLine(room), ...nodes);
  }

  let liveAgain = null;

  /**
   * Draws the log anew where messages came in below or among those shown (a rejoin's recovered
   * ones, a gap read): at the bottom it stays at the bottom; reading back, the first message in
   * view stays where it was on screen (kept at its distance from the bottom instead, the reader
   * was pulled down by every message recovered), and the marker tells of the ones below.
   */
  function renderLogKeepingPlace() {
    if (nearBottom()) {
      renderLog();
      scrollToBottom();
      return;
    }
    const anchor = firstInView();
    const lastBefore = lastSeqShown();
    const marked = !$('new-marker').hidden;
    renderLog();
    const node = anchor && log.querySelector('.msg[data-seq="' + anchor.seq + '"]');
    if (node) {
      log.scrollTop += node.getBoundingClientRect().top - anchor.top;
    }
    $('new-marker').hidden = !(marked || lastSeqShown() !== lastBefore);
  }

  function firstInView() {
    const top = log.getBoundingClientRect().top;
    for (const node of log.querySelectorAll('.msg[data-seq]')) {
      const box = node.getBoundingClientRect();
      if (box.bottom > top) {
        return { seq: node.dataset.seq, top: box.top };
      }
    }
    return null;
  }

  function lastSeqShown() {
    const shown = log.querySelectorAll('.msg[data-seq]');
    return shown.length ? shown[shown.length - 1].dataset.seq : null;
  }

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < NEAR_BOTTOM_PX;
  }

  function scrollToBottom() {
    log.scrollTop = log.scrollHeight;
    $('new-marker').hidden = true;
  }

  function appendToLog(item) {
    const stick = nearBottom() || V.isOwn(item, session.user);
    log.append(V.messageEl(item, session.user));
    if (stick) {
      scrollToBottom();
    } else if (item.kind === 'message') {
      $('new-marker').hidden = false;
    }
  }

  /** Loads the page before the oldest message shown, keeping what is on screen where it was. */
  async function loadOlder() {
    const room = currentRoom();
    if (!room || !room.more || room.loadingOlder || !link || !link.connected || room.minSeq === Infinity
        || performance.now() < room.olderAfter) {
      return;
    }
    room.loadingOlder = true;
    let failed = false;
    try {
      const asked = room.minSeq;
      const page = await readRetrying({ type: 'history', room: room.name, before: asked, limit: PAGE });
      if (room.minSeq !== asked) {
        return; // the log was read anew meanwhile (reset): this page may be the old log's
      }
      const older = page.messages.filter(m => !room.seqs.has(m.seq));
      older.forEach(m => room.seqs.add(m.seq));
      room.items.unshift(...older.map(toItem));
      if (older.length) {
        room.minSeq = Math.min(room.minSeq, older[0].seq);
      }
      room.more = page.more && older.length > 0;
      if (room.name === current) {
        const height = log.scrollHeight;
        const top = log.scrollTop;
        renderLog();
        log.scrollTop = top + (log.scrollHeight - height);
      }
    } catch (err) {
      failed = true;
      if (err.code !== 'disconnected') {
        // not asked again at once (by fillViewport, or by every scroll event near the top), but
        // after a pause, since a log too short to scroll brings no scroll event
        room.olderAfter = performance.now() + RETRY_MS;
        notice(room, 'Could not load older messages: ' + describe(err), 'error');
        setTimeout(() => room.name === current && fillViewport(), RETRY_MS + 50);
      }
    } finally {
      room.loadingOlder = false;
    }
    if (!failed) {
      fillViewport();
    }
  }

  /** Keeps loading older pages while the log does not fill the screen (no scroll bar, no scroll). */
  function fillViewport() {
    const room = currentRoom();
    if (room && room.more && log.scrollHeight <= log.clientHeight + NEAR_TOP_PX) {
      loadOlder();
    }
  }

  /** Closes the narrow layout's panels; focus inside one goes to `returnTo` (default: the message box), not to the page. */
  function closeOverlays(returnTo) {
    const inside = ['sidebar', 'members'].some(id => $(id).classList.contains('open') && $(id).contains(document.activeElement));
    if (inside) {
      (returnTo || input).focus();
    }
    $('sidebar').classList.remove('open');
    $('members').classList.remove('open');
    $('menu').setAttribute('aria-expanded', 'false');
    $('members-toggle').setAttribute('aria-expanded', 'false');
  }

  function toggle(panel, button) {
    const open = !$(panel).classList.contains('open');
    closeOverlays();
    $(panel).classList.toggle('open', open);
    $(button).setAttribute('aria-expanded', String(open));
    if (open) {
      const first = $(panel).querySelector('input:not(:disabled), button:not(:disabled)'); // your own entry in the members is disabled
      if (first) {
        first.focus();
      }
    }
  }

  // ---- wiring -------------------------------------------------------------------------------

  $('login-form').addEventListener('submit', onLogin);
  $('token-form').addEventListener('submit', onTokenLogin);
  $('renew').addEventListener('submit', onRenew);
  $('signout').addEventListener('click', () => signOut(''));
  $('retry').addEventListener('click', () => link && link.now());
  $('menu').addEventListener('click', () => toggle('sidebar', 'menu'));
  $('members-toggle').addEventListener('click', () => toggle('members', 'members-toggle'));
  $('new-marker').addEventListener('click', event => {
    scrollToBottom(); // which hides this button: from a keyboard, it goes on in the message box
    if (event.detail === 0) {
      focusHome(); // not for a tap: a phone would open its keyboard over what was just shown
    }
  });
  $('leave').addEventListener('click', () => currentRoom() && leave(currentRoom()));
  $('join-form').addEventListener('submit', event => {
    event.preventDefault();
    const name = $('join-room').value.trim();
    if (name) {
      $('join-room').value = '';
      joinByName(name);
    }
  });
  $('dm-form').addEventListener('submit', event => {
    event.preventDefault();
    const peer = $('dm-user').value.trim();
    if (!peer) {
      return;
    }
    if (peer === session.user) {
      notice(currentRoom(), 'A private conversation needs someone else.', 'error');
      return;
    }
    $('dm-user').value = '';
    select(conversation(peer, null).name);
  });
  // a click or tap on Send leaves the focus in the message box (and a phone's keyboard open):
  // the button, disabled while the message goes, would hold it and let it drop to the page
  $('send').addEventListener('mousedown', event => event.preventDefault());
  $('composer').addEventListener('submit', event => {
    event.preventDefault();
    send();
    input.focus();
  });
  input.addEventListener('keydown', event => {
    // keyCode 229: Safari ends an input method's composition before the Enter that confirms it
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      send();
    }
  });
  input.addEventListener('input', fitInput);
  log.addEventListener('scroll', () => {
    if (nearBottom()) {
      $('new-marker').hidden = true;
    }
    if (log.scrollTop < NEAR_TOP_PX) {
      loadOlder();
    }
  });
  document.addEventListener('keydown', event => {
    if (event.key === 'Escape') {
      // back to the button that opened the panel
      closeOverlays($('sidebar').classList.contains('open') ? $('menu') : $('members-toggle'));
    }
  });
  // a page open past midnight: yesterday's times get their day, checked each minute and when the
  // page is back in sight (a laptop that slept through the night fires its timers late)
  let drawnDay = new Date().toDateString();
  function redrawDaysIfNewDay() {
    const now = new Date();
    if (now.toDateString() !== drawnDay) {
      drawnDay = now.toDateString();
      V.redrawDays(log, now);
    }
  }
  setInterval(redrawDaysIfNewDay, 60000);
  let hiddenSince = document.hidden ? performance.now() : null;
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) {
      redrawDaysIfNewDay();
    }
    const room = currentRoom();
    if (!document.hidden && room && room.unread) {
      room.unread = 0;
      renderLists();
    }
    // back after longer than a ping's interval (a laptop that slept, a tab the browser throttled):
    // whether the link survived is asked now, not at the next timed ping
    if (!document.hidden && hiddenSince !== null && performance.now() - hiddenSince > tuning.pingMs && link) {
      link.check();
    }
    hiddenSince = document.hidden ? performance.now() : null;
  });
  // skips a back-off wait; a link that ended for good (kicked, too many connections) stays ended;
  // a link that looks open is asked for a pong, for the network under it may have changed
  window.addEventListener('online', () => {
    if (link && link.connected) {
      link.check();
    } else if (link && !link.stopped) {
      link.now();
    }
  });

  // for tests and the curious: the state behind the page
  window.switchboardChat = {
    rooms, session, tuning, link: () => link, current: () => current, refreshToken, useToken,
    conversationsListed: () => conversationsListed,
  };

  function boot() {
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

  boot();
})();
