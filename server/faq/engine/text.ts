/**
 * Turns a sentence into weighted features for the matcher, in Chinese, English or a mix of both.
 *
 * Feature keys carry a one-letter kind so that one index holds all of them:
 * - `w:` a word: a Porter stem in English, a word from Intl.Segmenter in Chinese;
 * - `b:` two adjacent English stems ("top_up" is not "top" and "up");
 * - `z:` two adjacent Chinese characters: they back up the segmenter, which splits 注销账号 as 注|销账|号,
 *   so that 注销 and 账号 still match;
 * - `c:` an English character trigram (`<re`, `ref`, …) and `h:` one Chinese character: pieces of words,
 *   so that morphology the stemmer misses and small typos still share something.
 */
import PorterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';
import { words as EN_STOP_WORDS } from 'natural/lib/natural/util/stopwords.js';
import { words as ZH_STOP_CHARS } from 'natural/lib/natural/util/stopwords_zh.js';
import { foldChinese } from './synonyms.ts';

/** How much each kind of feature counts relative to a word (English kinds chosen on the banking77 dev split, Chinese ones on test/data/demo-zh-dev.csv). */
export const KIND_WEIGHT: Record<string, number> = { w: 1, b: 0.3, c: 0.5, z: 0.6, h: 1 };

/**
 * Stop words do not decide whether a question is covered by an entry ("how do I" covers nothing).
 * They stay in the features, weighted by IDF: dropping them cost 3 points of top-1 on banking77 because
 * "why", "how", "not", "can't" separate intents such as "why was I charged" from "how do I pay".
 */
const EN_STOP = new Set(EN_STOP_WORDS.filter((w) => !/^[0-9$_]$/.test(w)));
for (const w of ['i', 'im', 'ive', 'id', 'please', 'hi', 'hello', 'hey', 'thanks', 'thank', 'can', 'need', 'want', 'help', 'know', 'tell', 'just']) EN_STOP.add(w);

/** natural's Chinese list is single characters; a few of them carry meaning here (看 watch, 多 how long, 会 membership). */
const ZH_KEEP = new Set(['看', '不', '多', '年', '月', '日', '时', '分', '秒', '小', '会', '中', '第', '共', '按', '一', '说', '到']);
const ZH_STOP = new Set([
  ...ZH_STOP_CHARS.filter((c) => !ZH_KEEP.has(c)),
  '怎么', '怎样', '怎么样', '如何', '什么', '请问', '可以', '能', '能不能', '可不可以', '我们', '你们', '我想', '想', '要',
  '一下', '哪里', '哪儿', '为啥', '咋', '咋办', '怎么办', '办', '没有', '没', '有没有', '是不是', '这个', '那个', '好', '你好', '您好', '谢谢', '麻烦', '问', '下',
]);

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
const RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:'[a-z]+)?/g;
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** A word that says what a question is about, for coverage. */
export interface ContentTerm {
  key: string;
  /** For a Chinese word, its character bigrams (or the character itself): the segmenter may split differently. */
  parts: string[];
}

export interface Analysis {
  /** Distinct feature keys, and their raw weights (kind weight × sublinear term frequency) before IDF. */
  keys: string[];
  raw: number[];
  /** The words that carry meaning, in order, for query coverage. */
  content: ContentTerm[];
  /** English words as typed (lower case), for the typo vocabulary. */
  words: string[];
}

