import { arnsIn, passRoleGrant, type Grant, type PermissionScope, type ServiceRole } from '../aws/permissions.js';
import { DRILL_TAG } from './fis-api.js';
import { createdTemplateOf, type FisSettings } from './fis-settings.js';

/** Conditions that hold the drill to what it tagged itself (FIS supports both on these calls). */
const TAGGED_REQUEST = { Null: { [`aws:RequestTag/${DRILL_TAG}`]: 'false' } };
const TAGGED_RESOURCE = { Null: { [`aws:ResourceTag/${DRILL_TAG}`]: 'false' } };

/**
 * What firedrill's own FIS calls need: create (and pass the experiment role), start, poll and
 * stop the experiment, delete and check the template it made. Templates and experiments other
 * than the drill's own are reached only through its tag. What the experiment itself does is
 * the experiment role's business (`experimentRoles`).
 */
export function fisPermissions(s: FisSettings, scope: PermissionScope): Grant[] {
  const arn = (resource: string) => arnsIn(scope, 'fis', s.region, resource);
  const created = createdTemplateOf(s);
  const experiments = arn('experiment/*');
  const grants: Grant[] = [];
  if (created) {
    grants.push(
      { purpose: 'CreateTaggedTemplate', actions: ['fis:CreateExperimentTemplate'], resources: [...arn('experiment-template/*'), ...arn('action/*')], condition: TAGGED_REQUEST },
      passRoleGrant('PassExperimentRoleToFis', created.roleArn, 'fis.amazonaws.com'),
      { purpose: 'RemoveOwnTemplate', actions: ['fis:DeleteExperimentTemplate', 'fis:GetExperimentTemplate'], resources: arn('experiment-template/*'), condition: TAGGED_RESOURCE },
      { purpose: 'FindOwnTemplatesAfterCrash', actions: ['fis:ListExperimentTemplates'], resources: ['*'], cleanupOnly: true },
    );
  }
  grants.push(
    { purpose: 'StartTaggedExperiment', actions: ['fis:StartExperiment'], resources: [...arn(`experiment-template/${s.template ?? '*'}`), ...experiments], condition: TAGGED_REQUEST },
    { purpose: 'WatchAndStopOwnExperiment', actions: ['fis:GetExperiment', 'fis:StopExperiment'], resources: experiments, condition: TAGGED_RESOURCE },
    { purpose: 'FindOwnExperimentsAfterCrash', actions: ['fis:ListExperiments'], resources: ['*'], cleanupOnly: true },
  );
  return grants;
}

/** AWS's managed policies for FIS experiment roles, by the service prefix of an action id. */
const MANAGED_POLICY: Record<string, string> = {
  ec2: 'AWSFaultInjectionSimulatorEC2Access',
  ecs: 'AWSFaultInjectionSimulatorECSAccess',
  eks: 'AWSFaultInjectionSimulatorEKSAccess',
  network: 'AWSFaultInjectionSimulatorNetworkAccess',
  rds: 'AWSFaultInjectionSimulatorRDSAccess',
  ssm: 'AWSFaultInjectionSimulatorSSMAccess',
};

/** What the experiment role must allow (FIS's needs, not the drill's): only known for a template firedrill creates. */
export function experimentRoles(s: FisSettings): ServiceRole[] {
  const template = createdTemplateOf(s);
  if (!template) return [];
  const actions = [...new Set(Object.values(template.actions).map((a) => a.actionId))].filter((id) => id !== 'aws:fis:wait');
  const policies = actions.map((id) => MANAGED_POLICY[id.split(':')[1] ?? '']).filter((p): p is string => p !== undefined);
  const log = template.logConfiguration;
  const report = template.experimentReportConfiguration?.outputs?.s3Configuration;
  const writesTo = [
    ...(log?.cloudWatchLogsConfiguration ? [`CloudWatch Logs ${log.cloudWatchLogsConfiguration.logGroupArn}`] : []),
    ...(log?.s3Configuration ? [`S3 s3://${log.s3Configuration.bucketName}/${log.s3Configuration.prefix ?? ''} (experiment logs)`] : []),
    ...(report ? [`S3 s3://${report.bucketName}/${report.prefix ?? ''} (experiment report)`] : []),
  ];
  return [{ service: 'fis.amazonaws.com', roleArn: template.roleArn, actions, managedPolicies: [...new Set(policies)], writesTo }];
}
