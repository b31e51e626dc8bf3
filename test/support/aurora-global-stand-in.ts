import type { StandInReply, StandInRequest } from './aws-stand-in.js';

const RDS_NAMESPACE = 'http://rds.amazonaws.com/doc/2014-10-31/';
const MOVES = ['FailoverGlobalCluster', 'SwitchoverGlobalCluster'];

/**
 * moto 5.2.5 answers FailoverGlobalCluster and SwitchoverGlobalCluster with a 500. This plays
 * them in the RDS Query protocol in front of moto: it accepts the request, and DescribeGlobalClusters
 * (moto's answer, rewritten) shows the global cluster `failing-over` / `switching-over` with no
 * writer and a FailoverState while the test holds the move, then `available` with the target as
 * writer. Held from the start, so a test releases it once it has seen the move in progress.
 */
export function auroraGlobalStandIn() {
  let held = true;
  let writerArn: string | undefined;
  let moving: { operation: string; to: string } | undefined;
  return {
    release() {
      held = false;
      if (moving) writerArn = moving.to;
      moving = undefined;
    },
    hold() { held = true; },
    answer(request: StandInRequest): StandInReply | undefined {
      if (!MOVES.includes(request.operation)) return undefined;
      const params = new URLSearchParams(request.body);
      const to = params.get('TargetDbClusterIdentifier') ?? '';
      if (held) moving = { operation: request.operation, to };
      else writerArn = to;
      const op = request.operation;
      return {
        contentType: 'text/xml',
        body: `<${op}Response xmlns="${RDS_NAMESPACE}"><${op}Result><GlobalCluster><GlobalClusterIdentifier>${params.get('GlobalClusterIdentifier')}</GlobalClusterIdentifier><Status>${statusOf(op)}</Status></GlobalCluster></${op}Result><ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></${op}Response>`,
      };
    },
    rewrite(request: StandInRequest, body: string): string {
      if (request.operation !== 'DescribeGlobalClusters') return body;
      if (moving) {
        const { operation, to } = moving;
        return setWriter(body, undefined).replace('<Status>available</Status>',
          `<Status>${statusOf(operation)}</Status><FailoverState><Status>${statusOf(operation)}</Status><ToDbClusterArn>${to}</ToDbClusterArn><IsDataLossAllowed>${operation === 'FailoverGlobalCluster'}</IsDataLossAllowed></FailoverState>`);
      }
      return writerArn ? setWriter(body, writerArn) : body;
    },
  };
}

function statusOf(operation: string): string {
  return operation === 'FailoverGlobalCluster' ? 'failing-over' : 'switching-over';
}

/** Marks `writerArn` (or no member) as the writer. */
function setWriter(body: string, writerArn: string | undefined): string {
  return body.replace(/(<GlobalClusterMember><DBClusterArn>([^<]+)<\/DBClusterArn>[\s\S]*?<IsWriter>)(true|false)(<\/IsWriter>)/g,
    (_all, head: string, arn: string, _old: string, tail: string) => `${head}${arn === writerArn}${tail}`);
}
