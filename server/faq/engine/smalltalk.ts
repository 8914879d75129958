/**
 * Greetings, thanks, goodbyes and chit-chat, in Chinese and English: messages that must not be answered
 * with an FAQ entry.
 *
 * Pleasantries are peeled off both ends of a message; what remains decides. Nothing left: the message was
 * only a pleasantry. A whole-message chit-chat pattern left ("who are you", "讲个笑话"): small talk.
 * Anything else is a question, so "hi, how do I get a refund?" still reaches the FAQ.
 */
export type SmallTalk = 'greeting' | 'thanks' | 'goodbye' | 'smalltalk';

type Pleasantry = Exclude<SmallTalk, 'smalltalk'>;
/**
 * Per kind: `ends`, safe to peel off either end of a question; `head`, only off its start ("so", "um");
 * `alone`, a pleasantry only when nothing else is left ("no", "好", "later": "no card arrived" is a question).
 */
interface Phrases { ends: string; head?: string; alone?: string }

const EN: Record<Pleasantry, Phrases> = {
  greeting: {
    // Longer phrases first: the first alternative that matches wins, and "hey" must not leave "there" behind.
    ends: String.raw`(?:hi|hello|hey|good (?:morning|afternoon|evening|day)) (?:there|team|support|all|guys|everyone|folks)|good (?:morning|afternoon|evening|day)|dear (?:support|team|sir|madam|all)|is there any ?(?:one|body)(?: (?:there|here|around|online|available))?|(?:is )?any ?(?:one|body) (?:there|here|around|online|available)|are you there|you there|h+i+|he+y+|hey+a|hello+|hallo|hiya|howdy|greetings|hola`,
    head: String.raw`yo|morning|evening|i have (?:a|some|another|one more) questions?|(?:can|may) i ask (?:you )?(?:a|some) questions?|(?:can|could) you help(?: me)?|i need (?:some )?help|help me|help|excuse me|sorry|please|so|well|um+|uh+|hm+`,
    alone: String.raw`questions?|there|team|all|everyone|guys|folks|support`,
  },
  thanks: {
    ends: String.raw`thanks?(?: you| u)?(?: (?:so|very) much| a lot| a bunch| again| anyway| in advance| for (?:the|your) (?:help|answer|reply|info|information))?|thx|tysm|many thanks|much appreciated|(?:i )?appreciate (?:it|that|your help)|got it|that helps|that helped|that works|that(?: i|')?s (?:great|perfect|helpful|fine|all good)|thats (?:great|perfect|helpful|fine|all good)|sounds good`,
    head: String.raw`ok(?:ay)?|alright`,
    alone: String.raw`ty|tx|cheers|great|perfect|awesome|cool|nice|excellent|wonderful|brilliant|ok(?:ay)?(?: then)?|alright|all right|understood|i see|i understand|noted|(?:very )?helpful|good|fine|sure|yes|yep|yeah|no problem|np|k`,
  },
  goodbye: {
    ends: String.raw`bye+|bye bye|goodbye|good bye|see (?:you|ya|u)(?: later| soon| tomorrow)?|cya|good ?night|have a (?:nice|good|great|lovely) (?:day|one|evening|night|weekend)|take care|that(?: i|')?s all|thats all|nothing else|no more questions`,
    alone: String.raw`later|nite|(?:i am|i'm|im) done|i(?:'m| am) good|no thanks|nope|no`,
  },
};

const ZH: Record<Pleasantry, Phrases> = {
  greeting: {
    ends: '你们好|你好呀|你好|您好|大家好|嗨|哈喽|哈啰|哈罗|嗨喽|早上好|上午好|中午好|下午好|晚上好|早安|在吗|在么|在不在|有人吗|有人在吗|有没有人',
    head: '客服|小助手|请问|还有个问题|还有一个问题|另外|我有个问题|我有一个问题|想问一下|问一下|问个问题|咨询一下|打扰了|打扰一下|麻烦问一下|嗯',
    alone: '早|亲|hello|hi',
  },
  thanks: {
    ends: '非常感谢|十分感谢|太感谢了|感谢|谢谢你们|谢谢你|谢谢您|谢谢啦|谢谢|多谢|谢了|谢啦|辛苦了',
    alone: '好的|好滴|好哒|好吧|行吧|行|好|嗯嗯|嗯|哦哦|哦|ok|知道了|明白了|了解了|懂了|收到|太好了|解决了|可以了|没问题',
  },
  goodbye: {
    ends: '再见|拜拜|886|下次见|回头见',
    alone: '拜|88|晚安|没事了|没有了|没(?:有)?(?:别的|其他|其它)(?:问题)?了|就这样吧|就这样|先这样|不用了',
  },
};

