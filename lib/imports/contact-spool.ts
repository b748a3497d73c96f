import { randomUUID } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type {
  NewContact,
  SpooledContact,
} from '../campaigns/new-campaign.interface';
import { canonicalContactJson } from '../idempotency/canonical-request-hash';

/** Contacts kept in memory before the spool moves to a file. */
export const IN_MEMORY_CONTACTS = 10_000;

const FLUSH_BYTES = 1 << 16;
const READ_BYTES = 1 << 20;

/**
 * The validated contacts of one request, in request order: in memory up to
 * {@link IN_MEMORY_CONTACTS}, beyond that in a private temporary file (one
 * canonical JSON line each, prefixed by its first-occurrence flag), so a
 * million contacts cost disk, not memory. Written once, then read.
 */
export class ContactSpool {
  private memory: SpooledContact[] | null = [];
  private path: string | null = null;
  private file: FileHandle | null = null;
  private pending: string[] = [];
  private pendingBytes = 0;
  private disposed = false;

  constructor(private readonly directory = tmpdir()) {}

  /** The contacts when they all fit in memory, else null. */
  get inMemory(): NewContact[] | null {
    return this.memory && this.memory.map((s) => s.contact);
  }

  append(contact: NewContact, first: boolean): void {
    if (this.memory) {
      this.memory.push({ contact, first });
      if (this.memory.length <= IN_MEMORY_CONTACTS) return;
      for (const spooled of this.memory) this.queue(spooled);
      this.memory = null;
      return;
    }
    this.queue({ contact, first });
  }

  /** Writes what is queued when enough is; call between input chunks. */
  async flush(force = false): Promise<void> {
    if (!this.pending.length || (!force && this.pendingBytes < FLUSH_BYTES)) {
      return;
    }
    if (!this.file) {
      this.path = join(this.directory, `campaign-import-${randomUUID()}.jsonl`);
      this.file = await open(this.path, 'wx', 0o600);
    }
    const text = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    await this.file.write(text);
  }

  /** The contacts in order, `size` at a time. */
  async *chunks(size: number): AsyncGenerator<SpooledContact[]> {
    if (this.memory) {
      for (let i = 0; i < this.memory.length; i += size) {
        yield this.memory.slice(i, i + size);
      }
      return;
    }
    let chunk: SpooledContact[] = [];
    for await (const line of this.lines()) {
      chunk.push({
        first: line.charCodeAt(0) === 0x31,
        contact: JSON.parse(line.slice(1)) as NewContact,
      });
      if (chunk.length === size) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length) yield chunk;
  }

  /** Each contact as canonical JSON (for the request hash), in order. */
  async *canonical(): AsyncGenerator<string> {
    if (this.memory) {
      for (const { contact } of this.memory)
        yield canonicalContactJson(contact);
      return;
    }
    for await (const line of this.lines()) yield line.slice(1);
  }

  /** Removes the file; safe to call more than once. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.memory = null;
    this.pending = [];
    const { file, path } = this;
    this.file = null;
    if (file) await file.close().catch(() => undefined);
    if (path) await rm(path, { force: true });
  }

  private queue({ contact, first }: SpooledContact): void {
    const line = `${first ? 1 : 0}${canonicalContactJson(contact)}\n`;
    this.pending.push(line);
    this.pendingBytes += line.length;
  }

  /**
   * The file's lines, read 1 MiB at a time: no more is read until the
   * consumer has taken what was (the database sets the pace).
   */
  private async *lines(): AsyncGenerator<string> {
    if (this.disposed) return;
    await this.flush(true);
    if (!this.path) return;
    const file = await open(this.path, 'r');
    const buffer = Buffer.alloc(READ_BYTES);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    try {
      for (;;) {
        const { bytesRead } = await file.read(buffer, 0, READ_BYTES, null);
        if (bytesRead === 0) break;
        // Lines are ASCII-safe to split: a newline byte is never inside a
        // UTF-8 sequence, and a sequence split across reads is kept whole
        // by the decoder.
        const text = rest + decoder.write(buffer.subarray(0, bytesRead));
        const lines = text.split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) if (line) yield line;
      }
      rest += decoder.end();
      if (rest) yield rest;
    } finally {
      await file.close();
    }
  }
}
