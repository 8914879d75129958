/**
 * Chinese spellings that mean the same thing to a support desk, folded to one form before analysis, on
 * both the FAQ and the query side. Chinese users type homophone slips (登陆 for 登录, 视屏 for 视频) and
 * colloquial words (退钱, 咋) that share no character bigram with the written form an FAQ uses, and the
 * English typo corrector cannot help there. Kept short: each line is a common, unambiguous equivalence.
 */
const ZH_FOLDS: Record<string, string> = {
  登陆: '登录',
  登入: '登录',
  登不上: '登录不上',
  登不进: '登录不进',
  帐号: '账号',
  帐户: '账号',
  账户: '账号',
  视屏: '视频',
  优惠卷: '优惠券',
  咋样: '怎么样',
  咋: '怎么',
  啥: '什么',
  退钱: '退款',
  付钱: '支付',
  付款: '支付',
  转赠: '赠送',
  送人: '赠送',
  缓存: '下载',
  回看: '回放',
  重播: '回放',
  销号: '注销账号',
  删号: '注销账号',
  续订: '续费',
  手机号码: '手机号',
  电话号码: '手机号',
};

const pattern = new RegExp(
  Object.keys(ZH_FOLDS)
    .sort((a, b) => b.length - a.length)
    .join('|'),
  'g',
);

/** Replaces colloquial or misspelt Chinese words by the form FAQs are written in. */
export function foldChinese(run: string): string {
  return run.replace(pattern, (m) => ZH_FOLDS[m]);
}
