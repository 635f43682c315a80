export { PushService } from './push-service';
export type { PushServiceOptions, StartedPush } from './push-service';
export { PushDecoder } from './push-decoder';
export type { PushStreamEvent } from './push-decoder';
