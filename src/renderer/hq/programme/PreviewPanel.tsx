import { formatNumber, formatTime, useLocale, type Translate } from '../text';
import type { BasketPreview, Draft, MemberPreview, PreviewLine } from './model';

/**
 * « Ce panier rapporterait… » under the draft and under the version in
 * force, computed by HQ exactly as a terminal would (the ledger's earn
 * rule); « … serait Or »: where a member would rank with the draft's tiers.
 */
const tierName = (draft: Draft, id: string, locale: 'fr' | 'en'): string => {
  const tiers = (draft.tiers as { tiers?: Array<{ id?: unknown; label?: Record<string, unknown> }> } | undefined)?.tiers;
  const found = Array.isArray(tiers) ? tiers.find((x) => x.id === id) : undefined;
  const label = found?.label?.[locale];
  return typeof label === 'string' ? label : id;
};

export function PreviewPanel({
  t,
  draft,
  categories,
  taxRates,
  lines,
  setLines,
  memberId,
  setMemberId,
  draftBasket,
  currentBasket,
  member,
  draftValid,
}: {
  t: Translate;
  draft: Draft;
  categories: string[];
  taxRates: number[];
  lines: PreviewLine[];
  setLines: (lines: PreviewLine[]) => void;
  memberId: string;
  setMemberId: (id: string) => void;
  draftBasket: BasketPreview | null;
  currentBasket: BasketPreview | null;
  member: MemberPreview | null;
  draftValid: boolean;
}) {
  const locale = useLocale();
  const change = (i: number, patch: Partial<PreviewLine>) => setLines(lines.map((l, k) => (k === i ? { ...l, ...patch } : l)));
  return (
    <section className="pg-card" aria-labelledby="pg-preview-h">
      <h2 id="pg-preview-h">{t('pg.preview')}</h2>
      <h3 id="pg-basket-h">{t('pg.basket')}</h3>
      <ul className="pg-basket" aria-labelledby="pg-basket-h">
        {lines.map((line, i) => (
          <li key={i}>
            <div>
              <label htmlFor={`pg-line-${i}-cat`}>{t('pg.line_category', { n: i + 1 })}</label>
              <select id={`pg-line-${i}-cat`} value={line.category} onChange={(e) => change(i, { category: e.target.value })}>
                {[...new Set([line.category, ...categories])].map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label htmlFor={`pg-line-${i}-price`}>{t('pg.line_price', { n: i + 1 })}</label>
              <input id={`pg-line-${i}-price`} className="pg-price" inputMode="decimal" value={line.price} onChange={(e) => change(i, { price: e.target.value })} />
            </div>
            <div>
              <label htmlFor={`pg-line-${i}-vat`}>{t('pg.line_vat', { n: i + 1 })}</label>
              <select id={`pg-line-${i}-vat`} value={line.taxRateBp} onChange={(e) => change(i, { taxRateBp: Number(e.target.value) })}>
                {[...new Set([line.taxRateBp, ...taxRates])].map((r) => (
                  <option key={r} value={r}>{`${formatNumber(locale, r / 100)} %`}</option>
                ))}
              </select>
            </div>
            <button type="button" className="button-quiet" aria-label={t('pg.remove_line', { n: i + 1 })} disabled={lines.length === 1} onClick={() => setLines(lines.filter((_, k) => k !== i))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <button type="button" className="button-quiet" onClick={() => setLines([...lines, { category: categories[0] ?? 'grocery', price: '10', taxRateBp: taxRates.includes(550) ? 550 : (taxRates[0] ?? 0) }])}>
        {t('pg.add_line')}
      </button>
      <div className="pg-outcome" role="status" id="pg-basket-outcome">
        {!draftValid ? (
          <p>{t('pg.preview_needs_valid')}</p>
        ) : draftBasket ? (
          <>
            <p className="pg-big">{t('pg.basket_draft', { n: formatNumber(locale, draftBasket.points) })}</p>
            <p>
              {currentBasket ? t('pg.basket_current', { n: formatNumber(locale, currentBasket.points) }) : null}{' '}
              {t('pg.basket_at', { at: formatTime(locale, draftBasket.at) })}
              {draftBasket.promotions.length > 0 ? ` ${t('pg.basket_promotions', { list: draftBasket.promotions.join(', ') })}` : ''}
            </p>
          </>
        ) : (
          <p>{t('pg.basket_invalid')}</p>
        )}
      </div>

      <h3>{t('pg.member')}</h3>
      <div className="pg-field">
        <label htmlFor="pg-member-id">{t('pg.member_id')}</label>
        <input id="pg-member-id" value={memberId} onChange={(e) => setMemberId(e.target.value)} aria-describedby="pg-member-hint" />
        <span className="pg-hint" id="pg-member-hint">
          {t('pg.member_hint')}
        </span>
      </div>
      <div role="status" className="pg-outcome" id="pg-member-outcome">
        {member && draftValid ? (
          <p>
            <strong>{t('pg.member_would_be', { id: member.memberId, tier: tierName(draft, member.tier, locale) })}</strong>{' '}
            {member.position === null
              ? t('pg.member_new', { members: formatNumber(locale, member.members) })
              : t('pg.member_rank', { position: formatNumber(locale, member.position), members: formatNumber(locale, member.members), current: member.currentTier ? tierName(draft, member.currentTier, locale) : '—' })}
          </p>
        ) : null}
      </div>
    </section>
  );
}
