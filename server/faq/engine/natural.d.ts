/**
 * Types for the few `natural` modules the matcher loads by path. The package's own types only cover its
 * root entry, which we must not import: it pulls in mongoose, pg and redis and prints to stdout.
 */
declare module 'natural/lib/natural/stemmers/porter_stemmer.js' {
  const PorterStemmer: { stem(token: string): string };
  export default PorterStemmer;
}

declare module 'natural/lib/natural/util/stopwords.js' {
  export const words: string[];
}

declare module 'natural/lib/natural/util/stopwords_zh.js' {
  export const words: string[];
}

declare module 'natural/lib/natural/distance/levenshtein_distance.js' {
  export function DamerauLevenshteinDistance(
    source: string,
    target: string,
    options?: { restricted?: boolean; transposition_cost?: number },
  ): number;
}
