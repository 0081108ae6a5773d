/**
 * Who is calling and what they may do: token verification (HS256 with the cluster-shared
 * secret, RS256/ES256 with a provider key), grants for rooms, the development login route.
 * Verification completes on the caller's event loop.
 */
package io.switchboard.auth;
