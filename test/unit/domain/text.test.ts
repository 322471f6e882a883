import { describe, expect, it } from 'vitest';
import { humanText } from '../../../shared/domain/text';

const name = humanText({ max: 20 });
const note = humanText({ max: 50, multiline: true });
const messages = (r: ReturnType<typeof name.safeParse>) => (r.success ? [] : r.error.issues.map((i) => i.message));

describe('humanText', () => {
  it('NFC-normalizes and trims blanks, zero-width ones included', () => {
    // "e" + combining acute -> "é" (one code point)
    expect(name.parse('  Jose\u0301 ')).toBe('Jos\u00e9');
    expect(name.parse('\u200bAda\ufeff\u00a0')).toBe('Ada');
    // a joiner inside text is kept (emoji sequences, Indic scripts)
    expect(name.parse('a\u200db')).toBe('a\u200db');
  });

  it('refuses text that is blank after normalization', () => {
    for (const blank of ['', '   ', '\u200b\u200b', '\ufeff \u2060']) {
      expect(messages(name.safeParse(blank))).toContain('must not be blank');
    }
  });

  it('refuses control characters: NUL, ESC, DEL, C1; a note still takes line breaks and tabs', () => {
    for (const s of ['Ada\u0000', 'A\u001b[31mda', 'Ada\u007f', 'A\u0085da', 'two\nlines']) {
      expect(messages(name.safeParse(s))).toContain('must not contain control characters');
    }
    expect(note.parse('first line\r\n\tsecond')).toBe('first line\r\n\tsecond');
    expect(messages(note.safeParse('a\u0000b'))).toContain('must not contain control characters');
  });

  it('refuses bidirectional controls such as U+202E', () => {
    for (const c of ['\u202e', '\u202a', '\u2066', '\u2069', '\u200f', '\u061c']) {
      expect(messages(name.safeParse(`abc${c}def`))).toContain('must not contain bidirectional control characters');
    }
  });

  it('refuses unpaired surrogates but keeps paired ones (emoji)', () => {
    expect(messages(name.safeParse('a\ud800b'))).toContain('must not contain unpaired surrogates');
    expect(messages(name.safeParse('a\udc00'))).toContain('must not contain unpaired surrogates');
    expect(name.parse('Ada \ud83d\ude00')).toBe('Ada \u{1f600}');
  });

  it('measures the length after normalization', () => {
    expect(name.safeParse(`${'x'.repeat(20)}   `).success).toBe(true);
    expect(name.safeParse('x'.repeat(21)).success).toBe(false);
  });
});
