import type { IncomingMessage } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { InvalidCampaignRequestException } from '../validation/field-problem';

const bodyError = (status: number, message: string) =>
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
  const [mediaType, ...parameters] = (contentType ?? '').split(';');
  if (mediaType.trim().toLowerCase() !== 'application/json') {
    return bodyError(415, 'Content-Type must be application/json');
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
 * Reads a body from the Node request, never holding more than `limit`
 * bytes (decoded): a declared length over it is refused unread, a stream
 * that grows past it is dropped. 4xx with the module's body for every
 * client fault.
 */
export async function readRawBody(
  request: IncomingMessage,
  limit: number,
): Promise<Buffer> {
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
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    // Not destroyed on a throw: the 413 must still reach the client.
    for await (const chunk of source.iterator({ destroyOnReturn: false })) {
      size += (chunk as Buffer).length;
      if (size > limit) {
        throw bodyError(413, 'the request body is too large');
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof InvalidCampaignRequestException) throw error;
    throw bodyError(400, 'the request body could not be read');
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
