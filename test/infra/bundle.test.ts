import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { HandlerFunction } from '../../infra/constructs/handler-function.ts';
import { tables } from '../../shared/config/tables.ts';

/** The handler bundled for real: it pulls in the AWS SDK, middy, zod and the repositories. */
const HANDLER = 'http/get-instance';
let bundlePath: string;

beforeAll(() => {
  // Prepare / Act: one function through the same NodejsFunction defaults as the stack.
  const app = new App();
  const stack = new Stack(app, 'BundleProbe');
  new HandlerFunction(stack, 'Probe', { handler: HANDLER, kind: 'http' });
  const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  // The asset directory is named after the hash that also names the uploaded zip.
  const key = (fn!.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
  bundlePath = join(app.outdir, `asset.${key}`, 'index.mjs');
}, 60_000);

describe('HandlerFunction bundle', () => {
  it('is minified ESM with a source map and a real require', () => {
    const code = readFileSync(bundlePath, 'utf8');
    expect(code.split('\n')[0]).toMatch(/createRequire.*import\.meta\.url/);
    expect(existsSync(`${bundlePath}.map`)).toBe(true);
    expect(code.split('\n').length).toBeLessThan(100);
  });

  it('bundles the AWS SDK instead of importing the runtime copy', () => {
    const code = readFileSync(bundlePath, 'utf8');
    // Only static imports count: the SDK's optional CRT/SigV4a signers stay lazy `require`s.
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
  });

  it('loads in a fresh Node process the way a cold start does', () => {
    // Act: what Lambda does at init, with the environment the stack would set.
    const env = {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      [tables.instances.envVar]: 'instances',
      [tables.meta.envVar]: 'meta',
    };
    const script = `const m = await import(${JSON.stringify(pathToFileURL(bundlePath).href)});
      process.stdout.write(typeof m.handler);`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env });
    // Assess
    expect(out.toString()).toBe('function');
  });
});
