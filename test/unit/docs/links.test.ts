import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// No document points at a file that is not in the project: every relative link of every
// committed Markdown file resolves, and every Markdown file a document names exists.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const committed = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
const docs = committed.filter((f) => f.endsWith('.md'));

/** The text outside fenced code blocks, line by line (1-based line numbers kept). */
function prose(text: string): [number, string][] {
  let fenced = false;
  return text.split('\n').flatMap((line, i): [number, string][] => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return [];
    }
    return fenced ? [] : [[i + 1, line]];
  });
}

/** The anchors of a document's headings, as GitHub makes them (lower case, punctuation dropped, spaces to dashes). */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, content] of prose(text)) {
    const heading = /^#{1,6}\s+(.+?)\s*#*$/.exec(content);
    if (!heading) continue;
    const slug = heading[1]!.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    let unique = slug;
    for (let n = 1; anchors.has(unique); n++) unique = `${slug}-${n}`;
    anchors.add(unique);
  }
  return anchors;
}

/** Anchor links ([x](#a), [x](other.md#a)) whose heading does not exist in the target document. */
function brokenAnchors(doc: string, text = readFileSync(join(ROOT, doc), 'utf8')): string[] {
  const out: string[] = [];
  for (const [line, content] of prose(text)) {
    for (const m of content.replace(/`[^`]*`/g, '').matchAll(/\]\(\s*([^)\s#]*\.md|)#([^)\s]+)\)/g)) {
      const target = m[1] ? join(dirname(doc), m[1]) : doc;
      if (!existsSync(join(ROOT, target))) continue; // reported as a broken link
      const targetText = m[1] ? readFileSync(join(ROOT, target), 'utf8') : text;
      if (!anchorsOf(targetText).has(decodeURIComponent(m[2]!))) out.push(`${doc}:${line} links to ${target}#${m[2]}, a heading that does not exist`);
    }
  }
  return out;
}

/** Relative link targets: [text](target), ![alt](target) and [label]: target definitions. */
function relativeLinks(text: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  for (const [line, content] of prose(text)) {
    const withoutCode = content.replace(/`[^`]*`/g, '');
    const targets = [...withoutCode.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)/.exec(withoutCode);
    if (definition) targets.push(definition[1]!);
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue; // a URL, mailto:, or an anchor
      out.push({ line, target: decodeURI(target.split('#')[0]!.split('?')[0]!) });
    }
  }
  return out;
}

function brokenLinks(doc: string, text = readFileSync(join(ROOT, doc), 'utf8')): string[] {
  return relativeLinks(text)
    .filter(({ target }) => !existsSync(target.startsWith('/') ? join(ROOT, target) : join(ROOT, dirname(doc), target)))
    .map(({ line, target }) => `${doc}:${line} links to ${target}, which does not exist`);
}

/** Markdown files named in the text (`keys.md`, `infra/local/README.md`) that no committed file is. */
function missingNamedDocs(doc: string): string[] {
  const out: string[] = [];
  for (const [line, content] of prose(readFileSync(join(ROOT, doc), 'utf8'))) {
    for (const m of content.matchAll(/(?<![\w/.-])((?:[\w.-]+\/)*[\w.-]+\.md)\b/g)) {
      const named = normalize(m[1]!);
      if (!docs.some((d) => d === named || d.endsWith(`/${named}`) || normalize(join(dirname(doc), named)) === d)) {
        out.push(`${doc}:${line} names ${named}, which is not in the project`);
      }
    }
  }
  return out;
}

describe('documents', () => {
  it('finds the committed Markdown files', () => {
    expect(docs).toContain('README.md');
    expect(docs).toContain('infra/local/README.md');
  });

  it('have no relative link to a file that does not exist', () => {
    expect(docs.flatMap((doc) => brokenLinks(doc))).toEqual([]);
  });

  it('link only to headings that exist', () => {
    expect(docs.flatMap((doc) => brokenAnchors(doc))).toEqual([]);
    const text = '# Deploying a stage\n## What `npm start` gives you\n[a](#deploying-a-stage) [b](#what-npm-start-gives-you) [c](#no-such-part)\n';
    expect(brokenAnchors('README.md', text)).toEqual(['README.md:3 links to README.md#no-such-part, a heading that does not exist']);
  });

  it('name no Markdown file that is not in the project', () => {
    expect(docs.flatMap(missingNamedDocs)).toEqual([]);
  });

  it('the link reader sees links and skips URLs, anchors and code', () => {
    const text = [
      'See [the guide](docs/guide.md#setup), ![a chart](img/chart.png "Chart") and [site](https://example.com).',
      '[anchor](#deploying-a-stage) and `[not a link](nowhere.md)`',
      '[ref]: ../other/README.md',
      '```',
      '[in code](missing.md)',
      '```',
    ].join('\n');
    expect(relativeLinks(text)).toEqual([
      { line: 1, target: 'docs/guide.md' },
      { line: 1, target: 'img/chart.png' },
      { line: 3, target: '../other/README.md' },
    ]);
  });

  it('a missing target is reported with its document and line; targets resolve from the document', () => {
    const text = 'one\n[gone](no/such/file.md)\n[here](dynamodb/README.md) [root](/README.md) [up](../../README.md)\n';
    expect(brokenLinks('infra/local/README.md', text)).toEqual(['infra/local/README.md:2 links to no/such/file.md, which does not exist']);
    expect(brokenLinks('README.md', '[there](dynamodb/README.md)')).toEqual(['README.md:1 links to dynamodb/README.md, which does not exist']);
  });
});
