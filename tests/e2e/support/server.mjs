// Starts the real `modu` binary on a free port with a throw-away SQLite folder, and
// gives the tests a small REST client for setting things up.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/// A TCP port nothing listens on right now.
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/// `env`: settings for this server, as environment variables (MODU_WS_HEART_BEAT_MS: '1000').
export async function startServer({ binary = process.env.MODUTEST_BINARY ?? 'build/asan/modu', env = {} } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'modu-e2e-'));
  const port = await freePort();
  const child = spawn(binary, ['serve', '--profile', 'test', '--port', String(port), '--data-dir', dataDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stderr.on('data', (chunk) => { output += chunk; });
  let exited = false;
  child.once('exit', () => { exited = true; });
  const until = Date.now() + 30000;
  for (;;) {
    if (exited) throw new Error(`modu exited before it answered:\n${output}`);
    if (Date.now() > until) throw new Error(`modu did not answer /healthz within 30 s:\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    async stop() {
      const gone = exited ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function api(base, method, path, body, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(base + path, { method, headers, body: body && JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/// Signs a new member up and logs them in: {id, token}.
export async function member(base, name) {
  const email = `${name}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  const signup = await api(base, 'POST', '/api/v1/auth/signup', { email, password: 'correct horse', nickname: name });
  if (signup.status !== 201) throw new Error(`sign-up: ${JSON.stringify(signup.json)}`);
  const login = await api(base, 'POST', '/api/v1/auth/login', { email, password: 'correct horse' });
  return { id: signup.json.id, token: login.json.accessToken };
}
