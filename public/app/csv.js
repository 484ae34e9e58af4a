// Cuts a CSV file into upload chunks at record boundaries. A deployed
// function takes at most ~4.5 MB per request, so big lists go up in pieces;
// every later piece repeats the header row. The byte scanner mirrors the
// server's (lib/csvimport): rows end at CR, LF or CRLF; a quote opens a cell
// only before any text; a closing quote counts only when blanks then a
// delimiter or the row end follow; blank rows still count in row numbers.
// Chunks are slices of the original bytes, so nothing is re-encoded.

const LF = 10, CR = 13, QUOTE = 34, SP = 32, TAB = 9;
const READ = 1 << 20; // bytes read from the file at a time
const GUESS = 16 << 10; // the server guesses the delimiter within this
const LOOKAHEAD = 64; // how far past a quote the server looks for the cell end
const EOF = 0, COMMA = 1, LINE = 2; // what ended a cell

// CHUNK_BYTES keeps a chunk plus multipart overhead under 4 MB.
export const CHUNK_BYTES = 3.5 * 1024 * 1024;

// splitCSV returns the chunks to upload in order. rowOffset is added to the
// row numbers the server reports for a chunk to get the file's own rows.
// readBytes only matters to tests of piecewise reading.
export async function splitCSV(file, maxBytes = CHUNK_BYTES, readBytes = READ) {
  const src = new Source(file, readBytes);
  await src.need(GUESS + 3);
  const pre = prelude(src.buf);
  const chunks = [];
  let header = null; // [start, end] of the header record
  let cur = { start: 0, end: 0, size: pre.start, text: false, rowOffset: 0 };
  let records = 0;
  let i = pre.start;
  for (;;) {
    const r = scan(src.buf, i - src.base, src.eof, pre.comma);
    if (r === null) { await src.more(i); continue; }
    if (r === undefined) break;
    const end = r[0] + src.base, size = end - i;
    const first = !header && r[1];
    if (first) {
      header = [i, end - eol(src.buf, r[0])];
    } else if (header && cur.text && cur.size + size > maxBytes) {
      chunks.push(cur);
      const prefix = pre.start - pre.sepStart + header[1] - header[0] + 1;
      cur = { start: i, end: i, size: prefix, text: false, rowOffset: records - 1 };
    }
    cur.end = end;
    cur.size += size;
    cur.text ||= !!(header && r[1] && !first);
    records++;
    i = end;
  }
  if (cur.text || !chunks.length) chunks.push(cur);
  return chunks.map((c, k) => ({
    size: c.size,
    rowOffset: c.rowOffset,
    blob: k ? new Blob([file.slice(pre.sepStart, pre.start), file.slice(header[0], header[1]), '\n', file.slice(c.start, c.end)], { type: 'text/csv' })
      : file.slice(0, c.end, 'text/csv'),
  }));
}

// eol is the length of the line end before b[end]. Later chunks end the
// header with LF: a bare CR followed by a chunk's leading LF would read as
// one CRLF and shift the row numbers.
function eol(b, end) {
  if (b[end - 1] === LF) return b[end - 2] === CR ? 2 : 1;
  return b[end - 1] === CR ? 1 : 0;
}

// Source reads the file in pieces; buf holds bytes [base, base+buf.length).
class Source {
  constructor(file, step) { this.file = file; this.step = step; this.buf = new Uint8Array(0); this.base = 0; this.pos = 0; this.eof = file.size === 0; }
  async need(n) { while (!this.eof && this.buf.length < n) await this.read(); }
  // more drops bytes before keep and reads the next piece.
  async more(keep) {
    this.buf = this.buf.subarray(keep - this.base);
    this.base = keep;
    await this.read();
  }
  async read() {
    const piece = new Uint8Array(await this.file.slice(this.pos, this.pos + this.step).arrayBuffer());
    this.pos += piece.length;
    this.eof = this.pos >= this.file.size;
    const b = new Uint8Array(this.buf.length + piece.length);
    b.set(this.buf);
    b.set(piece, this.buf.length);
    this.buf = b;
  }
}

