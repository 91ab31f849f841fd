/**
 * The S8 header template: `{to}`, `{from}`, `{pagenumber}`, `{totalpages}`, `{date...}` and
 * `{time...}` placeholders in free text. Placeholder names are case-insensitive; anything
 * else in braces is kept as written, so a typo shows on the fax rather than vanishing.
 *
 * Dates: after `date` comes a pattern of `yyyy`, `yy`, `mm`, `dd` and any separators
 * (`{dateyyyy/mm/dd}`, `{datedd/mm/yyyy}`, `{dateyyyy年mm月dd日}`). Times: `hh`, `mm`, `ss`;
 * a pattern without separators gets colons (`{timehhmm}` -> 14:05), as fax headers print.
 * Both are in the account's time zone (default Asia/Tokyo), 24-hour clock.
 */
import type { HeaderValues } from './types.ts';

export const defaultTimeZone = 'Asia/Tokyo';

export function formatHeader(template: string, values: HeaderValues): string {
  const parts = zonedParts(values.date, values.timeZone ?? defaultTimeZone);
  return template.replace(/\{([^{}]*)\}/g, (whole, inner: string) => {
    const name = inner.toLowerCase();
    if (name === 'to') return values.to;
    if (name === 'from') return values.from;
    if (name === 'pagenumber') return String(values.pageNumber);
    if (name === 'totalpages') return String(values.totalPages);
    if (name.startsWith('date') && /^(yyyy|yy|mm|dd|[^a-z])+$/.test(name.slice(4))) {
      return name.slice(4).replace(/yyyy|yy|mm|dd/g, (t) => dateToken(t, parts));
    }
    if (name.startsWith('time') && /^(hh|mm|ss|[^a-z])+$/.test(name.slice(4))) {
      const pattern = name.slice(4);
      const spaced = /[^a-z]/.test(pattern) ? pattern : pattern.match(/hh|mm|ss/g)!.join(':');
      return spaced.replace(/hh|mm|ss/g, (t) => (t === 'hh' ? parts.hour : t === 'mm' ? parts.minute : parts.second));
    }
    return whole;
  });
}

interface ZonedParts {
  readonly year: string;
  readonly month: string;
  readonly day: string;
  readonly hour: string;
  readonly minute: string;
  readonly second: string;
}

function dateToken(token: string, p: ZonedParts): string {
  switch (token) {
    case 'yyyy':
      return p.year;
    case 'yy':
      return p.year.slice(-2);
    case 'mm':
      return p.month;
    default:
      return p.day;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function zonedParts(date: Date, timeZone: string): ZonedParts {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    // Throws RangeError for a zone that does not exist: a configuration error worth surfacing.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(date);
  const pick = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return {
    year: pick('year').padStart(4, '0'),
    month: pick('month'),
    day: pick('day'),
    hour: pick('hour'),
    minute: pick('minute'),
    second: pick('second'),
  };
}
