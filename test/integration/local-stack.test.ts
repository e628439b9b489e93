/** `npm start` itself: persistence across restarts, clean shutdown (no orphan Java), no-Java message. */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnStack } from '../support/spawn-stack.ts';

const javaProcessesFor = (dataDir: string) => {
  // The Java process itself (its watchdog shell's command line names the jar too).
  const out = spawnSync('pgrep', ['-f', `^java .*DynamoDBLocal.jar.*${dataDir}`], {
    encoding: 'utf8',
  });
  return out.stdout.trim().split('\n').filter(Boolean);
};

describe('local stack lifecycle', () => {
  it('keeps data across a restart and leaves no Java process behind on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ii-data-'));
    const first = await spawnStack(['--data-dir', dataDir]);
    const created = await fetch(`${first.info.url}/api/instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'persisted',
        model_name: 'm',
        cluster_name: 'c',
        image_tag: 't',
      }),
    }).then((r) => r.json() as Promise<{ id: number }>);
    expect(javaProcessesFor(dataDir)).toHaveLength(1);
    expect(await first.stop(), first.output()).toBe(0);
    expect(javaProcessesFor(dataDir)).toEqual([]);

    const second = await spawnStack(['--data-dir', dataDir]);
    try {
      const got = await fetch(`${second.info.url}/api/instances/${created.id}`);
      expect(got.status).toBe(200);
      expect(((await got.json()) as { name: string }).name).toBe('persisted');
    } finally {
      await second.stop();
    }
    expect(javaProcessesFor(dataDir)).toEqual([]);
  }, 120_000);

  it('removes what an --in-memory run wrote when it stops', async () => {
    const run = await spawnStack(['--in-memory']);
    expect(existsSync(join(run.info.state, 'dynamodb'))).toBe(true);
    expect(existsSync(join(run.info.state, 'stack.json'))).toBe(true);
    expect(await run.stop(), run.output()).toBe(0);
    expect(existsSync(run.info.state)).toBe(false);
  }, 120_000);

  it('says how to install Java when it is missing', () => {
    const nodeDir = join(process.execPath, '..');
    let message = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'infra/local/main.ts', '--in-memory'], {
        env: { ...process.env, PATH: nodeDir, PORT: '0' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      message = String((err as { stderr?: string }).stderr);
      expect((err as { status?: number }).status).toBe(1);
    }
    expect(message).toContain('Java was not found');
    expect(message).toContain('apt-get install');
  });
});
