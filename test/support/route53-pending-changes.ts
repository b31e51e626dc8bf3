import type { StandInRequest } from './aws-stand-in.js';

/**
 * Route 53 answers a change PENDING and a step polls GetChange until INSYNC; moto answers INSYNC
 * at once. As a stand-in's `rewrite`, this answers ChangeResourceRecordSets PENDING (GetChange,
 * from moto, then reads INSYNC), so a drill takes the path it takes on AWS.
 */
export function route53ChangesPending(request: StandInRequest, body: string): string {
  return request.method === 'POST' && /\/rrset\/?$/.test(request.path) ? body.replace('<Status>INSYNC</Status>', '<Status>PENDING</Status>') : body;
}