// prelude finds what precedes the first row: a UTF-8 BOM and Excel's
// "sep=X" line, and the delimiter (named by sep=, else guessed).
function prelude(b) {
  const sepStart = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  const head = String.fromCharCode(...b.subarray(sepStart, sepStart + 7));
  const m = /^sep=([,;\t|])(\r\n|\n|\r|$)/i.exec(head);
  if (m) return { sepStart, start: sepStart + m[0].length, comma: m[1].charCodeAt(0) };
  return { sepStart, start: sepStart, comma: guess(b.subarray(sepStart, sepStart + GUESS)) };
}

// guess counts ",", ";" and tabs outside quotes on the first line; the most
// frequent wins, "," on a tie.
function guess(b) {
  let k = 0;
  while (b[k] === CR || b[k] === LF) k++;
  const n = { 44: 0, 59: 0, 9: 0 };
  for (let q = false; k < b.length && b[k] !== CR && b[k] !== LF; k++) {
    if (b[k] === QUOTE) q = !q;
    else if (!q && b[k] in n) n[b[k]]++;
  }
  let best = 44;
  if (n[59] > n[best]) best = 59;
  if (n[9] > n[best]) best = 9;
  return best;
}

// scan reads one record from b[i]: [end, hasText], null when more bytes are
// needed, undefined when nothing is left.
function scan(b, i, eof, comma) {
  if (i >= b.length) return eof ? undefined : null;
  const blank = (c) => c === SP || (c === TAB && comma !== TAB);
  let text = false;
  for (;;) {
    let cell = false;
    while (i < b.length && blank(b[i])) i++;
    for (;;) {
      if (i >= b.length) return eof ? [i, text] : null;
      const c = b[i];
      if (c === comma) { i++; break; }
      if (c === LF) return [i + 1, text];
      if (c === CR || (c === QUOTE && !cell)) {
        const t = c === CR ? lineEnd(b, i, eof) : quoted(b, i + 1, eof, comma, blank);
        if (t === null) return null;
        text ||= !!t.text;
        if (t.t !== COMMA) return [t.i, text];
        i = t.i;
        break;
      }
      if (!blank(c)) cell = text = true;
      i++;
    }
  }
}

function lineEnd(b, i, eof) {
  if (i + 1 >= b.length && !eof) return null;
  return { t: LINE, i: b[i + 1] === LF ? i + 2 : i + 1 };
}

// quoted reads a quoted cell from just after its opening quote.
function quoted(b, i, eof, comma, blank) {
  let text = false;
  for (;;) {
    if (i >= b.length) return eof ? { t: EOF, i, text } : null; // never closed
    const c = b[i];
    if (c !== QUOTE) {
      if (!blank(c) && c !== CR && c !== LF) text = true;
      i++;
      continue;
    }
    if (i + 1 >= b.length && !eof) return null;
    if (b[i + 1] === QUOTE) { text = true; i += 2; continue; }
    const t = closing(b, i + 1, eof, comma, blank);
    if (t === null) return null;
    if (t) return { ...t, text };
    text = true; // a stray quote is text
    i++;
  }
}

// closing decides whether a quote ends its cell: only blanks may follow
// before the delimiter or the row end (false: the quote is text).
function closing(b, j, eof, comma, blank) {
  for (let n = 0; n < LOOKAHEAD; n++, j++) {
    if (j >= b.length) return eof ? { t: EOF, i: j } : null;
    const c = b[j];
    if (blank(c)) continue;
    if (c === comma) return { t: COMMA, i: j + 1 };
    if (c === LF) return { t: LINE, i: j + 1 };
    if (c === CR) return lineEnd(b, j, eof);
    return false;
  }
  return false;
}
