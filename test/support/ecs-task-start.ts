import type { StandInRequest } from './aws-stand-in.js';

/**
 * moto runs every desired ECS task the moment UpdateService is called. This gives tasks a start
 * the test controls: DescribeServices answers at most `started` running tasks (the rest
 * pending), and once all run, the "has reached a steady state" event ECS writes, timed then.
 */
export function ecsTaskStart() {
  let started = 0;
  let steadySince: Date | undefined;
  return {
    /** Lets `count` tasks of each service run. */
    start(count: number) { started = count; },
    rewrite(request: StandInRequest, body: string): string {
      if (request.operation !== 'DescribeServices') return body;
      const answer = JSON.parse(body) as { services?: { serviceName: string; desiredCount: number; runningCount: number; pendingCount: number; events: unknown[] }[] };
      for (const service of answer.services ?? []) {
        service.runningCount = Math.min(service.desiredCount, started);
        service.pendingCount = service.desiredCount - service.runningCount;
        if (service.pendingCount > 0) steadySince = undefined;
        else if (service.desiredCount > 0) {
          steadySince ??= new Date();
          service.events = [{ id: 'stand-in', createdAt: steadySince.getTime() / 1000, message: `(service ${service.serviceName}) has reached a steady state.` }];
        }
      }
      return JSON.stringify(answer);
    },
  };
}
