import * as z from 'zod';

// Text that people type and other people read: names, addresses, notes, reasons.
// It ends up in timelines, notifications, pick lists and printed labels, so it must
// not carry characters that hide or reorder what is shown (bidi overrides such as
// U+202E), that terminals and files treat as controls (NUL, ESC), or that are not
// text at all (a lone UTF-16 surrogate cannot be encoded as UTF-8). It is compared
// and searched, so it is stored in one normal form (NFC) without surrounding blanks.

/** C0 and C1 controls and DEL; a multi-line field still takes line breaks and tabs. */
const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_LINES = /(?![\t\n\r])\p{Cc}/u;
/** Bidirectional embedding, override and isolate controls, and the implicit marks. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
/** In a `u` regex a lone surrogate is a code point of its own, of category Cs. */
const LONE_SURROGATE = /\p{Cs}/u;
/** Blank: white space and invisible format characters (zero-width space, joiners, BOM, word joiner). */
const INVISIBLE = /[\p{White_Space}\u180e\u200b-\u200d\u2060\ufeff]/gu;
const EDGES = /^[\p{White_Space}\u180e\u200b-\u200d\u2060\ufeff]+|[\p{White_Space}\u180e\u200b-\u200d\u2060\ufeff]+$/gu;

export interface HumanTextOptions {
  /** longest accepted length, in UTF-16 code units after normalization */
  max: number;
  /** line breaks and tabs allowed (notes, reasons) */
  multiline?: boolean;
}

/** NFC first (it may shorten the text), then blanks off both ends. */
const normalize = (s: string) => s.normalize('NFC').replace(EDGES, '');

// The checks every human text field runs, built once and shared by every schema that
// runs them (zod's checks hold no state of their own; a schema's clones share them too).
const NORMALIZED = z.overwrite(normalize);
const NO_SURROGATES = z.refine<string>((s) => !LONE_SURROGATE.test(s), 'must not contain unpaired surrogates');
const NO_CONTROLS = z.refine<string>((s) => !CONTROL.test(s), 'must not contain control characters');
const NO_CONTROLS_BUT_LINES = z.refine<string>((s) => !CONTROL_BUT_LINES.test(s), 'must not contain control characters');
const NO_BIDI = z.refine<string>((s) => !BIDI.test(s), 'must not contain bidirectional control characters');
const NOT_BLANK = z.refine<string>((s) => s.replace(INVISIBLE, '') !== '', 'must not be blank');

/**
 * One schema for human text: NFC-normalized and trimmed (zero-width characters
 * included); refused when empty after that, too long, or carrying control
 * characters, bidi controls or unpaired surrogates.
 */
export function humanText({ max, multiline = false }: HumanTextOptions) {
  // One .check() with the shared checks, in order: chaining .overwrite().refine()...max()
  // would build a new schema and check per step, and the schemas call this hundreds of times.
  return z.string().check(NORMALIZED, NO_SURROGATES, multiline ? NO_CONTROLS_BUT_LINES : NO_CONTROLS, NO_BIDI, NOT_BLANK, z.maxLength(max));
}
