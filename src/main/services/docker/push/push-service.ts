import type Docker from 'dockerode';
import { PushParams, type PushParamsInput, type PushResultData } from '../../../../shared/contract/builds';
import { AppError } from '../../../../shared/errors';
import type { OperationManager } from '../../operations/index';
import { readJsonLines } from '../build/index';
import {
  credentialServer,
  credentialsFromDockerConfig,
  isLoopbackRegistry,
  parseImageReference,
  verifyRegistryCredentials,
  type DockerConfigOptions,
  type RegistryAuth,
  type ResolvedCredentials,
} from '../registry/index';
import { PushDecoder, type PushStreamEvent } from './push-decoder';

export interface PushServiceOptions {
  docker: Docker;
  operations: OperationManager;
  /** Where ~/.docker/config.json is looked for (tests point it elsewhere). */
  dockerConfig?: DockerConfigOptions;
  /** Credentials entered earlier in the app (the secret store), asked before config.json. */
  appCredentials?: (registry: string) => Promise<{ username: string; password: string } | null>;
}

export interface StartedPush {
  operationId: string;
  done: Promise<PushResultData>;
}

/** What the engine says when a registry refuses a push for its credentials or rights. */
const AUTH_FAILURE =
  /unauthorized|authentication required|denied|no basic auth credentials|incorrect username or password/i;

/**
 * Pushes as operations: credentials resolved (entered in the app, else the docker CLI's config)
 * and checked against the registry with a timeout first, then the engine's push with progress per
 * layer and the digest at the end.
 */
export class PushService {
  constructor(private readonly options: PushServiceOptions) {}

  start(input: PushParamsInput): StartedPush {
    const params = PushParams.parse(input);
    const reference = parseImageReference(params.image);
    if (reference.digest) {
      throw new AppError('VALIDATION', `Push a tag, not a digest: ${params.image}.`);
    }
    const tag = reference.tag ?? 'latest';
    const image = `${reference.repository}:${tag}`;
    const { docker, operations } = this.options;
    const { id, done } = operations.start<PushResultData>({
      kind: 'push',
      title: `Push ${image}`,
      work: async (ctx) => {
        try {
          await docker.getImage(image).inspect();
        } catch {
          throw new AppError('NOT_FOUND', `There is no local image ${image}. Build or tag it first.`);
        }
        const credentials = await this.credentialsFor(reference.registry, params.credentials);
        ctx.log(`Checking the credentials for ${reference.registry}…\n`);
        await verifyRegistryCredentials(reference.registry, credentials.auth, {
          timeoutMs: params.authTimeoutMs,
          signal: ctx.signal,
          allowHttp: await this.allowsPlainHttp(reference.registry),
          origin: credentials.origin || undefined,
        });
        ctx.emit('push:authenticated', {
          registry: reference.registry,
          credentialSource: credentials.source,
        });

        const decoder = new PushDecoder({
          layer: (progress) => ctx.emit('push:layerProgressed', progress),
          log: (line) => ctx.log(`${line}\n`),
        });
        let stream: NodeJS.ReadableStream;
        try {
          stream = await docker.getImage(reference.repository).push({
            tag,
            authconfig: engineAuth(credentials.auth, reference.registry),
            abortSignal: ctx.signal,
          } as Parameters<Docker.Image['push']>[0]);
        } catch (err) {
          if (ctx.signal.aborted) throw new AppError('CANCELLED', 'The push was cancelled.');
          throw new AppError(
            'DOCKER_ERROR',
            `The engine refused to push ${image}: ${(err as Error).message}`,
          );
        }
        try {
          await readJsonLines<PushStreamEvent>(stream, (event) => decoder.handle(event));
        } catch (err) {
          if (ctx.signal.aborted) throw new AppError('CANCELLED', 'The push was cancelled.');
          throw new AppError(
            'DOCKER_ERROR',
            `The push stream of ${image} broke off: ${(err as Error).message}`,
          );
        }
        if (decoder.failure) {
          if (AUTH_FAILURE.test(decoder.failure)) {
            throw new AppError(
              'REGISTRY_AUTH',
              `${reference.registry} refused the push of ${image}: ${decoder.failure}. Check that the account may push to ${reference.path}.`,
              { registry: reference.registry, message: decoder.failure },
            );
          }
          throw new AppError('DOCKER_ERROR', `The push of ${image} failed: ${decoder.failure}`, {
            registry: reference.registry,
            message: decoder.failure,
          });
        }
        if (!decoder.digest) {
          throw new AppError(
            'DOCKER_ERROR',
            `The engine finished pushing ${image} without reporting a digest.`,
          );
        }
        const result: PushResultData = {
          image,
          digest: decoder.digest,
          pinnedReference: `${reference.repository}@${decoder.digest}`,
          sizeBytes: decoder.size,
          credentialSource: credentials.source,
        };
        ctx.emit('push:pushed', result);
        return result;
      },
    });
    return { operationId: id, done };
  }

  /** Entered for this push, else kept by the app, else the docker CLI's, else none. */
  private async credentialsFor(
    registry: string,
    entered: { username: string; password: string } | undefined,
  ): Promise<ResolvedCredentials> {
    const fromApp = entered ?? (await this.options.appCredentials?.(registry)) ?? null;
    if (fromApp) return { auth: fromApp, source: 'app', origin: 'the credentials entered in the app' };
    const fromConfig = await credentialsFromDockerConfig(registry, this.options.dockerConfig);
    return fromConfig ?? { auth: null, source: 'none', origin: '' };
  }

  /** The engine itself falls back to HTTP for loopback registries and those marked insecure. */
  private async allowsPlainHttp(registry: string): Promise<boolean> {
    if (isLoopbackRegistry(registry)) return true;
    try {
      const info = (await this.options.docker.info()) as {
        RegistryConfig?: { IndexConfigs?: Record<string, { Secure?: boolean }> };
      };
      return info.RegistryConfig?.IndexConfigs?.[registry]?.Secure === false;
    } catch {
      return false;
    }
  }
}

/** The X-Registry-Auth the engine expects. */
function engineAuth(auth: RegistryAuth | null, registry: string): Record<string, string> {
  const serveraddress = credentialServer(registry);
  if (!auth) return { serveraddress };
  if ('identityToken' in auth) return { identitytoken: auth.identityToken, serveraddress };
  return { username: auth.username, password: auth.password, serveraddress };
}