const ZH_PARTICLES = '[啊呀哦噢啦呢吧吗哈嘛~～了]*';

/** Whole-message chit-chat, checked on what is left after pleasantries. */
const EN_CHITCHAT = new RegExp(
  '^(?:' +
    [
      String.raw`how (?:are|r) (?:you|u|ya)(?: doing| today| doing today)?|how(?: i|')?s it going|hows it going|how(?: i|')?s your day|what(?: i|')?s up|whats up|sup|how have you been|how do you do`,
      String.raw`who (?:are|r) (?:you|u)|what (?:are|r) (?:you|u)|who am i (?:talking|speaking|chatting) (?:to|with)|am i (?:talking|speaking|chatting) (?:to|with) (?:a |an )?(?:bot|robot|human|person|real person|machine|ai)|(?:are|r) (?:you|u) (?:a |an )?(?:bot|robot|human|real|real person|person|ai|machine|chatbot|chat bot|computer|alive|a girl|a boy|male|female)(?: or (?:a |an )?(?:bot|robot|human|real person|person|ai|machine))?|what(?: i|')?s your name|whats your name|do you have a name|how old (?:are|r) (?:you|u)|where (?:are|r) (?:you|u) from|what can (?:you|u) do|what do (?:you|u) do`,
      String.raw`(?:tell|say|know)(?: me)?(?: a| any| another)? (?:joke|jokes|story|riddle)|make me laugh|say something(?: funny)?|sing(?: me)?(?: a)? song|write(?: me)?(?: a)? poem|(?:a |another )?joke|lol+|(?:ha){2,}|(?:he){2,}|lmao|rofl|test|testing|can you hear me`,
      String.raw`i (?:love|like|hate) (?:you|u)|do you (?:love|like) me|will you marry me|(?:you are|you're|youre|u r|ur) (?:so )?(?:stupid|dumb|useless|funny|smart|cute|great|awesome|annoying|terrible|boring|a bot|a robot)|you suck|i(?:'m| am) bored|boring`,
      String.raw`what time is it(?: now)?|what(?: i|')?s the time|what day is (?:it|today)|what(?: i|')?s the date(?: today)?|what is today(?:'s)? date`,
    ].join('|') +
    ')$',
);

/** Weather talk is chit-chat wherever it appears: no FAQ on a course site is about tomorrow's rain. */
const EN_WEATHER = /\b(?:weather|forecast|rain|raining|rainy|sunny|snow|snowing|storm|umbrella|temperature outside|hot outside|cold outside)\b/;

const ZH_CHITCHAT = new RegExp(
  '^(?:' +
    [
      '你是谁|你谁|你是什么|你叫什么(?:名字)?|你有名字吗|你是(?:机器人|真人|人工智能|ai|人|机器|人工)吗|你是不是(?:机器人|真人|人工智能|ai|机器)|是(?:机器人|真人)吗|你几岁了?|你多大了?|你好吗|最近(?:怎么样|好吗|还好吗)|吃了吗|吃饭了吗|在干嘛|在干什么|干嘛呢|你会(?:做|干)?什么|你能(?:做|干)什么|你是男(?:的|生)?还是女(?:的|生)?|你是男是女|(?:你能|你可以|能不能|可以)?陪我(?:聊聊天|聊天|聊聊|说说话)',
      '(?:讲|说|来|给我讲|给我说)(?:个|一个|段)?(?:笑话|段子|故事)|笑话|唱(?:首|个|一首)?歌|(?:写|作)(?:首|一首)?诗',
      '几点了|现在几点(?:了)?|今天(?:是)?几号|今天(?:是)?星期几|今天(?:是)?周几|今天(?:是)?什么日子',
      '我爱你|我喜欢你|你真(?:笨|蠢|棒|聪明|可爱|厉害)|你好(?:笨|蠢|傻)|笨蛋|傻瓜|傻|哈+|呵+|嘿+|666|好无聊|无聊|测试|test',
    ].join('|') +
    `)${ZH_PARTICLES}$`,
);
const ZH_WEATHER = /天气|下雨|下雪|气温|多少度|冷不冷|热不热|刮风/;

