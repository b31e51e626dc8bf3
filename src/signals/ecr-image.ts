import { DescribeImagesCommand, type ImageIdentifier } from '@aws-sdk/client-ecr';
import { z } from 'zod';
import { isAwsError } from '../aws/aws-errors.js';
import { ecrClient, type AwsTarget } from '../aws/clients.js';
import { arnsIn, type Grant, type PermissionScope } from '../aws/permissions.js';
import { durationMs } from '../scenario/fields.js';
import type { Observation, Signal } from './signal.js';

export const ecrImageSignalSettings = z.strictObject({
  /** The repository in the recovery Region that ECR replication fills. */
  repositoryName: z.string().min(2),
  region: z.string().min(1),
  /** The application image, by tag (`v42`) or by digest (`sha256:…`): exactly one. */
  imageTag: z.string().min(1).optional(),
  imageDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected an image digest like "sha256:" and 64 hex digits').optional(),
  interval: durationMs.default(60_000),
}).refine((s) => (s.imageTag === undefined) !== (s.imageDigest === undefined), { message: 'expected exactly one of imageTag and imageDigest', path: ['imageTag'] });

export type EcrImageSignalSettings = z.input<typeof ecrImageSignalSettings>;

export function ecrImageSignalPermissions(settings: EcrImageSignalSettings, scope: PermissionScope): Grant[] {
  return [{ purpose: 'ReadRecoveryImage', actions: ['ecr:DescribeImages'], resources: arnsIn(scope, 'ecr', settings.region, `repository/${settings.repositoryName}`) }];
}

/**
 * A steady-state precondition: the application image is in the recovery Region's ECR
 * repository (DescribeImages), so a scale-up there can pull it. `present` since the image's own
 * `imagePushedAt` (the replication's arrival), or `missing`, with the reason in the detail (no
 * such image, or no such repository).
 */
export function createEcrImageSignal(name: string, settings: EcrImageSignalSettings, resolveTarget: (region: string) => AwsTarget): Signal {
  const s = ecrImageSignalSettings.parse(settings);
  const client = ecrClient(resolveTarget(s.region));
  const imageId: ImageIdentifier = s.imageTag ? { imageTag: s.imageTag } : { imageDigest: s.imageDigest! };
  const image = `${s.repositoryName}:${s.imageTag ?? s.imageDigest} in ${s.region}`;
  return {
    name,
    intervalMs: s.interval,
    async observe({ signal }): Promise<Observation> {
      try {
        const answer = await client.send(new DescribeImagesCommand({ repositoryName: s.repositoryName, imageIds: [imageId] }), { abortSignal: signal });
        const found = answer.imageDetails?.[0];
        if (!found) return { state: 'missing', detail: { image, reason: `ECR has no image ${image}` } };
        return {
          state: 'present',
          ...(found.imagePushedAt ? { since: found.imagePushedAt } : {}),
          detail: { image, imageDigest: found.imageDigest ?? null, imageTags: found.imageTags ?? [], pushedAt: found.imagePushedAt?.toISOString() ?? null },
        };
      } catch (error) {
        if (isAwsError(error, 'ImageNotFoundException')) return { state: 'missing', detail: { image, reason: `ECR has no image ${image}` } };
        if (isAwsError(error, 'RepositoryNotFoundException')) return { state: 'missing', detail: { image, reason: `ECR has no repository ${s.repositoryName} in ${s.region}` } };
        throw error;
      }
    },
    async close() {
      client.destroy();
    },
  };
}
