/**
 * `npm start` itself: persistence and migrations across restarts, clean shutdown (no orphan
 * Java), SIGTERM to the launcher the operator started (`npm start`, `npx tsx …`) stops it all,
 * no-Java message.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../shared/aws/dynamo.ts';
import { nameClaimKeys } from '../../shared/repo/name-claim.ts';
import { LOCAL_AWS } from '../../infra/local/dynamodb-local.ts';
import { spawnStack, type StackInfo } from '../support/spawn-stack.ts';
import { eventually } from '../support/api.ts';

const javaProcessesFor = (dataDir: string) => {
  // The Java process itself (its watchdog shell's command line names the jar too).
  const out = spawnSync('pgrep', ['-f', `^java .*DynamoDBLocal.jar.*${dataDir}`], {
    encoding: 'utf8',
  });
  return out.stdout.trim().split('\n').filter(Boolean);
};

/** The DynamoDB Local Java process serving `port` (a run's own; other stacks may be running). */
const javaProcessesOnPort = (port: number) => {
  const out = spawnSync('pgrep', ['-f', `^java .*DynamoDBLocal\\.jar -port ${port} `], {
    encoding: 'utf8',
  });
  return out.stdout.trim().split('\n').filter(Boolean);
};

/** Whether anything answers HTTP on `url` (a 503 while draining still counts). */
const answers = (url: string) =>
  fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) }).then(
    () => true,
    () => false,
  );

const create = (url: string, name: string) =>
  fetch(`${url}/api/instances`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, model_name: 'm', cluster_name: 'c', image_tag: 't' }),
  });

const docOf = (info: StackInfo) =>
  createDocumentClient(new DynamoDBClient({ endpoint: info.dynamodb, ...LOCAL_AWS }));

/** `CAT-kept` as code from before claims of the name as written stored it: the folded claim only. */
async function writtenBeforeCasedClaims(info: StackInfo, id: number, cased: string) {
  await docOf(info).send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: info.tables.instances,
            Key: { id },
            UpdateExpression: 'REMOVE name_claim_cased',
          },
        },
        { Delete: { TableName: info.tables.meta, Key: { pk: cased } } },
      ],
    }),
  );
}

describe('local stack lifecycle', () => {
  it('keeps data across a restart, migrates it at start and leaves no Java process behind on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ii-data-'));
    const first = await spawnStack(['--data-dir', dataDir]);
    const created = (await (await create(first.info.url, 'persisted')).json()) as { id: number };
    // An instance from before a migration (shared/config/migrations.ts): it blocks no capital
    // look-alike until the next start migrates it.
    const older = (await (await create(first.info.url, 'CAT-kept')).json()) as { id: number };
    const [, cased] = nameClaimKeys('CAT-kept');
    expect(cased).toBeDefined();
    await writtenBeforeCasedClaims(first.info, older.id, cased!);
    const lookalike = await create(first.info.url, '\u0421\u0410\u0422-kept');
    expect(lookalike.status).toBe(201);
    const { id: lookalikeId } = (await lookalike.json()) as { id: number };
    expect(
      (await fetch(`${first.info.url}/api/instances/${lookalikeId}`, { method: 'DELETE' })).status,
    ).toBe(200);
    expect(javaProcessesFor(dataDir)).toHaveLength(1);
    expect(await first.stop(), first.output()).toBe(0);
    expect(javaProcessesFor(dataDir)).toEqual([]);

    const second = await spawnStack(['--data-dir', dataDir]);
    try {
      const got = await fetch(`${second.info.url}/api/instances/${created.id}`);
      expect(got.status).toBe(200);
      expect(((await got.json()) as { name: string }).name).toBe('persisted');
      // Migrated before the first request: the claim is back, and it blocks the look-alike.
      const item = await docOf(second.info).send(
        new GetCommand({ TableName: second.info.tables.instances, Key: { id: older.id } }),
      );
      expect(item.Item?.name_claim_cased).toBe(cased);
      const again = await create(second.info.url, '\u0421\u0410\u0422-kept');
      expect(again.status).toBe(409);
      expect(((await again.json()) as { error: { details: unknown } }).error.details).toMatchObject(
        { existing_id: older.id },
      );
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

  // What a process manager, `docker stop` (npm as PID 1) or `kill <pid of npm start>` does: the
  // signal reaches the launcher only, not the stack under it.
  it.each([
    ['npm', ['start', '--', '--in-memory']],
    ['npx', ['tsx', 'infra/local/main.ts', '--in-memory']],
  ])(
    'stops everything, Java included, on SIGTERM to `%s` alone',
    async (launcher, args) => {
      const child = spawn(launcher, args, {
        env: { ...process.env, PORT: '0', POWERTOOLS_LOG_LEVEL: 'CRITICAL' },
        stdio: ['ignore', 'pipe', 'pipe'],
        // A group of its own, as from a shell prompt, so that cleanup can reach what it leaves.
        detached: true,
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      let launcherExit: number | string | null | undefined;
      child.once('exit', (code, signal) => (launcherExit = code ?? signal));
      let info: StackInfo | undefined;
      try {
        await eventually(
          () => {
            const line = output.split('\n').find((l) => l.startsWith('READY '));
            if (line) info = JSON.parse(line.slice(6)) as StackInfo;
            return info !== undefined || launcherExit !== undefined;
          },
          // Generous for a loaded machine (it takes a few seconds); only a failure waits this long.
          45_000,
          100,
          () => `no READY line:\n${output}`,
        );
        expect(info, output).toBeDefined();
        const { url, dynamodb } = info!;
        const javaPort = Number(new URL(dynamodb).port);
        expect(await answers(url)).toBe(true);
        expect(javaProcessesOnPort(javaPort)).toHaveLength(1);

        process.kill(child.pid!, 'SIGTERM');

        await eventually(
          async () => !(await answers(url)) && javaProcessesOnPort(javaPort).length === 0,
          10_000,
          100,
          () =>
            `${url} still answers after SIGTERM to ${launcher} (Java: ${javaProcessesOnPort(javaPort).join(',') || 'none'})\n${output}`,
        );
        // The orderly stop ran (not a kill). npx exits at once, before the stack's last line.
        await eventually(
          () => launcherExit !== undefined,
          5_000,
          100,
          () => `${launcher} still running`,
        );
        await eventually(
          () => /stopped in /.test(output),
          5_000,
          100,
          () => `no orderly stop in the output:\n${output}`,
        );
        // `npm start` hands the signal to the stack itself and exits with it, after the stop.
        if (launcher === 'npm') expect(launcherExit, output).toBe(0);
      } finally {
        // On failure: whatever is left of this run (its own process group; Java stops with it).
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          // nothing left
        }
      }
    },
    70_000,
  );

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