function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/[^\p{L}\p{N}'\s]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const KINDS: Pleasantry[] = ['greeting', 'thanks', 'goodbye'];
const compile = (make: (en: string, zh: string) => string, pick: (p: Phrases) => string | undefined) =>
  KINDS.flatMap((kind) => {
    const en = pick(EN[kind]);
    const zh = pick(ZH[kind]);
    return en && zh ? [[kind, new RegExp(make(en, zh))] as const] : [];
  });
const P = ZH_PARTICLES;
const PEEL_HEAD = compile((en, zh) => `^(?:(?:${en})(?:\\s+|$)|(?:${zh})${P}\\s*)`, (p) => p.ends + (p.head ? '|' + p.head : ''));
const PEEL_TAIL = compile((en, zh) => `(?:(?:^|\\s+)(?:${en})|\\s*(?:${zh})${P})$`, (p) => p.ends);
/**
 * One pleasantry that can stand alone, at the start of the text. A message is one when it is made of
 * these end to end (allAlone). Not one regular expression repeating this group: 哦 is both a
 * pleasantry and a particle, and 哦哦 one too, so `(…)+$` had exponentially many ways to split a
 * run of them to try before failing (22 of them and a final 中: 9 s, in the FAQ worker).
 */
const ALONE = compile((en, zh) => `^(?:(?:${en})(?:\\s+|$)|(?:${zh})${P}\\s*)`, (p) => p.alone);

/** Whether `text` is pleasantries of one kind end to end: each taken as the first match gives it, never split again. */
function allAlone(re: RegExp, text: string): boolean {
  for (let rest = text; rest; ) {
    const unit = re.exec(rest)?.[0];
    if (!unit) return false;
    rest = rest.slice(unit.length);
  }
  return true;
}

/** Removes pleasantries from both ends; returns what is left and which kinds were removed. */
function peel(text: string): { rest: string; found: Set<SmallTalk> } {
  let rest = normalize(text);
  const found = new Set<SmallTalk>();
  for (let changed = true; changed && rest; ) {
    changed = false;
    for (const [type, re] of [...PEEL_HEAD, ...PEEL_TAIL]) {
      const next = rest.replace(re, '').trim();
      if (next !== rest) {
        rest = next;
        found.add(type);
        changed = true;
      }
    }
  }
  const alone = rest ? ALONE.find(([, re]) => allAlone(re, rest)) : undefined;
  if (alone) {
    found.add(alone[0]);
    rest = '';
  }
  return { rest, found };
}

/**
 * The kind of small talk a message is, or null when it asks something (perhaps after a greeting).
 * @example detectSmallTalk('谢谢！') // 'thanks'
 * @example detectSmallTalk('hi, how do I get a refund?') // null
 */
export function detectSmallTalk(text: string): SmallTalk | null {
  const whole = normalize(text);
  if (!whole) return null;
  if (EN_CHITCHAT.test(whole) || ZH_CHITCHAT.test(whole)) return 'smalltalk';
  const { rest, found } = peel(text);
  if (!rest) {
    if (found.has('goodbye')) return 'goodbye';
    if (found.has('thanks')) return 'thanks';
    return 'greeting';
  }
  if (EN_CHITCHAT.test(rest) || ZH_CHITCHAT.test(rest) || EN_WEATHER.test(rest) || ZH_WEATHER.test(rest)) return 'smalltalk';
  return null;
}

/**
 * The question inside a message, without the pleasantries around it ("hi, how do I get a refund? thanks"
 * → "how do i get a refund"). Returns the message unchanged when nothing is left to ask.
 */
export function stripPleasantries(text: string): string {
  const { rest } = peel(text);
  return rest || text;
}
