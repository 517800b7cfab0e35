import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

export interface OAuthMockStats {
  codeGrants: number;
  refreshGrants: number;
  refusedRefreshes: number;
  refreshTokensUsed: string[];
  liveRefreshTokens: string[];
}

export interface OAuthMock {
  baseUrl: string;
  configure(settings: { expiresIn?: number; refuseRefresh?: boolean }): Promise<void>;
  stats(): Promise<OAuthMockStats>;
  close(): Promise<void>;
}

/** Starts test/support/oauth-mock-server.mjs (oauth2-mock-server is ESM-only; jest here runs CommonJS). */
export async function startOAuthMock(): Promise<OAuthMock> {
  const child: ChildProcess = fork(join(__dirname, 'oauth-mock-server.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: { type: string } & T) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        resolve(message);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`oauth mock exited (${code})`)));
    });
  const { port } = await next<{ port: number }>('ready');
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    configure: async (settings) => {
      const done = next('configured');
      child.send({ type: 'configure', ...settings });
      await done;
    },
    stats: async () => {
      const answer = next<{ stats: OAuthMockStats }>('stats');
      child.send({ type: 'stats' });
      return (await answer).stats;
    },
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' });
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
      if (child.exitCode === null) child.kill();
    },
  };
}
