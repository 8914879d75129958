import { describe, expect, it } from 'vitest';
import { errorText, noticeText, reasonText, t } from '../../widget/i18n.ts';
import { LAUNCHER_TEXT } from '../../widget/locale.ts';
import { tm } from '../../widget/later.ts';

describe('widget i18n', () => {
  it('names every control in the interface language', () => {
    expect(LAUNCHER_TEXT.en.open).toBe('Open support chat');
    expect(LAUNCHER_TEXT.zh.open).toBe('打开在线客服');
    expect([t('en', 'close'), t('zh', 'close')]).toEqual(['Close support chat', '关闭在线客服']);
    expect([t('en', 'message'), t('zh', 'message')]).toEqual(['Message', '输入消息']);
    expect([t('en', 'send'), t('zh', 'send')]).toEqual(['Send', '发送']);
    expect([t('en', 'tabChat'), t('zh', 'tabChat')]).toEqual(['Ask a question', '咨询问题']);
    expect([t('en', 'tabFeedback'), t('zh', 'tabFeedback')]).toEqual(['Leave feedback', '意见反馈']);
    expect([t('en', 'solved'), t('zh', 'solved')]).toEqual(['This solved it', '问题已解决']);
    expect([t('en', 'human'), t('zh', 'human')]).toEqual(['Talk to a person', '转人工客服']);
    expect([t('en', 'didYouMean'), t('zh', 'didYouMean')]).toEqual(['Did you mean…?', '您是不是想问…']);
    expect([t('en', 'articles'), t('zh', 'articles')]).toEqual(['These articles may help', '这些文章也许有帮助']);
  });

  it('names the emoji picker and writes a past conversation’s last line from the dictionary, with a full-width colon in Chinese', () => {
    expect([tm('en', 'emoji'), tm('zh', 'emoji')]).toEqual(['Emoji', '表情']);
    expect(tm('en', 'lastMessage', { who: 'You', text: 'Where is my invoice?' })).toBe('You: Where is my invoice?');
    expect(tm('zh', 'lastMessage', { who: '我', text: '发票在哪里？' })).toBe('我：发票在哪里？');
  });

  it('words every notice the server can send, in both languages', () => {
    expect(noticeText('en', 'waiting_for_agent', '')).toBe('A person will reply here shortly.');
    expect(noticeText('zh', 'waiting_for_agent', '')).toBe('已为您转接人工客服，请稍候。');
    expect(noticeText('en', 'no_agent_online', '')).toBe(
      'No agent is online right now. Leave your question here: the reply will be waiting for you on your next visit.',
    );
    expect(noticeText('zh', 'no_agent_online', '')).toBe('当前没有客服在线。请留下您的问题，下次访问时即可看到回复。');
    expect(noticeText('en', 'agent_joined', '', 'Mia')).toBe('Mia joined the conversation');
    expect(noticeText('en', 'resolved', '')).toBe('This conversation was marked as resolved. Write again any time.');
    expect(noticeText('en', 'solved_thanks', '')).toBe('Glad it helped!');
    expect(noticeText('en', 'dont_know', '')).toBe("I don't know the answer to that; a person will help you.");
    for (const code of ['greeting', 'thanks', 'goodbye'] as const) {
      expect(noticeText('en', code, '')).not.toBe('');
      expect(noticeText('zh', code, '')).not.toBe('');
    }
  });

  it('falls back to the server text for a notice it does not know', () => {
    expect(noticeText('en', 'brand_new' as never, 'Server words')).toBe('Server words');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(t('zh', 'notice_agent_joined', { agentName: '小王' })).toBe('小王 已加入会话');
    expect(t('en', 'failed')).toBe('Not sent: {reason}');
  });

  it('explains refusals: known codes in their own words, others in general terms', () => {
    expect(errorText('en', 'UNKNOWN_SITE')).toMatch(/not set up/);
    expect(errorText('zh', 'ORIGIN_NOT_ALLOWED')).toMatch(/网址/);
    expect(errorText('en', 'INTERNAL')).toBe(t('en', 'error'));
    expect(reasonText('en', 'INVALID_PAYLOAD')).toMatch(/too long/);
    expect(reasonText('en', undefined)).toBe(t('en', 'reason'));
  });
});
