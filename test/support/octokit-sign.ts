import { execFileSync } from 'node:child_process';

/**
 * Signs like GitHub, with GitHub's own library. @octokit/webhooks-methods is ESM-only and jest runs CommonJS
 * here, so the signature is made in a short-lived node process.
 */
export function signLikeGitHub(secret: string, payload: string): string {
  const script = `import { sign } from '@octokit/webhooks-methods'; process.stdout.write(await sign(process.env.SECRET, process.env.PAYLOAD));`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, SECRET: secret, PAYLOAD: payload },
    cwd: __dirname,
  }).toString();
}
