import { decodeString, readFields } from './protobuf-reader';

/**
 * BuildKit's progress as the engine streams it through /build with version=2: every JSON line
 * `{"id":"moby.buildkit.trace","aux":"<base64>"}` is a protobuf moby.buildkit.v1.StatusResponse
 * (api/services/control/control.proto). Only the fields the build view uses are decoded.
 */
export interface BuildkitVertex {
  digest: string;
  name: string;
  cached: boolean;
  /** Milliseconds since the epoch, on the daemon's clock. */
  started: number | null;
  completed: number | null;
  error: string;
}

export interface BuildkitVertexStatus {
  id: string;
  vertex: string;
  name: string;
  current: number;
  total: number;
  completed: number | null;
}

export interface BuildkitVertexLog {
  vertex: string;
  /** 1 stdout, 2 stderr. */
  stream: number;
  data: Uint8Array;
}

export interface BuildkitStatus {
  vertexes: BuildkitVertex[];
  statuses: BuildkitVertexStatus[];
  logs: BuildkitVertexLog[];
}

export function decodeBuildkitStatus(base64: string): BuildkitStatus {
  const status: BuildkitStatus = { vertexes: [], statuses: [], logs: [] };
  for (const f of readFields(Buffer.from(base64, 'base64'))) {
    if (!f.bytes) continue;
    if (f.field === 1) status.vertexes.push(decodeVertex(f.bytes));
    else if (f.field === 2) status.statuses.push(decodeVertexStatus(f.bytes));
    else if (f.field === 3) status.logs.push(decodeVertexLog(f.bytes));
  }
  return status;
}

function decodeVertex(buf: Uint8Array): BuildkitVertex {
  const v: BuildkitVertex = {
    digest: '',
    name: '',
    cached: false,
    started: null,
    completed: null,
    error: '',
  };
  for (const f of readFields(buf)) {
    switch (f.field) {
      case 1:
        v.digest = decodeString(f.bytes);
        break;
      case 3:
        v.name = decodeString(f.bytes);
        break;
      case 4:
        v.cached = (f.varint ?? 0) !== 0;
        break;
      case 5:
        v.started = decodeTimestamp(f.bytes);
        break;
      case 6:
        v.completed = decodeTimestamp(f.bytes);
        break;
      case 7:
        v.error = decodeString(f.bytes);
        break;
    }
  }
  return v;
}

function decodeVertexStatus(buf: Uint8Array): BuildkitVertexStatus {
  const s: BuildkitVertexStatus = { id: '', vertex: '', name: '', current: 0, total: 0, completed: null };
  for (const f of readFields(buf)) {
    if (f.field === 1) s.id = decodeString(f.bytes);
    else if (f.field === 2) s.vertex = decodeString(f.bytes);
    else if (f.field === 3) s.name = decodeString(f.bytes);
    else if (f.field === 4) s.current = f.varint ?? 0;
    else if (f.field === 5) s.total = f.varint ?? 0;
    else if (f.field === 8) s.completed = decodeTimestamp(f.bytes);
  }
  return s;
}

function decodeVertexLog(buf: Uint8Array): BuildkitVertexLog {
  const l: BuildkitVertexLog = { vertex: '', stream: 1, data: new Uint8Array() };
  for (const f of readFields(buf)) {
    if (f.field === 1) l.vertex = decodeString(f.bytes);
    else if (f.field === 3) l.stream = f.varint ?? 1;
    else if (f.field === 4 && f.bytes) l.data = f.bytes;
  }
  return l;
}

/** google.protobuf.Timestamp {seconds = 1, nanos = 2} as epoch milliseconds. */
function decodeTimestamp(bytes: Uint8Array | undefined): number | null {
  if (!bytes) return null;
  let seconds = 0;
  let nanos = 0;
  for (const f of readFields(bytes)) {
    if (f.field === 1) seconds = f.varint ?? 0;
    else if (f.field === 2) nanos = f.varint ?? 0;
  }
  return seconds * 1000 + Math.floor(nanos / 1e6);
}
