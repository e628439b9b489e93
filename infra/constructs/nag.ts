import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks, type NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag v3 runs as a CDK policy-validation plugin (not an Aspect) and reads acknowledgments
 * from `Validations.of(construct).acknowledge(...)` (v2's `NagSuppressions` no longer exists).
 * The packs the app runs at synth; tests run the same list through `validateScope`.
 */
export function nagPacks(scope?: IConstruct): NagPack[] {
  return [
    new AwsSolutionsChecks(scope, { verbose: true }),
    new ServerlessChecks(scope, { verbose: true }),
  ];
}

/** Registers the packs: `cdk synth` fails on any unacknowledged error and prints warnings. */
export function addNagChecks(scope: IConstruct): void {
  Validations.of(scope).addPlugins(...nagPacks(scope));
}

/** A reason must say why this resource is an exception, not just that it is one. */
export const MIN_REASON_LENGTH = 40;

/**
 * Acknowledges one cdk-nag finding on the construct (and its children), next to where the
 * construct is built. Throws at synth when the reason is too short to be a reason.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(`cdk-nag acknowledgment ${id} on ${scope.node.path} needs a real reason`);
  }
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * The finding id AwsSolutions-IAM5 reports for a wildcard resource, e.g.
 * `AwsSolutions-IAM5[Resource::<TablesInstances1A2B.Arn>/index/*]`. v3 acknowledges findings
 * one by one (no regex), so the id is derived from the ARN exactly as cdk-nag flattens it.
 */
export function wildcardResourceFinding(scope: IConstruct, arn: string): string {
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(arn))}]`;
}

/** Same rendering as cdk-nag's flattenCfnReference (Ref → `<Id>`, GetAtt → `<Id.Attr>`). */
function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const obj = node as Record<string, unknown>;
  if (obj['Fn::Join']) {
    const [delimiter, items] = obj['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (obj['Fn::Sub']) return flatten(obj['Fn::Sub']);
  if (obj['Fn::GetAtt']) {
    const [resource, attribute] = obj['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (obj.Ref) return `<${flatten(obj.Ref)}>`;
  return JSON.stringify(node);
}
