// Switchboard pages: what a JWT says about itself. The pages only read their own token's claims
// (who signed in, when it expires) to run the UI; the node checks the signature, never the page.
(function (global) {
  'use strict';

  /** The token's claims, or null for anything that is not a JWT with a string `sub`. */
  function claimsOf(token) {
    try {
      const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const bytes = Uint8Array.from(atob(part), c => c.charCodeAt(0));
      const claims = JSON.parse(new TextDecoder().decode(bytes));
      return claims && typeof claims.sub === 'string' ? claims : null;
    } catch (e) {
      return null;
    }
  }

  /** When the token expires, in ms since the epoch, or null when it says nothing of it. */
  function expiryOf(token) {
    const claims = claimsOf(token);
    return claims && typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  }

  global.switchboardJwt = { claimsOf, expiryOf };
})(window);
