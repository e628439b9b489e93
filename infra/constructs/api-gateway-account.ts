import { RemovalPolicy } from 'aws-cdk-lib';
import { CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from './nag.ts';

/**
 * API Gateway writes WebSocket (and REST) access logs with one role per account and region,
 * set in its account settings; without it a stage with access logging fails to deploy
 * ("CloudWatch Logs role ARN must be set in account settings"). HTTP APIs do not need it.
 *
 * The setting is account-wide, so an account that already has one can skip this construct
 * (context `apiGatewayAccountRole=false`). Both resources are retained: deleting the stack
 * must not leave the account setting pointing at a deleted role.
 */
export class ApiGatewayAccountLogRole extends Construct {
  readonly account: CfnAccount;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName(
          'service-role/AmazonAPIGatewayPushToCloudWatchLogs',
        ),
      ],
    });
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    acknowledge(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'This is the account-wide API Gateway logging role: it serves every REST and WebSocket API of the account and region, so it cannot be scoped to this stack; AWS maintains the policy for exactly this purpose.',
    );
    this.account = new CfnAccount(this, 'Account', { cloudWatchRoleArn: role.roleArn });
    this.account.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
}
