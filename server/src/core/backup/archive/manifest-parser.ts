/**
 * A decrypted manifest parsed as it is read. The whole text is never held, nor a tree of parsed
 * objects: each entry is parsed on its own and goes into the compact table (entry-table.ts), so
 * memory follows the table, not the text, and a hostile manifest is refused as soon as an entry
 * or the count is wrong. The layout is exactly what the writer writes (manifestJson):
 *
 *   {"format":N,"createdAt":"…","entries":[{…},{…}],"meta":{…}}
 *
 * compact, in this order, each entry a flat object. Anything else is `corrupt`.
 */
import type { ExtractLimits, Manifest } from './format.js';
import { checkManifest, corruptManifest, parseEntry, unsafe } from './framing.js';
import { EntryTable } from './entry-table.js';

/** `{"format":1,"createdAt":"2026-…"` and `,"entries":[`: far under this. */
const MAX_HEAD = 1024;
/** One entry: a path of at most 4096 bytes, each escaped at worst as `\uXXXX`, and its fields. */
export const MAX_ENTRY_TEXT = 64 * 1024;
/** The meta (versions, row counts, folder owners, settings): a few KiB in practice. */
export const MAX_META_TEXT = 16 * 1024 * 1024;

const HEAD = /^\{"format":(\d{1,5}),"createdAt":("(?:[^"\\]|\\.){1,64}"),"entries":\[/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Where the flat object starting at `start` ends (its `}`), or -1 when the text stops first. */
function objectEnd(text: string, start: number): number {
  let inString = false;
  for (let at = start + 1; at < text.length; at += 1) {
    const c = text.charCodeAt(at);
    if (inString) {
      if (c === BACKSLASH) at += 1;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === 0x7d) return at;
    else if (c === 0x7b || c === 0x5b) throw corruptManifest('an entry is not a flat object');
  }
  return -1;
}

export class ManifestParser {
  private pending = '';
  private stage: 'head' | 'entries' | 'meta' = 'head';
  /** In the entries: whether the next thing is the first entry, one after a comma, or either end. */
  private expect: 'first' | 'entry' | 'comma' = 'first';
  private format = 0;
  private createdAt = '';
  private readonly entries = new EntryTable();

  constructor(
    private readonly limits: ExtractLimits,
    private readonly headerVersion: number,
  ) {}

  push(text: string): void {
    this.pending += text;
    if (this.stage === 'head') this.readHead();
    if (this.stage === 'entries') this.readEntries();
    if (this.stage === 'meta' && this.pending.length > MAX_META_TEXT) {
      throw corruptManifest('its meta is too large');
    }
  }

  finish(): Manifest {
    if (this.stage !== 'meta') throw corruptManifest('it ends early');
    let meta: unknown;
    try {
      // `,"meta":{…}}` is the rest of the object the head opened.
      if (!this.pending.startsWith(',"meta":')) throw new Error();
      meta = (JSON.parse(`{${this.pending.slice(1)}`) as { meta: unknown }).meta;
    } catch {
      throw corruptManifest('it lacks its meta');
    }
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
      throw corruptManifest('it lacks its meta');
    }
    this.pending = '';
    const manifest: Manifest = {
      format: this.format,
      createdAt: this.createdAt,
      entries: this.entries,
      meta: meta as Record<string, unknown>,
    };
    checkManifest(manifest, this.limits);
    return manifest;
  }

  private readHead(): void {
    const head = HEAD.exec(this.pending);
    if (!head) {
      if (
        this.pending.length > MAX_HEAD ||
        !this.pending.startsWith('{"format":'.slice(0, this.pending.length))
      ) {
        throw corruptManifest('its format or creation time does not match the header');
      }
      return;
    }
    this.format = Number(head[1]);
    this.createdAt = JSON.parse(head[2]!) as string;
    if (this.format !== this.headerVersion) {
      throw corruptManifest('its format or creation time does not match the header');
    }
    this.pending = this.pending.slice(head[0].length);
    this.stage = 'entries';
  }

  private readEntries(): void {
    const text = this.pending;
    let at = 0;
    while (at < text.length) {
      const c = text[at];
      if (c === ']' && this.expect !== 'entry') {
        this.pending = text.slice(at + 1);
        this.stage = 'meta';
        return;
      }
      if (c === ',' && this.expect === 'comma') {
        this.expect = 'entry';
        at += 1;
        continue;
      }
      if (c !== '{' || this.expect === 'comma') throw corruptManifest('its entries are malformed');
      const end = objectEnd(text, at);
      if (end === -1) break;
      if (end - at >= MAX_ENTRY_TEXT)
        throw corruptManifest(`entry ${this.entries.length} is too large`);
      let raw: unknown;
      try {
        raw = JSON.parse(text.slice(at, end + 1));
      } catch {
        throw corruptManifest(`entry ${this.entries.length} is not JSON`);
      }
      this.entries.push(parseEntry(raw, this.entries.length));
      if (this.entries.length > this.limits.maxEntries) {
        throw unsafe('', `more than the ${this.limits.maxEntries} entries allowed`);
      }
      this.expect = 'comma';
      at = end + 1;
    }
    this.pending = text.slice(at);
    if (this.pending.length >= MAX_ENTRY_TEXT) {
      throw corruptManifest(`entry ${this.entries.length} is too large`);
    }
  }
}

/** Parses a whole decrypted manifest (what the reader does piece by piece). */
export function parseManifest(
  json: string,
  limits: ExtractLimits,
  headerVersion: number,
): Manifest {
  const parser = new ManifestParser(limits, headerVersion);
  parser.push(json);
  return parser.finish();
}
