/**
 * The one table of fax outcomes. Every layer that ends a fax (the T.30 engine, SIP call
 * set-up, the job actor, rendering, billing) reports one of these names; the numbers are
 * InterFAX's status codes (0 success, positive final failures), so the REST/SOAP APIs,
 * notifications, history and exports all show the same code and reason (FEATURES O2, S14).
 * Reasons come in English and Japanese, as users see them.
 */
export interface FaxResultInfo {
  /** InterFAX-compatible status code: 0 = success, > 0 = final failure. */
  readonly code: number;
  readonly en: string;
  readonly ja: string;
  /** Whether a retry (next attempt) can help. */
  readonly retryable: boolean;
}

export const FAX_RESULTS = {
  ok: { code: 0, en: 'OK', ja: '完了', retryable: false },
  busy: { code: 6017, en: 'Busy', ja: '話中', retryable: true },
  'no-answer': { code: 6018, en: 'No answer (might be out of paper)', ja: '応答なし（用紙切れの可能性）', retryable: true },
  'bad-number': { code: 3912, en: 'Phone number not operational', ja: 'この番号は使用されていません', retryable: false },
  'no-route': { code: 6002, en: 'No route available', ja: '接続経路がありません', retryable: true },
  congestion: { code: 6003, en: 'Telephony error (network congestion)', ja: '回線エラー（輻輳）', retryable: true },
  rejected: { code: 6021, en: 'Call rejected', ja: '着信拒否', retryable: false },
  'number-changed': { code: 6022, en: 'Number changed', ja: '番号が変更されています', retryable: false },
  'voice-answer': { code: 3936, en: 'Human voice answer', ja: '人が応答しました', retryable: true },
  't38-refused': { code: 6088, en: 'Incompatible destination (T.38 refused)', ja: '相手先が T.38 に対応していません', retryable: true },
  telephony: { code: 3072, en: 'Telephony error', ja: '回線エラー', retryable: true },
  'remote-no-response': { code: 3224, en: 'The remote fax machine failed to respond', ja: '相手のファクスが応答しません', retryable: true },
  'dcn-in-negotiation': { code: 3230, en: 'A disconnect message was received while negotiating transmission', ja: '交信条件の折衝中に切断されました', retryable: true },
  'unexpected-dcn': { code: 3223, en: 'An unexpected disconnect command was received', ja: '予期しない切断指示を受けました', retryable: true },
  incompatible: { code: 3211, en: 'Fax machine incompatibility', ja: '相手ファクスと互換性がありません', retryable: false },
  'training-failed': { code: 3220, en: 'Fax machine incompatibility (training failed at every rate)', ja: 'トレーニングに失敗しました（全速度）', retryable: true },
  'too-many-retransmissions': { code: 3264, en: 'Fax machine incompatibility (too many retransmissions)', ja: '再送が多すぎます', retryable: true },
  'page-rejected': { code: 3267, en: 'Fax machine incompatibility (page rejected by the receiver)', ja: '受信側がページを拒否しました', retryable: true },
  'transmission-error': { code: 3268, en: 'Transmission error (after page break)', ja: '伝送エラー（ページ送信後）', retryable: true },
  'remote-hangup': { code: 8010, en: 'The remote fax machine hung up before receiving the fax', ja: '相手が受信完了前に切断しました', retryable: true },
  /** The same event seen by the receiving side: the sender went away before the fax was complete. */
  'sender-hangup': { code: 8010, en: 'The sending fax machine hung up before the fax was complete', ja: '送信側が送信完了前に切断しました', retryable: true },
  'no-fax-received': { code: 7200, en: 'Unspecified fax failure (no fax received)', ja: 'ファクスを受信できませんでした', retryable: true },
  unspecified: { code: 7200, en: 'Unspecified fax failure', ja: '不明なファクスエラー', retryable: true },
  cancelled: { code: 403, en: 'Fax manually cancelled', ja: '手動でキャンセルされました', retryable: false },
  internal: { code: 256, en: 'Internal error', ja: '内部エラー', retryable: true },
  'render-failed': { code: 204000, en: 'Rendering error', ja: '文書の変換エラー', retryable: false },
  'quota-exceeded': { code: 205000, en: 'Quota exceeded (prepaid credit depleted)', ja: 'クレジット残高がありません', retryable: false },
} as const satisfies Record<string, FaxResultInfo>;

export type FaxResultName = keyof typeof FAX_RESULTS;

/** An outcome as every layer reports it: name, code, reason (with the specific detail). */
export interface FaxOutcome {
  readonly ok: boolean;
  readonly name: FaxResultName;
  readonly code: number;
  /** English reason; `detail` (e.g. "in phase C") is appended after a colon. */
  readonly reason: string;
  readonly reasonJa: string;
}

export function outcome(name: FaxResultName, detail?: string): FaxOutcome {
  const info: FaxResultInfo = FAX_RESULTS[name];
  const suffix = detail !== undefined && detail.length > 0 ? `: ${detail}` : '';
  return { ok: name === 'ok', name, code: info.code, reason: info.en + suffix, reasonJa: info.ja + suffix };
}

/** The notification form of a result, e.g. `0 - 完了`, `6017 - 話中` (FEATURES S14). */
export function formatResult(o: Pick<FaxOutcome, 'code' | 'reasonJa' | 'reason'>, lang: 'ja' | 'en'): string {
  return `${o.code} - ${lang === 'ja' ? o.reasonJa : o.reason}`;
}

const SIP_TO_RESULT: ReadonlyArray<[number | ((s: number) => boolean), FaxResultName]> = [
  [486, 'busy'],
  [600, 'busy'],
  [408, 'no-answer'],
  [480, 'no-answer'],
  [404, 'bad-number'],
  [484, 'bad-number'],
  [604, 'bad-number'],
  [410, 'number-changed'],
  [403, 'rejected'],
  [603, 'rejected'],
  [488, 't38-refused'],
  [606, 't38-refused'],
  [503, 'congestion'],
  [502, 'no-route'],
  [(s) => s >= 400 && s < 700, 'telephony'],
];

/** Maps a SIP final response status of a failed INVITE to the fax result. */
export function resultForSipStatus(status: number): FaxResultName {
  for (const [match, name] of SIP_TO_RESULT) {
    if (typeof match === 'number' ? match === status : match(status)) return name;
  }
  return 'telephony';
}
