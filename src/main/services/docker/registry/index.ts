export { parseImageReference, credentialServer, isLoopbackRegistry, DOCKER_HUB } from './image-reference';
export type { ImageReference } from './image-reference';
export { credentialsFromDockerConfig, dockerConfigDir } from './docker-config';
export type { DockerConfigOptions } from './docker-config';
export { getFromCredentialHelper } from './credential-helper';
export { verifyRegistryCredentials, parseChallenge } from './registry-auth';
export type { VerifyOptions } from './registry-auth';
export type { RegistryAuth, ResolvedCredentials, CredentialSource } from './credentials';