/** Lower-cases, unifies full-width forms and quotes, and expands English negations so "can't" keeps its "not". */
export function normalize(text: string): string {
  // NFKC turns full-width ＡＰＰ and １２３ into app and 123; ASCII text skips its cost.
  return (/[^\x00-\x7f]/.test(text) ? text.normalize('NFKC') : text)
    .toLowerCase()
    .replace(/[’‘`´]/g, "'")
    .replace(/\bcan't\b/g, 'can not')
    .replace(/\bwon't\b/g, 'will not')
    .replace(/n't\b/g, ' not')
    .replace(/'(s|m|re|ve|ll|d)\b/g, '');
}

/** Porter stem of a lower-case English word. */
export const stem = (word: string): string => englishWord(word).stem;
export const hasChinese = (text: string): boolean => CJK.test(text);

/**
 * Analyses a sentence. `correct` may replace an English word the index does not know (a typo) by one it
 * knows; the character trigrams are still taken from the word as typed.
 * @example analyze('how do I get a refnud', (w) => (w === 'refnud' ? 'refund' : w))
 */
export function analyze(text: string, correct?: (word: string) => string): Analysis {
  const counts = new Map<string, number>();
  const content: ContentTerm[] = [];
  const words: string[] = [];
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  // English bigrams join consecutive words even across punctuation, as the banking77 measurements did.
  const state = { prev: null as string | null };
  for (const run of normalize(text).match(RUN) ?? []) {
    if (CJK.test(run[0])) {
      state.prev = null;
      analyzeChinese(foldChinese(run), add, content);
    } else analyzeEnglish(run, state, add, content, words, correct);
  }
  const keys: string[] = [];
  const raw: number[] = [];
  for (const [key, tf] of counts) {
    keys.push(key);
    raw.push(KIND_WEIGHT[key[0]] * (1 + Math.log(tf)));
  }
  return { keys, raw, content, words };
}

function analyzeEnglish(
  word: string,
  state: { prev: string | null },
  add: (k: string) => void,
  content: ContentTerm[],
  words: string[],
  correct?: (w: string) => string,
): void {
  const plain = englishWord(word.includes("'") ? word.replace(/'/g, '') : word);
  // The memoised copy of the word: an index keeps these for its typo vocabulary, one string per word.
  words.push(plain.word);
  const info = correct ? englishWord(correct(plain.word)) : plain;
  add(info.key);
  if (state.prev !== null) add(`b:${state.prev}_${info.stem}`);
  state.prev = info.stem;
  if (info.content) content.push({ key: info.key, parts: [] });
  // Pieces come from the word as typed: a typo still shares most of them with the word it stands for.
  if (!info.stop) for (const piece of plain.pieces) add(piece);
}

interface EnglishWord { word: string; stem: string; key: string; stop: boolean; content: boolean; pieces: string[] }
const englishWords = new Map<string, EnglishWord>();

/**
 * Everything the analyser derives from one English word, memoised: natural's Porter stemmer runs a dozen
 * regular expressions per word, and rebuilding keys per occurrence dominated build time.
 */
function englishWord(word: string): EnglishWord {
  let info = englishWords.get(word);
  if (info) return info;
  if (englishWords.size >= 100_000) englishWords.clear();
  const s = PorterStemmer.stem(word);
  const stop = EN_STOP.has(word);
  const pieces: string[] = [];
  const padded = `<${word}>`;
  if (!stop) for (let i = 0; i + 3 <= padded.length; i++) pieces.push('c:' + padded.slice(i, i + 3));
  info = { word, stem: s, key: 'w:' + s, stop, content: !stop && !/^\d+$/.test(word), pieces };
  englishWords.set(word, info);
  return info;
}

function analyzeChinese(run: string, add: (k: string) => void, content: ContentTerm[]): void {
  for (const { segment, isWordLike } of segmenter.segment(run)) {
    if (!isWordLike) continue;
    add('w:' + segment);
    if (ZH_STOP.has(segment)) continue;
    const parts: string[] = [];
    for (let i = 0; i + 2 <= segment.length; i++) parts.push('z:' + segment.slice(i, i + 2));
    content.push({ key: 'w:' + segment, parts: parts.length ? parts : ['h:' + segment] });
  }
  for (let i = 0; i < run.length; i++) {
    add('h:' + run[i]);
    if (i + 1 < run.length) add('z:' + run.slice(i, i + 2));
  }
}
