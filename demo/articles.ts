/**
 * The demo site's articles: seven topics, each written once in Chinese and once in English under the
 * same slug. They cover what the support FAQ answers (refunds, invoices, validity, downloads, playback
 * speed, membership renewal) so that FAQ answers can point to articles and articles to the widget.
 * The facts (prices, days, percentages) are the demo platform's rules and agree from one article to
 * the next; keep them in step with the demo FAQ when one changes.
 */

export interface DemoArticle {
  slug: string;
  language: 'zh' | 'en';
  title: string;
  summary: string;
  author: string;
  /** ISO calendar date, e.g. 2024-09-02. */
  date: string;
  /** Paragraphs of plain text. */
  body: string[];
  /** Static reader comments; the demo stores nothing. */
  comments: { author: string; date: string; text: string }[];
}

/**
 * The address of an article on the demo site.
 * @example demoArticleUrl('http://localhost:3000', article) // 'http://localhost:3000/zh/articles/course-validity'
 */
export function demoArticleUrl(publicUrl: string, a: DemoArticle): string {
  return `${publicUrl.replace(/\/+$/, '')}/${a.language}/articles/${encodeURIComponent(a.slug)}`;
}

export const DEMO_ARTICLES: DemoArticle[] = [
  {
    slug: 'learn-effectively',
    language: 'zh',
    title: '如何从在线课程中真正学到东西',
    summary:
      '买课容易学完难。我们从学员的学习数据里看到了五个让人坚持下来的习惯：定目标、排时间、用自己的话做笔记、用输出倒逼输入，以及找到同伴。',
    author: '林晓',
    date: '2024-09-02',
    body: [
      '很多人都有过这样的经历：看到一门好课，兴冲冲地买下，听了两三节之后就再也没有打开过。根据我们后台的统计，平台上一门课程的平均完课率不到 35%。这不是因为大家不够努力，而是因为在线学习缺少教室里那种天然的节奏和约束。好消息是，节奏可以自己搭起来。',
      '第一，买课之前先写下一个具体的目标。「学会 Python」太宽泛，「两个月内用 Python 自动整理每周的销售报表」就具体得多。目标越具体，你越容易判断哪些章节要精学、哪些可以略过，也更容易在想放弃的时候想起自己为什么开始。',
      '第二，把学习放进日历，而不是放进「有空的时候」。每天固定 25 分钟，比周末突击三小时有效得多。课程目录会标注每一节的时长，你可以据此排好一周的计划；App 里的「学习提醒」可以在每天同一时间提醒你。',
      '第三，边学边记，但不要逐字抄写。暂停视频，用自己的话写下这一节最重要的一个观点，再写一个你能想到的应用场景。笔记功能支持给视频时间点打标记，复习时点一下就能跳回原处。',
      '第四，用输出倒逼输入。学完一章，试着在问答社区回答一个相关的问题，或者给朋友讲一遍。讲不清楚的地方，往往就是还没有真正理解的地方。',
      '第五，找到同伴。训练营的完课率之所以高，很大一部分原因是有助教督促、同学之间互相打卡。即使你买的是普通课程，也可以在课程讨论区里找到一起学习的人。',
      '最后，别为没学完而内疚。一门课里对你真正有用的也许只有三节，把这三节学透、用起来，这笔学费就已经值了。',
    ],
    comments: [
      {
        author: '阿楠',
        date: '2024-09-03',
        text: '「用输出倒逼输入」这条太真实了。我上个月开始每学完一节就去问答区回答一个问题，感觉记得牢多了。',
      },
      {
        author: '周末读书人',
        date: '2024-09-04',
        text: '每天 25 分钟我试了一周，比之前周末一口气刷五六节强多了。想问一下学习提醒在哪里设置？',
      },
      {
        author: '林晓',
        date: '2024-09-04',
        text: '@周末读书人 在 App 的「我的 → 设置 → 学习提醒」里，可以选每天提醒的时间。',
      },
      {
        author: 'Kevin_吴',
        date: '2024-09-06',
        text: '最后一段说到我心里了，以前总觉得没学完就是浪费钱，结果越拖越不想打开。',
      },
    ],
  },
  {
    slug: 'learn-effectively',
    language: 'en',
    title: 'How to actually learn from an online course',
    summary:
      'Buying a course is easy; finishing it is hard. Five habits keep our learners going: a concrete goal, a fixed slot in the calendar, notes in your own words, explaining what you learned, and a study partner.',
    author: 'Lin Xiao',
    date: '2024-09-02',
    body: [
      'Most of us know the pattern: you find a great course, buy it on the spot, watch two or three lessons and never open it again. On our platform the average course is finished by fewer than 35% of the people who buy it. That is not a lack of effort. Online learning simply lacks the rhythm and gentle pressure of a classroom. The good news is that you can build that rhythm yourself.',
      'First, write down a concrete goal before you buy. “Learn Python” is too vague; “use Python to build my weekly sales report automatically within two months” is something you can act on. The sharper the goal, the easier it is to decide which chapters to study closely and which to skim, and to remember why you started when you feel like quitting.',
      'Second, put learning in your calendar, not in “whenever I have time”. Twenty-five minutes every day beats a three-hour cram on Sunday. The course outline shows how long each lesson is, so you can plan your week, and the app’s study reminder can nudge you at the same time every day.',
      'Third, take notes, but don’t transcribe. Pause the video and write down the single most important idea of the lesson in your own words, then one situation where you could use it. Notes can be pinned to a moment in the video, so a tap takes you straight back there when you revise.',
      'Fourth, learn by explaining. When you finish a chapter, answer a related question in the Q&A community or explain it to a friend. The parts you can’t explain clearly are usually the parts you haven’t really understood yet.',
      'Fifth, find company. Training camps have much higher completion rates, largely because teaching assistants follow up and classmates check in with each other. Even with a regular course, the course discussion board is a good place to find someone to study with.',
      'Finally, don’t feel guilty about not finishing. Perhaps only three lessons of a course matter to you. Learn those three well, put them to use, and the course has already paid for itself.',
    ],
    comments: [
      {
        author: 'Priya S.',
        date: '2024-09-03',
        text: 'The “learn by explaining” tip is so true. I started answering one Q&A question after every lesson last month and I remember far more.',
      },
      {
        author: 'Tom Becker',
        date: '2024-09-04',
        text: 'Tried the 25 minutes a day for a week and it works much better than my weekend binges. Where do I turn on the study reminder?',
      },
      {
        author: 'Lin Xiao',
        date: '2024-09-04',
        text: '@Tom Becker In the app, go to Me → Settings → Study reminder and pick a time of day.',
      },
      {
        author: 'marco_learns',
        date: '2024-09-06',
        text: 'The last paragraph hit home. I used to think an unfinished course was wasted money, which only made me avoid it more.',
      },
    ],
  },
  {
    slug: 'membership',
    language: 'zh',
    title: '知更会员怎么用：月度、年度与自动续费',
    summary:
      '会员可以免费学习所有标有「会员免费」的课程，购买其他课程享 8 折。本文说明月度与年度会员的区别、自动续费何时扣款，以及怎样随时取消。',
    author: '周敏',
    date: '2024-08-15',
    body: [
      '知更会员分为月度会员和年度会员两种：月度会员 30 元 / 月，年度会员 298 元 / 年，折合每月不到 25 元。两种会员的权益完全相同：会员期内可以免费学习所有标有「会员免费」的课程和专栏，购买其他付费课程享 8 折优惠，每月还能领取一张 10 元无门槛优惠券。',
      '开通时可以选择「连续包月」或「连续包年」，也就是自动续费。自动续费会在当前会员到期前 24 小时扣款，扣款前 3 天我们会通过 App 消息和短信提醒你。如果扣款失败（比如余额不足），系统会在之后 3 天内重试，这期间会员权益不会中断。',
      '自动续费可以随时取消，取消后当前会员期照常有效，只是到期后不再扣款。在 App 中进入「我的 → 会员中心 → 管理自动续费」即可关闭；如果你是在 iPhone 上通过 Apple ID 开通的，需要在 iPhone 的「设置 → Apple ID → 订阅」中取消；通过微信支付开通的，也可以在微信「我 → 服务 → 钱包 → 支付设置 → 自动续费」里关闭。',
      '会员到期后，「会员免费」的课程将无法继续观看，但学习记录和笔记都会保留，重新开通后可以接着学。单独购买的课程不受会员状态影响。训练营不在会员免费范围内。',
      '忘记取消、被自动扣款了怎么办？只要在扣款后 7 天内联系客服，并且续费后还没有使用过会员权益，我们会全额退还这次续费。',
      '会员费用同样可以开具电子发票，操作方法和购课发票一样，详见《购课发票与退款政策说明》。',
    ],
    comments: [
      {
        author: '晴天小猪',
        date: '2024-08-16',
        text: '原来苹果手机开通的要去系统设置里取消，难怪我在 App 里一直找不到关闭按钮。',
      },
      {
        author: '老张学英语',
        date: '2024-08-18',
        text: '年度会员确实划算，我主要听会员免费的英语课，再加上每月那张 10 元券，一年下来省了不少。',
      },
      {
        author: 'momo',
        date: '2024-08-20',
        text: '上个月忘了关自动续费，找客服第二天就退回来了，处理得挺快的，点赞。',
      },
    ],
  },
  {
    slug: 'membership',
    language: 'en',
    title: 'How membership works: monthly, annual and auto-renewal',
    summary:
      'Members watch every course marked “Free with membership” and get 20% off everything else. Here is how monthly and annual plans differ, when auto-renewal charges you, and how to cancel at any time.',
    author: 'Zhou Min',
    date: '2024-08-15',
    body: [
      'There are two membership plans: monthly at ¥30 a month and annual at ¥298 a year, which works out at under ¥25 a month. Both come with exactly the same benefits: every course and column marked “Free with membership”, 20% off all other paid courses, and a ¥10 coupon with no minimum spend every month.',
      'When you join you can choose to renew automatically, monthly or yearly. Auto-renewal charges you 24 hours before your current membership ends, and we remind you by in-app message and text three days before. If a payment fails, for example because of insufficient funds, we retry over the next three days and your benefits continue in the meantime.',
      'You can turn auto-renewal off at any time; your current membership stays valid until its end date and you are simply not charged again. In the app, go to Me → Membership → Manage auto-renewal. If you subscribed on an iPhone with your Apple ID, cancel in the iPhone’s Settings → Apple ID → Subscriptions. If you subscribed with WeChat Pay, you can also turn it off in WeChat under Me → Services → Wallet → Payment settings → Auto-renewal.',
      'When your membership ends, courses that were free with membership are locked again, but your progress and notes are kept and you can pick up where you left off if you rejoin. Courses you bought separately are not affected. Training camps are not included in membership.',
      'Forgot to cancel and got charged? Contact support within 7 days of the charge; if you have not used any member benefit since the renewal, we refund it in full.',
      'You can get an e-invoice for your membership the same way as for a course purchase; see “Invoices for course purchases and our refund policy”.',
    ],
    comments: [
      {
        author: 'Hannah L.',
        date: '2024-08-16',
        text: 'So that’s why I couldn’t find the cancel button in the app: I had signed up through my Apple ID. Thanks for spelling it out.',
      },
      {
        author: 'David Chen',
        date: '2024-08-18',
        text: 'Annual is clearly the better deal for me. I mostly take the member-free language courses, and the monthly coupon covers part of the rest.',
      },
      {
        author: 'Amira',
        date: '2024-08-20',
        text: 'Forgot to switch off auto-renewal last month; support refunded it the next day. Painless.',
      },
    ],
  },
  {
    slug: 'invoices-and-refunds',
    language: 'zh',
    title: '购课发票与退款政策说明',
    summary:
      '购买课程、专栏或会员后，可以在「我的 → 订单」里自助申请电子发票。购买后 7 天内、且学习进度不到 20% 的课程，支持无理由退款。',
    author: '陈静',
    date: '2024-07-20',
    body: [
      '申请发票：在 App 或网页端进入「我的 → 订单」，选择要开票的订单，点击「申请发票」。你可以开具个人抬头或单位抬头的电子普通发票，单位抬头需要填写纳税人识别号。电子发票会在 3 个工作日内发送到你填写的邮箱，也可以在订单详情里直接下载 PDF。',
      '发票金额以实际支付金额为准，优惠券抵扣的部分不开票。同一订单只能开一次发票；如果抬头填错了，可以在开票后 30 天内在订单详情中申请重开一次。需要增值税专用发票的企业用户，请联系客服并提供开票资料。订单完成后 1 年内都可以申请开票。',
      '退款政策：购买后 7 天内，并且课程学习进度不到 20%，可以申请无理由退款。学习进度按已观看或已收听的时长占课程总时长的比例计算，在课程目录上方就能看到。',
      '申请方法：在「我的 → 订单」中选择订单，点击「申请退款」并选择原因。符合条件的申请会自动通过，款项原路退回：微信和支付宝通常 1 到 3 个工作日到账，银行卡最长 7 个工作日。下单时使用的优惠券如果还在有效期内，会一并退回你的账户。',
      '以下情况不支持退款：超过 7 天，或学习进度已达到 20%；训练营开营之后（开营之前可以全额退款）；用兑换码或礼品卡兑换的课程。已经开具发票的订单退款时，发票会自动作废，不需要寄回。',
      '如果你的情况比较特殊，例如课程内容与介绍严重不符，或者因为技术问题一直无法正常学习，即使不满足上面的条件，也请联系客服，我们会逐一处理。',
    ],
    comments: [
      {
        author: '小鱼干',
        date: '2024-07-21',
        text: '买错了课，第二天申请退款，自动通过，两天就回到支付宝了。',
      },
      {
        author: '财务小刘',
        date: '2024-07-23',
        text: '公司报销要专票，按文章说的联系客服，提供了开票资料，一周左右就收到了。',
      },
      {
        author: '橙子',
        date: '2024-07-25',
        text: '想确认一下：20% 是按看过的时长算吗？我拖进度条跳着看也算进去吗？',
      },
      {
        author: '陈静',
        date: '2024-07-25',
        text: '@橙子 按实际播放过的时长计算，拖动进度条跳过的部分不计入。',
      },
    ],
  },
  {
    slug: 'invoices-and-refunds',
    language: 'en',
    title: 'Invoices for course purchases and our refund policy',
    summary:
      'After buying a course, column or membership you can request an e-invoice yourself under Me → Orders. Courses bought within the last 7 days and less than 20% watched can be refunded, no questions asked.',
    author: 'Chen Jing',
    date: '2024-07-20',
    body: [
      'Requesting an invoice: in the app or on the web, go to Me → Orders, choose the order and tap “Request invoice”. You can have a standard e-invoice issued to yourself or to a company; a company invoice needs the company’s tax ID. The e-invoice is emailed to you within 3 working days, and you can also download the PDF from the order details.',
      'The invoice shows the amount you actually paid; the part covered by a coupon is not invoiced. Each order can be invoiced once; if you got the name wrong, you can ask for one reissue from the order details within 30 days. Businesses that need a special VAT invoice should contact support with their billing details. You can request an invoice up to one year after the order is completed.',
      'Refund policy: within 7 days of purchase, and as long as you have watched less than 20% of the course, you can get a refund without giving a reason. Progress is the time you have watched or listened to as a share of the course’s total length; it is shown above the course outline.',
      'How to ask: go to Me → Orders, choose the order, tap “Request refund” and pick a reason. Eligible requests are approved automatically and the money goes back the way it came: WeChat Pay and Alipay usually within 1 to 3 working days, bank cards within 7. If you used a coupon that is still valid, it is returned to your account too.',
      'Refunds are not available after 7 days or once you have watched 20% or more; for training camps after the camp has started (before it starts you get a full refund); or for courses redeemed with a code or gift card. If an invoice was already issued, it is cancelled automatically when you are refunded; there is nothing to send back.',
      'If your case is unusual, for instance the course is very different from its description, or a technical problem has kept you from watching it, please contact support even if you don’t meet the conditions above. We look at every case.',
    ],
    comments: [
      {
        author: 'Jules',
        date: '2024-07-21',
        text: 'Bought the wrong course by mistake, asked for a refund the next day, approved instantly and back on Alipay two days later.',
      },
      {
        author: 'Rahul Mehta',
        date: '2024-07-23',
        text: 'Our finance team needed a special VAT invoice. Contacted support as described and had it within a week.',
      },
      {
        author: 'Olivia P.',
        date: '2024-07-25',
        text: 'Quick question: is the 20% based on time watched? Does skipping ahead with the progress bar count?',
      },
      {
        author: 'Chen Jing',
        date: '2024-07-25',
        text: '@Olivia P. It is the time actually played; parts you skip over with the progress bar don’t count.',
      },
    ],
  },
  {
    slug: 'offline-and-playback-speed',
    language: 'zh',
    title: '在 App 里离线下载课程，以及调整倍速播放',
    summary:
      '通勤或出差没有网络？在知更学堂 App 里把课程下载到手机，就能离线学习。播放器支持 0.75 倍到 2 倍速，并会记住你的选择。',
    author: '王磊',
    date: '2024-06-28',
    body: [
      '离线下载目前只在 iOS 和 Android App 中提供，网页端暂不支持。打开已购买的课程，点击目录右上角的下载图标，可以下载整门课，也可以只勾选其中几节。下载进度可以在「我的 → 下载管理」中查看。',
      '为了节省流量，App 默认只在 Wi-Fi 下下载；如果需要用移动网络下载，可以在「设置 → 下载设置」中打开。在同一页面还可以选择画质：标清大约每小时 200 MB，高清大约每小时 600 MB，音频课程每小时约 30 MB。',
      '下载的文件经过加密，只能在知更学堂 App 内播放，不能导出到相册或其他播放器。离线文件在课程有效期内一直可用，但为了确认购买状态，App 需要至少每 30 天联网一次。一个账号最多可以在 3 台设备上同时登录和下载。',
      '倍速播放：在播放界面点击右下角的「1.0x」，可以在 0.75x、1.0x、1.25x、1.5x 和 2.0x 之间切换。你选的倍速会被记住，下次打开任何课程都会沿用。音频课程同样支持倍速，锁屏和后台播放时也有效；网页端的播放器也可以调整倍速。',
      '一个小建议：第一遍学习时用 1.25 倍左右比较合适，既省时间又不会漏掉细节；复习时再用 1.5 倍或 2 倍快速过一遍。遇到需要跟着动手操作的实操课，不妨降到 0.75 倍。',
      '如果下载一直卡在某个进度，可以先删除这一节再重新下载，或者在「设置 → 清理缓存」之后重试。还是不行的话，请通过页面右下角的客服联系我们，并告诉我们手机型号和 App 版本号。',
    ],
    comments: [
      {
        author: '地铁学习党',
        date: '2024-06-29',
        text: '每天通勤一个多小时，地铁里信号差，全靠离线下载续命。标清画质看 PPT 类的课完全够用。',
      },
      {
        author: 'Sunny',
        date: '2024-07-01',
        text: '2 倍速听音频课刚刚好，希望以后能加个 3 倍速。',
      },
      {
        author: '阿杰',
        date: '2024-07-02',
        text: '换了新手机之后旧手机上的下载还在占空间，原来要先在旧设备上退出登录，再在新手机上重新下载。',
      },
    ],
  },
  {
    slug: 'offline-and-playback-speed',
    language: 'en',
    title: 'Watching offline in the app, and changing the playback speed',
    summary:
      'No signal on your commute or trip? Download courses to your phone in the Robin Academy app and learn offline. The player runs from 0.75× to 2× speed and remembers your choice.',
    author: 'Wang Lei',
    date: '2024-06-28',
    body: [
      'Offline downloads are available in the iOS and Android apps; the website does not offer them yet. Open a course you own and tap the download icon at the top right of the outline to download the whole course or just the lessons you tick. Downloads in progress are listed under Me → Downloads.',
      'To save mobile data, the app only downloads over Wi-Fi by default; you can allow mobile data in Settings → Downloads. The same page lets you choose the quality: standard definition takes about 200 MB per hour, high definition about 600 MB, and audio courses about 30 MB.',
      'Downloaded files are encrypted and play only inside the Robin Academy app; they cannot be exported to your photo library or another player. They stay available for as long as the course is valid, but the app needs to go online at least once every 30 days to confirm your purchase. One account can be signed in and download on up to 3 devices at the same time.',
      'Playback speed: tap “1.0x” at the bottom right of the player to switch between 0.75x, 1.0x, 1.25x, 1.5x and 2.0x. Your choice is remembered and used for every course you open next. Audio courses support speed changes too, including on the lock screen and in the background, and the web player has the same speeds.',
      'A tip: 1.25x is a good pace for a first pass, saving time without missing details; use 1.5x or 2x when you revise. For hands-on lessons where you follow along, try slowing down to 0.75x.',
      'If a download is stuck, delete that lesson and download it again, or clear the cache in Settings → Clear cache and retry. If that doesn’t help, contact us through the support button at the bottom right of the page and tell us your phone model and app version.',
    ],
    comments: [
      {
        author: 'Ben K.',
        date: '2024-06-29',
        text: 'An hour each way on the train with patchy signal: downloads are a lifesaver. Standard definition is plenty for slide-based courses.',
      },
      {
        author: 'Sofia R.',
        date: '2024-07-01',
        text: '2x is just right for audio courses. A 3x option would be lovely one day.',
      },
      {
        author: 'Wei',
        date: '2024-07-02',
        text: 'After switching phones my old downloads still counted against my devices. Signing out on the old phone first fixed it.',
      },
    ],
  },
  {
    slug: 'writing-good-answers',
    language: 'zh',
    title: '如何在问答社区写出一个好回答',
    summary:
      '好回答不一定长，但一定回答了问题本身。先给结论、讲清依据、分享真实经历、标注利益相关：这里是社区编辑总结的几条建议。',
    author: '赵一鸣',
    date: '2024-05-10',
    body: [
      '知更问答社区每天有上千个新问题。被点赞最多、被提问者采纳的回答，往往有一些共同点。社区编辑把它们整理成了下面几条建议。',
      '先读懂问题，再动笔。很多回答跑题，是因为只看了标题。提问者在补充说明里写的背景，比如他是学生还是职场人、预算多少、已经试过什么，决定了什么样的回答对他真正有用。',
      '第一段就给结论。读者最想知道的是「所以我该怎么做」。先用一两句话给出你的答案，再展开理由，比层层铺垫之后才亮出观点友好得多。',
      '说清依据。你的结论来自亲身经历、专业知识，还是某本书、某篇论文？把它写出来。引用别人的观点请注明出处，转载他人的内容需要事先取得授权。',
      '分享真实经历，但不要以偏概全。「我是这样做的，效果如何，不过我的情况是……」这样的写法既真诚，也能帮读者判断是否适用于自己。',
      '排版也是内容。适当分段、用列表写出步骤、给关键词加粗，能让在手机上阅读的人更轻松地读完。超过 1000 字的回答，可以在开头写一个简短的目录。',
      '标注利益相关。如果你推荐的是自己开设的课程或专栏，请在回答里明确说明。未标注的推广内容会被折叠，多次违规的账号将被限制回答。',
      '最后，保持友善。可以不同意一个观点，但请对事不对人。',
    ],
    comments: [
      {
        author: '一只产品汪',
        date: '2024-05-11',
        text: '「第一段就给结论」受教了，以前总喜欢先铺垫一大段背景，难怪读完的人不多。',
      },
      {
        author: '青木',
        date: '2024-05-12',
        text: '希望大家都能认真标注利益相关，有些回答通篇都在推自己的课，看着很累。',
      },
      {
        author: '豆豆妈',
        date: '2024-05-15',
        text: '按这几条改了一下我之前的回答，今天被提问者采纳了，开心！',
      },
    ],
  },
  {
    slug: 'writing-good-answers',
    language: 'en',
    title: 'How to write a good answer in the Q&A community',
    summary:
      'A good answer need not be long, but it must answer the question that was asked. Lead with your conclusion, show your sources, share real experience, disclose your interests: advice from our community editors.',
    author: 'Zhao Yiming',
    date: '2024-05-10',
    body: [
      'More than a thousand new questions are posted in the Robin Academy Q&A community every day. The answers that collect the most upvotes and get accepted by the person who asked tend to have a few things in common. Our community editors have gathered them here.',
      'Read the question before you write. Many answers miss the point because their authors only read the title. The background in the question’s details (whether the asker is a student or working, their budget, what they have already tried) decides what kind of answer will actually help.',
      'Give your conclusion in the first paragraph. What readers want most is “so what should I do?” Answer in one or two sentences first, then explain why. That is far kinder than building up to your point over several paragraphs.',
      'Show where your answer comes from. Is it your own experience, professional knowledge, a book or a paper? Say so. Credit the source when you quote someone, and get permission before reposting someone else’s work.',
      'Share real experience, without generalising from it. “This is what I did, this is how it went, but my situation was…” is honest, and it helps readers judge whether your experience applies to them.',
      'Formatting is part of the content. Short paragraphs, numbered steps and a few words in bold make an answer much easier to finish on a phone. For answers over a thousand words, consider a short table of contents at the top.',
      'Disclose your interests. If you recommend a course or column you created yourself, say so in the answer. Undisclosed promotion is collapsed, and accounts that repeatedly break this rule lose the right to answer.',
      'Finally, be kind. Disagree with ideas, not with people.',
    ],
    comments: [
      {
        author: 'Nadia F.',
        date: '2024-05-11',
        text: 'Leading with the conclusion was the one I needed. I always opened with a long backstory and wondered why nobody read to the end.',
      },
      {
        author: 'G. Okafor',
        date: '2024-05-12',
        text: 'Thank you for the disclosure rule. Some answers are nothing but an advert for the author’s own course.',
      },
      {
        author: 'Lucy W.',
        date: '2024-05-15',
        text: 'Rewrote an old answer following these tips and it got accepted today!',
      },
    ],
  },
  {
    slug: 'creator-program',
    language: 'zh',
    title: '创作者计划：如何在知更学堂开设付费专栏',
    summary:
      '有专业积累、愿意持续输出的作者，都可以申请开设付费专栏。本文介绍申请条件、审核流程、定价、分成比例和结算方式。',
    author: '孙悦',
    date: '2024-04-18',
    body: [
      '付费专栏是以图文或音频为主、按计划持续更新的系列内容。和一次录制完成的视频课程不同，专栏更适合能长期输出的作者，比如每周一篇的行业观察，或者用一年写完的 50 讲读书笔记。',
      '申请条件：完成实名认证；在知更学堂或其他平台有公开发表的作品；提交一份专栏策划，包括目标读者、不少于 12 讲的大纲，以及 2 篇完整样稿。我们不看粉丝数量，内容质量是审核的唯一标准。',
      '申请入口在网页端「创作中心 → 创作者计划」。内容编辑会在 5 个工作日内完成审核，并和你沟通修改建议。审核通过后，会有一位责任编辑陪你完成上线前的打磨。',
      '定价由作者和编辑共同商定，单个专栏一般在 19 元到 199 元之间。专栏上线时至少要完成 30% 的内容，并公布更新计划；上线后如果连续 30 天没有按计划更新，专栏会暂停销售，直到恢复更新。',
      '分成与结算：扣除支付渠道手续费后，作者获得实际收入的 70%；加入「会员免费」的专栏，另按会员的学习时长分成。每月 15 日结算上个月的收入，已退款的订单不计入。你可以在「创作中心 → 收益」里随时查看销售数据。',
      '专栏的著作权归作者所有，平台获得的是专栏在知更学堂的独家发行授权，期限三年。',
      '对申请有疑问的话，可以点击页面右下角的客服按钮联系我们。',
    ],
    comments: [
      {
        author: '写字的老K',
        date: '2024-04-19',
        text: '不看粉丝数这一点很友好。我在别的平台粉丝不多，但写了好几年行业分析，准备试试。',
      },
      {
        author: '设计师阿May',
        date: '2024-04-21',
        text: '请问样稿可以是图文加插图的形式吗？我想做一个讲排版的专栏。',
      },
      {
        author: '孙悦',
        date: '2024-04-22',
        text: '@设计师阿May 可以的，图文、音频或两者结合都行，插图请确认有使用授权。',
      },
    ],
  },
  {
    slug: 'creator-program',
    language: 'en',
    title: 'The creator program: publishing a paid column',
    summary:
      'Any author with real expertise who is ready to publish regularly can apply to run a paid column. Here are the requirements, the review process, pricing, revenue share and payouts.',
    author: 'Sun Yue',
    date: '2024-04-18',
    body: [
      'A paid column is a series of articles or audio episodes published on a schedule. Unlike a video course recorded in one go, a column suits authors who can keep writing over time: a weekly industry briefing, say, or fifty reading notes written over a year.',
      'To apply you need a verified identity, published work on Robin Academy or elsewhere, and a column proposal: who it is for, an outline of at least 12 instalments, and 2 complete sample pieces. We don’t look at follower counts; the quality of the writing is the only criterion.',
      'Apply on the website under Creator Center → Creator program. An editor reviews your proposal within 5 working days and discusses any changes with you. Once accepted, a dedicated editor helps you polish the column before launch.',
      'You and your editor agree on the price together; most columns cost between ¥19 and ¥199. At launch at least 30% of the content must be written and the update schedule published. If a column misses its schedule for 30 days in a row, sales are paused until updates resume.',
      'Revenue and payouts: after payment processing fees, authors receive 70% of what readers pay. Columns that are free with membership also earn a share based on members’ reading time. Each month’s earnings are paid on the 15th of the following month; refunded orders are not counted. Creator Center → Earnings shows your sales in real time.',
      'You keep the copyright of your column; Robin Academy receives an exclusive licence to publish it on the platform for three years.',
      'Questions about applying? Use the support button at the bottom right of the page.',
    ],
    comments: [
      {
        author: 'Kai Andersen',
        date: '2024-04-19',
        text: 'Love that follower counts don’t matter. I have a small audience but years of industry analysis behind me. Applying this week.',
      },
      {
        author: 'May (designer)',
        date: '2024-04-21',
        text: 'Can the samples be illustrated articles? I’d like to write a column about typography.',
      },
      {
        author: 'Sun Yue',
        date: '2024-04-22',
        text: '@May (designer) Yes: text, audio or both are fine. Just make sure you have the rights to every illustration.',
      },
    ],
  },
  {
    slug: 'course-validity',
    language: 'zh',
    title: '课程有效期：「永久有效」和「一年有效」有什么不同',
    summary:
      '平台上绝大多数课程和专栏购买后永久有效，可以反复学习；训练营等包含服务的课程有效期为一年。这篇文章解释两者的区别，以及到期前后你需要知道的事。',
    author: '陈静',
    date: '2024-10-08',
    body: [
      '每门课程的有效期都写在课程详情页的价格下方，购买之后也可以在订单详情里查看。',
      '永久有效：平台上绝大多数视频课、音频课和付费专栏都是永久有效的。购买后，只要知更学堂还在运营、课程没有因为版权原因下架，你就可以随时反复学习，包括之后新增或更新的章节。如果课程不得不下架，我们会至少提前 30 天通知，并提供补偿方案。',
      '一年有效：训练营，以及部分包含直播、作业批改和助教答疑的课程，有效期为自开营之日起一年。之所以这样设置，是因为这些课程的很大一部分价值来自老师和助教的服务，而服务没有办法无限期地提供。',
      '在这一年里，你可以观看全部直播回放、提交作业并获得批改、在学员群里提问。到期前 30 天和前 7 天，我们会通过 App 消息提醒你。到期之后，直播回放和课件将无法观看，但你的笔记、作业和结业证书会一直保留。',
      '如果还没学完，可以在到期前后 30 天内，以原价 30% 的价格续期一年；也可以报名下一期训练营，老学员享受 5 折优惠。',
      '「会员免费」的课程不是购买所得，它们的可观看时间跟随你的会员有效期。离线下载的内容同样遵循上面的有效期规则。',
    ],
    comments: [
      {
        author: '慢慢来',
        date: '2024-10-09',
        text: '之前一直以为训练营也是永久的，幸好看到这篇，赶紧把剩下的直播回放补完了。',
      },
      {
        author: 'Ray',
        date: '2024-10-10',
        text: '30% 续期挺合理的，助教批改作业确实是最有价值的部分。',
      },
      {
        author: '读书的猫',
        date: '2024-10-12',
        text: '永久有效的课后来更新的章节也能看，这点很良心，去年买的课今年多了三讲。',
      },
    ],
  },
  {
    slug: 'course-validity',
    language: 'en',
    title: 'Course validity: lifetime access vs one year',
    summary:
      'Almost every course and column you buy is yours for life and can be replayed as often as you like; training camps and other courses that include personal support are valid for one year. Here is the difference, and what to know before and after expiry.',
    author: 'Chen Jing',
    date: '2024-10-08',
    body: [
      'Every course shows its validity period under the price on the course page; after you buy, it is also shown in the order details.',
      'Lifetime access: almost all video courses, audio courses and paid columns are valid for life. Once you buy, you can come back as often as you like for as long as Robin Academy operates and the course has not been withdrawn for copyright reasons, including any chapters added or updated later. If a course ever has to be withdrawn, we give at least 30 days’ notice and offer compensation.',
      'One year: training camps, and some courses that include live sessions, marked assignments and teaching-assistant support, are valid for one year from the day the camp starts. Much of their value is the time teachers and assistants give you, and that service cannot be offered indefinitely.',
      'During that year you can watch every live-session replay, hand in assignments and get them marked, and ask questions in the class group. We remind you by in-app message 30 days and 7 days before the end. After it ends, replays and course materials are no longer available, but your notes, assignments and certificate of completion are kept for good.',
      'Not finished yet? Within 30 days either side of the end date you can extend for another year at 30% of the original price, or join the next run of the camp at half price as a returning student.',
      'Courses that are free with membership are not purchases: you can watch them for as long as your membership lasts. Offline downloads follow the same validity rules.',
    ],
    comments: [
      {
        author: 'Grace T.',
        date: '2024-10-09',
        text: 'I had assumed camps were lifetime too. Glad I read this; I caught up on the remaining replays just in time.',
      },
      {
        author: 'Ray',
        date: '2024-10-10',
        text: 'Extending at 30% is fair. The marked assignments are the most valuable part of a camp anyway.',
      },
      {
        author: 'bookish_cat',
        date: '2024-10-12',
        text: 'Lifetime courses getting new chapters is a nice touch. A course I bought last year now has three extra lessons.',
      },
    ],
  },
];
