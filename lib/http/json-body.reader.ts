import type { IncomingMessage } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { InvalidCampaignRequestException } from '../validation/field-problem';

export const bodyError = (status: number, message: string) =>
  new InvalidCampaignRequestException([{ field: 'body', message }], status);

const DECODERS: Record<
  string,
  (() => Readable & NodeJS.WritableStream) | undefined
> = {
  identity: undefined,
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** `application/json` with no charset or UTF-8: the only body the module reads. */
export function jsonContentTypeProblem(
  contentType: string | undefined,
): InvalidCampaignRequestException | null {
  return contentTypeProblem(contentType, ['application/json']);
}

/**
 * Null when `contentType` is one of `accepted` with no charset or UTF-8,
 * else the 415.
 */
export function contentTypeProblem(
  contentType: string | undefined,
  accepted: readonly string[],
): InvalidCampaignRequestException | null {
  const [mediaType, ...parameters] = (contentType ?? '').split(';');
  if (!accepted.includes(mediaType.trim().toLowerCase())) {
    return bodyError(415, `Content-Type must be ${accepted.join(' or ')}`);
  }
  for (const parameter of parameters) {
    const [name, value = ''] = parameter.split('=');
    if (
      name.trim().toLowerCase() === 'charset' &&
      !/^"?utf-?8"?$/i.test(value.trim())
    ) {
      return bodyError(415, 'unsupported encoding or charset');
    }
  }
  return null;
}

/**
 * The body of the Node request, decoded, chunk by chunk, never more than
 * `limit` bytes in all: a declared length over it is refused unread, a
 * stream that grows past it is dropped. 4xx with the module's body for
 * every client fault.
 */
export async function* bodyChunks(
  request: IncomingMessage,
  limit: number,
): AsyncGenerator<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) throw bodyError(413, 'the request body is too large');
  const encoding = String(
    request.headers['content-encoding'] ?? 'identity',
  ).toLowerCase();
  if (!Object.hasOwn(DECODERS, encoding)) {
    throw bodyError(415, 'unsupported encoding or charset');
  }
  const decoder = DECODERS[encoding];
  const source: Readable = decoder ? request.pipe(decoder()) : request;
  let size = 0;
  // Not destroyed on a throw: the 413 must still reach the client.
  const chunks = source.iterator({ destroyOnReturn: false });
  while (true) {
    let next: IteratorResult<unknown>;
    try {
      next = await chunks.next();
    } catch {
      throw bodyError(400, 'the request body could not be read');
    }
    if (next.done) return;
    const chunk = next.value as Buffer;
    size += chunk.length;
    if (size > limit) throw bodyError(413, 'the request body is too large');
    yield chunk;
  }
}

/** The whole body ({@link bodyChunks}) in one buffer. */
export async function readRawBody(
  request: IncomingMessage,
  limit: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of bodyChunks(request, limit)) {
    chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks, size);
}

/** {@link readRawBody}, as JSON. */
export async function readJsonBody(
  request: IncomingMessage,
  limit: number,
): Promise<unknown> {
  const text = (await readRawBody(request, limit)).toString('utf8');
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    throw bodyError(400, 'malformed JSON');
  }
}
