// An OAuth 2.0 authorization server for the calendar tests: oauth2-mock-server (ESM-only, hence this separate
// process, started with child_process.fork), on 127.0.0.1 only. On top of the mock it behaves like providers
// that rotate refresh tokens: each refresh token works once, a reused one is refused with invalid_grant.
// The parent controls it over IPC: { type: 'configure', expiresIn?, refuseRefresh? } and { type: 'stats' }.
import { OAuth2Server } from 'oauth2-mock-server';

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
await server.start(0, '127.0.0.1');

const liveRefreshTokens = new Set();
const stats = { codeGrants: 0, refreshGrants: 0, refusedRefreshes: 0, refreshTokensUsed: [] };
let expiresIn = 3600;
let refuseRefresh = false;

server.service.on('beforeResponse', (response, request) => {
  const grant = request.body?.grant_type;
  if (grant === 'refresh_token') {
    stats.refreshGrants++;
    const presented = request.body.refresh_token;
    stats.refreshTokensUsed.push(presented);
    if (refuseRefresh || !liveRefreshTokens.delete(presented)) {
      stats.refusedRefreshes++;
      response.statusCode = 400;
      response.body = { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' };
      return;
    }
  } else if (grant === 'authorization_code') {
    stats.codeGrants++;
  }
  if (response.statusCode === 200) {
    response.body.expires_in = expiresIn;
    if (response.body.refresh_token) liveRefreshTokens.add(response.body.refresh_token);
  }
});

process.on('message', (message) => {
  if (message.type === 'configure') {
    if (message.expiresIn !== undefined) expiresIn = message.expiresIn;
    if (message.refuseRefresh !== undefined) refuseRefresh = message.refuseRefresh;
    process.send({ type: 'configured' });
  } else if (message.type === 'stats') {
    process.send({ type: 'stats', stats: { ...stats, liveRefreshTokens: [...liveRefreshTokens] } });
  } else if (message.type === 'stop') {
    server.stop().then(() => process.exit(0));
  }
});

process.send({ type: 'ready', port: server.address().port });
