// Switchboard chat: the DOM pieces of one message. Every string from the network or a person is
// put in with textContent; links are made only from http(s) URLs, with the href set after
// parsing, so no text ever becomes markup or script.
(function (global) {
  'use strict';

  const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
  const TRAILING_PUNCTUATION = '.,;:!?)]}';

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  const pad = n => String(n).padStart(2, '0');

  function hhmm(date) {
    return pad(date.getHours()) + ':' + pad(date.getMinutes());
  }

  /** "Dec 5 " before a time not of today ("Dec 5, 2025 " not of this year), "" today. */
  function dayOf(date, now) {
    if (date.toDateString() === now.toDateString()) {
      return '';
    }
    const options = { month: 'short', day: 'numeric' };
    if (date.getFullYear() !== now.getFullYear()) {
      options.year = 'numeric';
    }
    return date.toLocaleDateString(undefined, options) + ' ';
  }

  /**
   * A time element: HH:MM in local time, with the day before it when that is not today (a
   * history spans days: yesterday's 09:12 looked like today's), the full date and time on hover.
   */
  function timeEl(ts) {
    const date = ts ? new Date(ts) : new Date();
    const node = el('time', null, dayOf(date, new Date()) + hhmm(date));
    node.dateTime = date.toISOString();
    node.title = date.toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'medium' });
    return node;
  }

  /**
   * Writes again the day before every time under {@code root} as of {@code now}: a page left open
   * past midnight showed yesterday's 23:55 as a bare 23:55, like today's.
   */
  function redrawDays(root, now) {
    for (const node of root.querySelectorAll('time[datetime]')) {
      const date = new Date(node.dateTime);
      node.textContent = dayOf(date, now) + hhmm(date);
    }
  }

  /** Only http(s) URLs become links; anything else (javascript:, data:, …) stays text. */
  function safeHref(candidate) {
    try {
      const url = new URL(candidate);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  /**
   * "see https://example.org/a." links without the full stop. A loop, not /[.,…]+$/: that regex
   * tries every run of punctuation to the end, quadratic in a 4 000-character URL of dots, and
   * one such message froze every member's tab.
   */
  function withoutTrailingPunctuation(url) {
    let end = url.length;
    while (end > 0 && TRAILING_PUNCTUATION.includes(url[end - 1])) {
      end--;
    }
    return url.slice(0, end);
  }

  /** Appends {@code text} to {@code parent} as text nodes, with http(s) URLs as links. */
  function appendText(parent, text) {
    let last = 0;
    for (const match of text.matchAll(URL_PATTERN)) {
      const url = withoutTrailingPunctuation(match[0]);
      const href = safeHref(url);
      if (!href) {
        continue;
      }
      parent.append(document.createTextNode(text.slice(last, match.index)));
      const link = el('a', null, url);
      link.href = href;
      link.target = '_blank';
      link.rel = 'noopener noreferrer nofollow';
      parent.append(link);
      last = match.index + url.length;
    }
    parent.append(document.createTextNode(text.slice(last)));
  }

  /**
   * "@user" beside a display name that is not the user id: anyone may call themselves "Alice",
   * only the token's user id tells who wrote. Null when the name is the id (or there is none).
   */
  function userIdEl(name, user) {
    return name && user && name !== user ? el('span', 'uid', '@' + user) : null;
  }

  const ID_CHAR = /[a-z0-9_.@-]/;

  /**
   * Whether {@code text} names {@code user} as "@user", in any case: not inside a longer id
   * ("@alice2"), an e-mail address ("bob@alice.example") or a dotted name ("@alice.b"), while
   * "@alice." and "@alice," at the end of a sentence still count.
   */
  function mentions(text, user) {
    if (typeof text !== 'string' || !user) {
      return false;
    }
    const lower = text.toLowerCase();
    const needle = '@' + user.toLowerCase();
    for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + 1)) {
      const next = at + needle.length;
      const before = at === 0 ? '' : lower[at - 1];
      const after = lower[next] || '';
      const afterDot = after === '.' ? (lower[next + 1] || '') : '';
      if (!ID_CHAR.test(before) && !(after !== '.' && ID_CHAR.test(after)) && !ID_CHAR.test(afterDot)) {
        return true;
      }
    }
    return false;
  }

  function isOwn(item, me) {
    return item.kind === 'message' && item.from === me && item.via !== 'api';
  }

  /** One message bubble (own: right and blue; others: left and white) or a system notice. */
  function messageEl(item, me) {
    const kind = item.kind === 'system' ? 'system' : (isOwn(item, me) ? 'own' : 'other');
    const node = el('div', 'msg ' + kind);
    if (item.level) {
      node.classList.add(item.level);
    }
    const meta = el('div', 'meta');
    if (item.kind === 'message') {
      node.dataset.seq = item.seq;
      node.dataset.from = item.from;
      if (kind === 'other') {
        const from = el('span', 'from', item.via === 'api' ? (item.name || item.from) + ' · via api' : (item.name || item.from));
        from.dir = 'auto'; // a right-to-left name stays whole beside the time
        meta.append(from);
        const uid = userIdEl(item.name, item.from);
        if (uid) {
          meta.append(uid);
        }
      }
    }
    if (kind === 'other' && mentions(item.text, me)) {
      node.classList.add('mention'); // "@me" in someone else's message stands out
      meta.append(el('span', 'sr-only', 'mentions you, '));
    }
    if (kind !== 'other') {
      // heard, not seen: a screen reader tells one's own messages and notices from the others'
      meta.append(el('span', 'sr-only', kind === 'own' ? 'You, ' : 'Notice, ')); // read apart from the time
    }
    meta.append(timeEl(item.ts));
    const body = el('div', 'text');
    body.dir = 'auto'; // Hebrew or Arabic text reads from the right, with its punctuation
    appendText(body, typeof item.text === 'string' ? item.text : '');
    if (item.data !== undefined && item.data !== null) {
      body.append(el('code', 'data', JSON.stringify(item.data)));
    }
    node.append(meta, body);
    return node;
  }

  global.SwitchboardView = { el, hhmm, timeEl, redrawDays, appendText, safeHref, userIdEl, mentions, isOwn, messageEl };
})(window);
