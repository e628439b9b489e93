import { App, Stack, Validations } from 'aws-cdk-lib';
import type { NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  acknowledge,
  addNagChecks,
  MIN_REASON_LENGTH,
  nagPacks,
} from '../../infra/constructs/nag.ts';
import { InferenceInstancesStack, type InferenceInstancesStackProps } from '../../infra/stack.ts';

/** The two shapes the app deploys in: Cognito created here, or an external issuer. */
const VARIANTS: Record<string, InferenceInstancesStackProps> = {
  'Cognito issuer, CORS, alarm e-mail': {
    jwtAudience: [],
    corsOrigins: ['https://admin.example.com'],
    alarmEmail: 'ops@example.com',
  },
  'external issuer, no CORS, account log role kept': {
    jwtIssuer: 'https://login.example.com/',
    jwtAudience: ['dashboard', 'cli'],
    jwksUrl: 'https://login.example.com/keys',
    corsOrigins: [],
    apiGatewayAccountRole: false,
  },
};

interface Finding {
  rule: string;
  severity: string;
  path: string;
}

function build(props: InferenceInstancesStackProps) {
  // esbuild is skipped: cdk-nag reads the construct tree, not the bundles.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new InferenceInstancesStack(app, 'NagStack', props);
  return { app, stack };
}

function findings(scope: IConstruct, packs: NagPack[]): Finding[] {
  return packs.flatMap((pack) =>
    pack.validateScope(scope).violations.flatMap((v) =>
      v.violatingResources.map((r) => ({
        rule: v.ruleName,
        severity: v.severity ?? 'error',
        path: r.constructPath ?? '',
      })),
    ),
  );
}

/** The same packs with acknowledgments ignored: every raw finding, to prove none is stale. */
function rawFindings(scope: IConstruct): Finding[] {
  const packs = nagPacks();
  for (const pack of packs) {
    (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  }
  return findings(scope, packs);
}

/** Every `Validations.of(x).acknowledge(...)` in the tree: where, which rule, why. */
function acknowledgments(scope: IConstruct): { path: string; id: string; reason: string }[] {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe.each(Object.entries(VARIANTS))('cdk-nag, %s', (_name, props) => {
  let app: App;
  let stack: InferenceInstancesStack;
  beforeAll(() => {
    ({ app, stack } = build(props));
  }, 60_000);

  it('leaves no unacknowledged AwsSolutions or Serverless error or warning', () => {
    // Act
    const open = findings(stack, nagPacks());
    // Assess: the rule, level and path of each leftover, for a readable failure.
    expect(open.map((f) => `${f.severity} ${f.rule} ${f.path}`)).toEqual([]);
  });

  it('runs both packs (they do report when nothing is acknowledged)', () => {
    const rules = new Set(rawFindings(stack).map((f) => f.rule.split('-')[0]));
    expect(rules).toEqual(new Set(['AwsSolutions', 'Serverless']));
  });

  it('gives every acknowledgment a reason of its own', () => {
    const acks = acknowledgments(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acks) {
      expect(id, path).toMatch(/^(AwsSolutions|Serverless)-[A-Za-z0-9]+(\[.+\])?$/);
      expect(reason.trim().length, `${id} on ${path}`).toBeGreaterThanOrEqual(MIN_REASON_LENGTH);
      expect(reason, `${id} on ${path}`).not.toMatch(/^(n\/?a|todo|tbd|ok|suppressed?)\b/i);
    }
  });

  it('acknowledges only findings that exist (no stale acknowledgment)', () => {
    const raw = rawFindings(stack);
    for (const { path, id } of acknowledgments(stack)) {
      const hit = raw.some(
        (f) => f.rule === id && (f.path === path || f.path.startsWith(`${path}/`)),
      );
      expect(hit, `${id} on ${path}`).toBe(true);
    }
  });

  it('synthesizes with the packs registered the way infra/app.ts registers them', () => {
    // Act / Assess: CDK's validation step throws on any unacknowledged error.
    addNagChecks(app);
    expect(() => app.synth()).not.toThrow();
  });
});

describe('acknowledge()', () => {
  it('refuses a reason too short to explain anything', () => {
    const stack = new Stack(new App(), 'Probe');
    expect(() => acknowledge(stack, 'AwsSolutions-IAM5', 'needed')).toThrow(/real reason/);
  });
});
