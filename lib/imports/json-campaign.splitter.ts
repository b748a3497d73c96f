/** The body is not JSON (or not one JSON value). */
export class MalformedJsonError extends Error {}

/** Where the top-level fields and the contacts of a streamed body go. */
export interface JsonCampaignSink {
  /** A top-level field, parsed (`contacts` too when it is not an array). */
  field(key: string, value: unknown): void;
  /** A `contacts` array starts. */
  contactsArray(): void;
  /** The next item of the `contacts` array, parsed. */
  contact(item: unknown): void;
}

const enum State {
  Start,
  KeyOrEnd,
  KeyStart,
  Key,
  Colon,
  Value,
  AfterValue,
  ArrayStart,
  ElementStart,
  AfterElement,
  Done,
  /** Not an object: kept whole, to tell a non-object from malformed JSON. */
  Raw,
}

const isSpace = (c: number) =>
  c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const QUOTE = 0x22;
const BOM = [0xef, 0xbb, 0xbf];
const BACKSLASH = 0x5c;
// Characters a JSON value can start with besides `"`, `{` and `[`.
const PRIMITIVE_START = /[-0-9tfn]/;

/**
 * Splits a JSON object body as it streams in: each top-level field is parsed
 * alone, and the `contacts` array item by item, so only one item is held at
 * a time. Structure is checked here (objects, arrays, commas, strings); each
 * piece is checked by `JSON.parse`. Bytes are scanned as bytes: every
 * structural character is ASCII, so a UTF-8 sequence split across chunks is
 * never misread.
 */
export class JsonCampaignSplitter {
  private state = State.Start;
  private key = '';
  private sawContacts = false;
  /** Bytes of the byte order mark matched so far; -1 once past it. */
  private bom = 0;
  // The piece being captured: its parts from earlier chunks and its start in this one.
  private capturing = false;
  private parts: Buffer[] = [];
  private start = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private primitive = false;
  private captureFor: 'key' | 'field' | 'contact' = 'field';
  /** Set by {@link end} when the body is JSON but not an object. */
  notObject = false;

  constructor(private readonly sink: JsonCampaignSink) {}

  write(chunk: Buffer): void {
    let i = 0;
    // A UTF-8 byte order mark, possibly split across chunks.
    while (this.bom >= 0 && i < chunk.length) {
      if (chunk[i] !== BOM[this.bom]) {
        if (this.bom > 0) throw new MalformedJsonError();
        this.bom = -1;
        break;
      }
      i++;
      if (++this.bom === BOM.length) this.bom = -1;
    }
    if (this.state === State.Raw) {
      this.parts.push(chunk);
      return;
    }
    this.start = i;
    for (; i < chunk.length; i++) {
      if (this.capturing) {
        const end = this.scanCapture(chunk, i);
        if (end < 0) break;
        i = this.finishCapture(chunk, end);
        continue;
      }
      const c = chunk[i];
      if (isSpace(c)) continue;
      i = this.step(chunk, i, c);
      if ((this.state as State) === State.Raw) {
        this.parts.push(chunk.subarray(i));
        return;
      }
    }
    if (this.capturing) this.parts.push(chunk.subarray(this.start));
  }

  end(): void {
    if (this.state === State.Raw) {
      try {
        JSON.parse(Buffer.concat(this.parts).toString('utf8'));
      } catch {
        throw new MalformedJsonError();
      }
      this.notObject = true;
      return;
    }
    if (this.state !== State.Done) throw new MalformedJsonError();
  }

  /** One structural character `c` at `i`; returns the index it ends at. */
  private step(chunk: Buffer, i: number, c: number): number {
    switch (this.state) {
      case State.Start:
        if (c !== 0x7b) {
          this.state = State.Raw;
          return i;
        }
        this.state = State.KeyOrEnd;
        return i;
      case State.KeyOrEnd:
        if (c === 0x7d) {
          this.state = State.Done;
          return i;
        }
        return this.startKey(chunk, i, c);
      case State.KeyStart:
        return this.startKey(chunk, i, c);
      case State.Colon:
        if (c !== 0x3a) throw new MalformedJsonError();
        this.state = State.Value;
        return i;
      case State.Value:
        if (this.key === 'contacts') {
          if (this.sawContacts) throw new MalformedJsonError();
          this.sawContacts = true;
          if (c === 0x5b) {
            this.sink.contactsArray();
            this.state = State.ArrayStart;
            return i;
          }
        }
        return this.startCapture(chunk, i, c, 'field');
      case State.AfterValue:
        if (c === 0x2c) this.state = State.KeyStart;
        else if (c === 0x7d) this.state = State.Done;
        else throw new MalformedJsonError();
        return i;
      case State.ArrayStart:
        if (c === 0x5d) {
          this.state = State.AfterValue;
          return i;
        }
        return this.startCapture(chunk, i, c, 'contact');
      case State.ElementStart:
        return this.startCapture(chunk, i, c, 'contact');
      case State.AfterElement:
        if (c === 0x2c) this.state = State.ElementStart;
        else if (c === 0x5d) this.state = State.AfterValue;
        else throw new MalformedJsonError();
        return i;
      default:
        throw new MalformedJsonError();
    }
  }

  private startKey(chunk: Buffer, i: number, c: number): number {
    if (c !== QUOTE) throw new MalformedJsonError();
    return this.startCapture(chunk, i, c, 'key');
  }

  /** Starts capturing the value at `i`; returns the index to continue after. */
  private startCapture(
    chunk: Buffer,
    i: number,
    c: number,
    captureFor: 'key' | 'field' | 'contact',
  ): number {
    this.captureFor = captureFor;
    this.capturing = true;
    this.parts = [];
    this.start = i;
    this.depth = 0;
    this.escaped = false;
    this.primitive = false;
    this.inString = false;
    if (c === QUOTE) this.inString = true;
    else if (c === 0x7b || c === 0x5b) this.depth = 1;
    else if (PRIMITIVE_START.test(String.fromCharCode(c)))
      this.primitive = true;
    else throw new MalformedJsonError();
    if (this.primitive) return i;
    const end = this.scanCapture(chunk, i + 1);
    if (end < 0) return chunk.length - 1;
    return this.finishCapture(chunk, end);
  }

  /**
   * Scans the captured value from `i`: the index just past its last byte,
   * or -1 when it goes on in the next chunk.
   */
  private scanCapture(chunk: Buffer, i: number): number {
    if (this.primitive) {
      for (; i < chunk.length; i++) {
        const c = chunk[i];
        if (isSpace(c) || c === 0x2c || c === 0x7d || c === 0x5d) return i;
      }
      return -1;
    }
    for (; i < chunk.length; i++) {
      const c = chunk[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.depth === 0) return i + 1;
        }
      } else if (c === QUOTE) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (--this.depth === 0) return i + 1;
      }
    }
    return -1;
  }

  /** Delivers the value ending before `end`; returns the index to continue after. */
  private finishCapture(chunk: Buffer, end: number): number {
    const text = this.parts.length
      ? Buffer.concat([
          ...this.parts,
          chunk.subarray(this.start, end),
        ]).toString('utf8')
      : chunk.toString('utf8', this.start, end);
    this.capturing = false;
    this.parts = [];
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new MalformedJsonError();
    }
    if (this.captureFor === 'key') {
      this.key = value as string;
      this.state = State.Colon;
    } else if (this.captureFor === 'field') {
      this.sink.field(this.key, value);
      this.state = State.AfterValue;
    } else {
      this.sink.contact(value);
      this.state = State.AfterElement;
    }
    // A primitive ends at its delimiter, which is read again.
    return end - 1;
  }
}
